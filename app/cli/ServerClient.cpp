// SPDX-License-Identifier: Apache-2.0
#include "app/cli/ServerClient.h"

#include "core/net/CoordinatorApi.h"
#include "core/runtime/LocalEndpoint.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

ServerClient::ServerClient(QString baseUrl)
    : m_base(std::move(baseUrl))
    , m_token(qgetenv("PORTOSER_TOKEN"))
{
    while (m_base.endsWith(u'/'))
        m_base.chop(1);
    // Never in the clear to another machine, whoever named it (--server, PORTOSER_SERVER, the
    // registry): the window and every CLI path keep the same rule.
    if (!CoordinatorApi::mayCarryCredential(QUrl(m_base)))
        m_sendToken = false;
}

std::optional<ServerClient> ServerClient::local(const QString &registryPath)
{
    const QString path = LocalEndpoint::socketPath(registryPath);
    if (!QFileInfo::exists(path))
        return std::nullopt;
    // Only a directory of this user, closed to others, and a server of this user are trusted:
    // otherwise another user could stand in for the coordinator and answer "succeeded".
    if (auto safe = LocalEndpoint::checkDirectory(path); !safe) {
        qWarning("portoser: %s", qUtf8Printable(safe.error().message));
        return std::nullopt;
    }
    QLocalSocket probe;
    probe.connectToServer(path);
    if (!probe.waitForConnected(1000))
        return std::nullopt; // a socket left by a coordinator that stopped: work directly
    const bool ours = LocalEndpoint::trusted(LocalEndpoint::peerUid(probe.socketDescriptor()));
    probe.disconnectFromServer();
    if (!ours)
        return std::nullopt;
    ServerClient client;
    client.m_localSocket = path;
    return client;
}

ServerClient::Answer ServerClient::overHttp(const QByteArray &method, const QString &path,
                                            const QByteArray &body) const
{
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(m_base + path)};
    request.setRawHeader("Content-Type", "application/json");
    if (!m_token.isEmpty() && m_sendToken)
        request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(30000);
    // A redirect would carry the token to wherever it points.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
            reply->errorString()};
}

ServerClient::Answer ServerClient::overLocalSocket(const QByteArray &method, const QString &path,
                                                   const QByteArray &body) const
{
    QLocalSocket socket;
    socket.connectToServer(m_localSocket);
    if (!socket.waitForConnected(2000))
        return {0, {}, socket.errorString()};
    if (!LocalEndpoint::trusted(LocalEndpoint::peerUid(socket.socketDescriptor())))
        return {0, {}, u"the socket is served by another user"_s};
    socket.write(method + ' ' + QUrl(path).toEncoded() + " HTTP/1.1\r\nHost: localhost\r\n"
                 + "Content-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    // One answer per connection: it ends when the coordinator closes it.
    QByteArray received;
    QElapsedTimer clock;
    clock.start();
    constexpr qint64 DeadlineMs = 30000;
    constexpr qsizetype MaxAnswerBytes = 64 << 20;
    while (socket.state() == QLocalSocket::ConnectedState && clock.elapsed() < DeadlineMs
           && received.size() <= MaxAnswerBytes) {
        socket.waitForReadyRead(int(DeadlineMs - clock.elapsed()));
        received += socket.readAll();
    }
    received += socket.readAll();
    if (received.size() > MaxAnswerBytes)
        return {0, {}, u"an answer over 64 MiB"_s};
    if (socket.state() == QLocalSocket::ConnectedState)
        return {0, {}, u"no whole answer within 30 s"_s};
    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    const QList<QByteArray> start = received.left(received.indexOf("\r\n")).split(' ');
    if (headEnd < 0 || start.size() < 2)
        return {0, {}, u"the connection closed without an answer"_s};
    const QByteArray answer = received.mid(headEnd + 4);
    // An answer cut short is not an answer (it would read as an empty success).
    for (const QByteArray &line : received.left(headEnd).split('\n')) {
        if (line.toLower().startsWith("content-length:")
            && line.mid(15).trimmed().toLongLong() != answer.size())
            return {0, {}, u"the answer was cut short"_s};
    }
    return {start.at(1).toInt(), answer, {}};
}

Result<QJsonObject> ServerClient::request(const QByteArray &method, const QString &path,
                                          const QJsonObject &body) const
{
    const QByteArray payload =
        body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    const Answer answer = m_localSocket.isEmpty() ? overHttp(method, path, payload)
                                                  : overLocalSocket(method, path, payload);
    const int status = answer.status;
    const QJsonObject json = QJsonDocument::fromJson(answer.body).object();
    if (status == 0)
        return Error{ErrorCode::Unreachable,
                     u"coordinator %1: %2%3"_s.arg(
                         where(), answer.error, m_hint.isEmpty() ? QString() : u"; "_s + m_hint)};
    if (status >= 400) {
        const QString message = json.value(u"error"_s).toObject().value(u"message"_s).toString();
        const ErrorCode code = status == 401 || status == 403 ? ErrorCode::PermissionDenied
                               : status == 404                ? ErrorCode::NotFound
                                                              : ErrorCode::Failed;
        const bool tokenMissing =
            status == 401 && (m_token.isEmpty() || !m_sendToken) && m_localSocket.isEmpty();
        const QString tokenHint = !tokenMissing ? QString()
                                  : m_sendToken ? u"; set PORTOSER_TOKEN"_s
                                  : !m_withheld.isEmpty()
                                      ? u"; "_s + m_withheld
                                      : u"; PORTOSER_TOKEN is not sent in the clear to another "
                                        "machine: give the coordinator https"_s;
        return Error{code, u"coordinator %1: %2 (HTTP %3)%4"_s
                               .arg(where(), message.isEmpty() ? answer.error : message)
                               .arg(status)
                               .arg(tokenHint)};
    }
    return json;
}

EventStream::EventStream(const ServerClient &server, const QString &types)
{
    const QString path = u"/api/v1/events?types="_s + types;
    if (!server.m_localSocket.isEmpty()) {
        m_socket = std::make_unique<QLocalSocket>();
        m_socket->connectToServer(server.m_localSocket);
        if (!m_socket->waitForConnected(2000)
            || !LocalEndpoint::trusted(LocalEndpoint::peerUid(m_socket->socketDescriptor()))) {
            m_socket.reset();
            return;
        }
        m_socket->write("GET " + path.toLatin1()
                        + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                          "Content-Length: 0\r\n\r\n");
        m_socket->flush();
        return;
    }
    m_network = std::make_unique<QNetworkAccessManager>();
    QNetworkRequest request{QUrl(server.m_base + path)};
    request.setRawHeader("Accept", "text/event-stream");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!server.m_token.isEmpty() && server.m_sendToken)
        request.setRawHeader("Authorization", "Bearer " + server.m_token);
    m_reply = m_network->get(request);
    m_reply->setReadBufferSize(1 << 20); // a flooding coordinator waits for us
}

EventStream::~EventStream()
{
    if (m_reply) {
        m_reply->abort();
        m_reply->deleteLater();
    }
}

bool EventStream::isOpen() const
{
    if (m_socket)
        return m_socket->state() == QLocalSocket::ConnectedState;
    return m_reply && m_reply->isRunning();
}

void EventStream::take(const QByteArray &bytes)
{
    QByteArray body = bytes;
    if (!m_headRead) { // the local socket's answer starts with its HTTP head
        m_head += bytes;
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_head.size() > 65536)
                m_socket->abort();
            return;
        }
        m_headRead = true;
        if (!m_head.startsWith("HTTP/1.1 200")) {
            m_socket->abort();
            return;
        }
        body = m_head.mid(end + 4);
        m_head.clear();
    }
    m_ready += m_parser.feed(body);
}

QList<SseEvent> EventStream::wait(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (m_ready.isEmpty() && isOpen() && clock.elapsed() < timeoutMs) {
        const int left = int(timeoutMs - clock.elapsed());
        if (m_socket) {
            m_socket->waitForReadyRead(left);
            take(m_socket->readAll());
            continue;
        }
        QEventLoop loop;
        QTimer::singleShot(left, &loop, &QEventLoop::quit);
        QObject::connect(m_reply, &QNetworkReply::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(m_reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        m_headRead = true; // QNetworkReply gives the body only
        take(m_reply->readAll());
    }
    return std::exchange(m_ready, {});
}

} // namespace Portoser::Cli
