// SPDX-License-Identifier: Apache-2.0
#include "core/tls/RouteCheck.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QHostAddress>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QThreadPool>
#include <QtConcurrent>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

/** What a certificate of the operator's own may show here and still be right for its clients,
 *  who trust its issuer: everything about the chain, nothing about its names or dates. */
bool onlyChainErrors(const QList<QSslError> &errors)
{
    for (const QSslError &e : errors) {
        switch (e.error()) {
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::CertificateUntrusted:
            break;
        default:
            return false;
        }
    }
    return true;
}

QSslKey readKey(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray pem = file.readAll();
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa}) {
        const QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

} // namespace

RouteCheck::RouteCheck(QString address, int port, QList<QSslCertificate> trusted,
                       std::chrono::milliseconds timeout)
    : m_address(std::move(address))
    , m_port(port)
    , m_trusted(QSslConfiguration::systemCaCertificates() + trusted)
    , m_timeout(timeout)
{}

QString RouteCheck::listener() const
{
    const bool v6 = QHostAddress(m_address).protocol() == QAbstractSocket::IPv6Protocol;
    return (v6 ? u"[%1]:%2"_s : u"%1:%2"_s).arg(m_address).arg(m_port);
}

std::vector<Result<int>> RouteCheck::run(const QList<Request> &requests) const
{
    QThreadPool pool; // its own: the global one may be busy, and has as few threads as cores
    pool.setMaxThreadCount(qBound(1, int(requests.size()), 16));
    QList<QFuture<Result<int>>> pending;
    for (const Request &request : requests)
        pending.append(QtConcurrent::run(&pool, [this, request] { return ask(request); }));
    std::vector<Result<int>> answers;
    for (QFuture<Result<int>> &answer : pending)
        answers.push_back(answer.result());
    return answers;
}

Result<int> RouteCheck::ask(const Request &request) const
{
    const QDeadlineTimer deadline(m_timeout);
    const auto left = [&deadline] { return int(qMax<qint64>(1, deadline.remainingTime())); };
    const QString where = u"Caddy at %1 (as %2)"_s.arg(listener(), request.hostname);
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(m_trusted);
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!request.clientCertificate.isEmpty()) {
        const QList<QSslCertificate> certificate =
            QSslCertificate::fromPath(request.clientCertificate);
        const QSslKey key = readKey(request.clientKey);
        if (certificate.isEmpty() || key.isNull())
            return Error{ErrorCode::InvalidInput,
                         u"the client certificate %1 or its key cannot be read"_s.arg(
                             request.clientCertificate)};
        config.setLocalCertificate(certificate.first());
        config.setPrivateKey(key);
    }
    QSslSocket socket;
    socket.setSslConfiguration(config);
    if (request.ownCertificate)
        QObject::connect(&socket, &QSslSocket::sslErrors, &socket,
                         [&socket](const QList<QSslError> &errors) {
                             if (onlyChainErrors(errors))
                                 socket.ignoreSslErrors();
                         });
    const auto failed = [&](const QString &what) -> Error {
        if (deadline.hasExpired())
            return Error{ErrorCode::Timeout,
                         u"%1: no answer within %2 s"_s.arg(where).arg(double(m_timeout.count()) / 1000.0)};
        QStringList why;
        for (const QSslError &e : socket.sslHandshakeErrors())
            why.append(e.errorString());
        if (why.isEmpty())
            why.append(socket.errorString());
        return Error{ErrorCode::Unreachable, u"%1: %2: %3"_s.arg(where, what, why.join(u"; "_s))};
    };
    // The route's hostname is what SNI says and what the certificate must name; Caddy is
    // reached at its own address, as `curl --resolve` would.
    socket.connectToHostEncrypted(m_address, quint16(m_port), request.hostname);
    if (!socket.waitForEncrypted(left()))
        return failed(u"TLS handshake failed"_s);
    const QString host =
        m_port == 443 ? request.hostname : u"%1:%2"_s.arg(request.hostname).arg(m_port);
    socket.write(u"GET %1 HTTP/1.1\r\nHost: %2\r\nUser-Agent: portoser-route-check\r\n"
                 "Accept: */*\r\nConnection: close\r\n\r\n"_s.arg(request.path, host)
                     .toUtf8());
    socket.flush();
    QByteArray head;
    while (!head.contains("\r\n") && head.size() < 8192) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(left()))
            return failed(u"no HTTP answer"_s);
        head += socket.readAll();
    }
    socket.abort();
    const QList<QByteArray> words = head.left(head.indexOf("\r\n")).split(' ');
    bool isNumber = false;
    const int status = words.value(1).toInt(&isNumber);
    if (!words.value(0).startsWith("HTTP/") || !isNumber)
        return Error{ErrorCode::Failed, u"%1: the answer is not HTTP"_s.arg(where)};
    return status;
}

} // namespace Portoser
