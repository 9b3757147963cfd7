// SPDX-License-Identifier: Apache-2.0
#include "widgets/OidcLogin.h"

#include "core/net/CoordinatorApi.h"
#include "core/secrets/Keychain.h"
#include "widgets/CoordinatorLink.h"

#include <QCryptographicHash>
#include <QDesktopServices>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QtConcurrent>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int LoginTimeoutMs = 5 * 60 * 1000;
constexpr int RequestTimeoutMs = 20000;
constexpr qsizetype MaxCallbackBytes = 8192;

QByteArray randomUrlSafe(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()),
                                          bytes / int(sizeof(quint32)));
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

/** Endpoints are used only over https, or plain http to this machine (a test issuer). */
bool safeEndpoint(const QUrl &url)
{
    return url.isValid() && (url.scheme() == u"https"_s || url.scheme() == u"http"_s)
           && CoordinatorApi::mayCarryCredential(url);
}

Result<void> fail(std::shared_ptr<QPromise<Result<OidcLogin::Tokens>>> promise, const Error &e)
{
    promise->addResult(e);
    promise->finish();
    return {};
}

} // namespace

OidcLogin::OidcLogin(const QUrl &issuer, const QString &clientId, QObject *parent)
    : QObject(parent)
    , m_issuer(issuer)
    , m_clientId(clientId)
    , m_network(new QNetworkAccessManager(this))
{
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        refresh(m_refreshToken).then(this, [this](const Result<Tokens> &fresh) {
            if (!fresh) { // try again soon; the stream keeps running on the old token meanwhile
                scheduleRefresh(90);
                return;
            }
            m_link->setCredential(fresh->access);
            if (!fresh->refresh.isEmpty())
                m_refreshToken = fresh->refresh;
            (void)QtConcurrent::run([entry = m_keychainEntry, token = m_refreshToken] {
                (void)Keychain::write(entry, token);
            });
            scheduleRefresh(fresh->expiresIn);
        });
    });
}

OidcLogin::~OidcLogin() = default;

QFuture<Result<OidcLogin::Endpoints>> OidcLogin::discover()
{
    auto promise = std::make_shared<QPromise<Result<Endpoints>>>();
    promise->start();
    if (m_endpoints) {
        promise->addResult(*m_endpoints);
        promise->finish();
        return promise->future();
    }
    if (!safeEndpoint(m_issuer)) {
        promise->addResult(Error{ErrorCode::InvalidInput,
                                 tr("the issuer %1 is not https").arg(m_issuer.toDisplayString())});
        promise->finish();
        return promise->future();
    }
    QNetworkRequest request(
        QUrl(m_issuer.toString(QUrl::StripTrailingSlash) + u"/.well-known/openid-configuration"_s));
    request.setTransferTimeout(RequestTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, promise] {
        reply->deleteLater();
        const QJsonObject doc = QJsonDocument::fromJson(reply->readAll()).object();
        const Endpoints found{QUrl(doc.value(u"authorization_endpoint"_s).toString()),
                              QUrl(doc.value(u"token_endpoint"_s).toString())};
        if (reply->error() != QNetworkReply::NoError) {
            promise->addResult(
                Error{ErrorCode::Unreachable,
                      tr("the issuer's discovery document: %1").arg(reply->errorString())});
        } else if (!safeEndpoint(found.authorization) || !safeEndpoint(found.token)) {
            promise->addResult(
                Error{ErrorCode::InvalidInput,
                      tr("the issuer names no https authorization and token endpoints")});
        } else {
            m_endpoints = found;
            promise->addResult(found);
        }
        promise->finish();
    });
    return promise->future();
}

QFuture<Result<OidcLogin::Tokens>> OidcLogin::signIn()
{
    auto promise = std::make_shared<QPromise<Result<Tokens>>>();
    promise->start();
    QFuture<Result<Tokens>> future = promise->future();
    discover().then(this, [this, promise](const Result<Endpoints> &endpoints) {
        if (!endpoints)
            return (void)fail(promise, endpoints.error());
        delete m_listener;
        m_listener = new QTcpServer(this);
        if (!m_listener->listen(QHostAddress::LocalHost, 0))
            return (void)fail(
                promise, Error{ErrorCode::Failed, tr("cannot listen on 127.0.0.1 for the login's "
                                                     "answer: %1")
                                                      .arg(m_listener->errorString())});
        const QString redirect = u"http://127.0.0.1:%1/callback"_s.arg(m_listener->serverPort());
        const QByteArray verifier = randomUrlSafe(48);
        const QByteArray challenge =
            QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        const QString state = QString::fromLatin1(randomUrlSafe(24));
        QUrl login = endpoints->authorization;
        QUrlQuery query(login);
        query.addQueryItem(u"response_type"_s, u"code"_s);
        query.addQueryItem(u"client_id"_s, m_clientId);
        query.addQueryItem(u"redirect_uri"_s, redirect);
        query.addQueryItem(u"scope"_s, u"openid profile"_s);
        query.addQueryItem(u"state"_s, state);
        query.addQueryItem(u"code_challenge"_s, QString::fromLatin1(challenge));
        query.addQueryItem(u"code_challenge_method"_s, u"S256"_s);
        login.setQuery(query);

        auto *deadline = new QTimer(m_listener);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, this, [this, promise] {
            m_listener->close();
            (void)fail(promise, Error{ErrorCode::Timeout,
                                      tr("no answer from the login in the browser within 5 "
                                         "minutes")});
        });
        deadline->start(LoginTimeoutMs);
        const QUrl tokenEndpoint = endpoints->token;
        connect(
            m_listener, &QTcpServer::newConnection, this,
            [this, promise, state, verifier, redirect, tokenEndpoint, deadline] {
                QTcpSocket *socket = m_listener->nextPendingConnection();
                if (!socket)
                    return;
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QTcpSocket::readyRead, this, [=, this] {
                    if (socket->bytesAvailable() > MaxCallbackBytes)
                        return socket->abort();
                    if (!socket->canReadLine())
                        return;
                    // "GET /callback?code=…&state=… HTTP/1.1": the rest is not needed.
                    const QList<QByteArray> words = socket->readLine().trimmed().split(' ');
                    const QUrl target(QString::fromLatin1(words.value(1)));
                    if (words.value(0) != "GET" || target.path() != u"/callback"_s) {
                        socket->write("HTTP/1.1 404 Not Found\r\nConnection: close\r\n"
                                      "Content-Length: 0\r\n\r\n");
                        socket->disconnectFromHost();
                        return;
                    }
                    const QUrlQuery answer(target);
                    if (answer.queryItemValue(u"state"_s) != state) {
                        // Not our login's answer (another page probing the port): refused,
                        // and the real one is still awaited until the deadline.
                        socket->write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                                      "Content-Length: 0\r\n\r\n");
                        socket->disconnectFromHost();
                        return;
                    }
                    const bool ok = answer.hasQueryItem(u"code"_s);
                    const QByteArray page =
                        ok ? tr("Signed in to Portoser. You can close this tab.").toUtf8()
                           : tr("Portoser's sign-in did not complete; see the window.").toUtf8();
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain; "
                                  "charset=utf-8\r\nConnection: close\r\nContent-Length: "
                                  + QByteArray::number(page.size()) + "\r\n\r\n" + page);
                    socket->disconnectFromHost();
                    m_listener->close(); // one answer: the port is given up at once
                    deadline->stop();
                    if (answer.hasQueryItem(u"error"_s))
                        return (void)fail(
                            promise, Error{ErrorCode::PermissionDenied,
                                           tr("the issuer refused: %1 %2")
                                               .arg(answer.queryItemValue(u"error"_s),
                                                    answer.queryItemValue(u"error_description"_s,
                                                                          QUrl::FullyDecoded))});
                    if (!ok)
                        return (void)fail(promise, Error{ErrorCode::PermissionDenied,
                                                         tr("the issuer's answer carries no "
                                                            "code")});
                    exchange(tokenEndpoint,
                             {{u"grant_type"_s, u"authorization_code"_s},
                              {u"code"_s, answer.queryItemValue(u"code"_s, QUrl::FullyDecoded)},
                              {u"redirect_uri"_s, redirect},
                              {u"client_id"_s, m_clientId},
                              {u"code_verifier"_s, QString::fromLatin1(verifier)}})
                        .then(this, [promise](const Result<Tokens> &tokens) {
                            promise->addResult(tokens);
                            promise->finish();
                        });
                });
            });
        if (m_browser)
            m_browser(login);
        else if (!QDesktopServices::openUrl(login))
            (void)fail(
                promise,
                Error{
                    ErrorCode::Failed,
                    tr("no browser opened; open this address yourself: %1").arg(login.toString())});
    });
    return future;
}

QFuture<Result<OidcLogin::Tokens>> OidcLogin::refresh(const QByteArray &refreshToken)
{
    return discover()
        .then(this,
              [this, refreshToken](const Result<Endpoints> &endpoints) {
                  if (!endpoints) {
                      QPromise<Result<Tokens>> failed;
                      failed.start();
                      failed.addResult(endpoints.error());
                      failed.finish();
                      return failed.future();
                  }
                  return exchange(endpoints->token,
                                  {{u"grant_type"_s, u"refresh_token"_s},
                                   {u"refresh_token"_s, QString::fromLatin1(refreshToken)},
                                   {u"client_id"_s, m_clientId}});
              })
        .unwrap();
}

QFuture<Result<OidcLogin::Tokens>> OidcLogin::exchange(const QUrl &tokenEndpoint,
                                                       const QList<QPair<QString, QString>> &form)
{
    auto promise = std::make_shared<QPromise<Result<Tokens>>>();
    promise->start();
    QUrlQuery body;
    for (const auto &[key, value] : form)
        body.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    QNetworkRequest request(tokenEndpoint);
    request.setTransferTimeout(RequestTimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded"_ba);
    QNetworkReply *reply = m_network->post(request, body.toString(QUrl::FullyEncoded).toLatin1());
    connect(reply, &QNetworkReply::finished, this, [reply, promise] {
        reply->deleteLater();
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        const QByteArray access = o.value(u"access_token"_s).toString().toLatin1();
        if (reply->error() != QNetworkReply::NoError || access.isEmpty()) {
            // The issuer's own words (error, error_description) say why; never the tokens.
            const QString why = o.value(u"error_description"_s)
                                    .toString(o.value(u"error"_s).toString(reply->errorString()));
            promise->addResult(
                Error{ErrorCode::PermissionDenied, tr("the issuer gave no token: %1").arg(why)});
        } else {
            promise->addResult(Tokens{access, o.value(u"refresh_token"_s).toString().toLatin1(),
                                      std::clamp(o.value(u"expires_in"_s).toInt(300), 30, 86400)});
        }
        promise->finish();
    });
    return promise->future();
}

void OidcLogin::keepFresh(CoordinatorLink *link, const Tokens &tokens, const QString &keychainEntry)
{
    setParent(link); // it lives as long as the link it feeds
    m_link = link;
    m_refreshToken = tokens.refresh;
    m_keychainEntry = keychainEntry;
    if (!m_refreshToken.isEmpty())
        (void)QtConcurrent::run([keychainEntry, token = m_refreshToken] {
            (void)Keychain::write(keychainEntry, token);
        });
    scheduleRefresh(tokens.expiresIn);
}

void OidcLogin::scheduleRefresh(int expiresIn)
{
    if (m_refreshToken.isEmpty())
        return; // nothing to renew with: the next sign-in will ask again
    m_refreshTimer.start(std::max(15, expiresIn - 60) * 1000);
}

} // namespace Portoser
