// SPDX-License-Identifier: Apache-2.0
#include "server/LocalHttpListener.h"

#include "core/runtime/LocalEndpoint.h"
#include "server/ApiError.h"
#include "server/HttpWire.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <pwd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype MaxHeadBytes = 64 * 1024;
constexpr int RequestDeadlineMs = 10000; // the whole request, head and body

QString loginOf(qint64 uid)
{
    struct passwd entry = {};
    struct passwd *found = nullptr;
    char buffer[4096];
    if (::getpwuid_r(uid_t(uid), &entry, buffer, sizeof buffer, &found) == 0 && found)
        return QString::fromLocal8Bit(found->pw_name);
    return u"uid%1"_s.arg(uid);
}

QByteArray reasonOf(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 413:
        return "Payload Too Large";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

/** Answers on the local socket: HTTP/1.1, one answer, then the connection closes. */
class LocalWire final : public HttpWire
{
public:
    explicit LocalWire(QLocalSocket *socket)
        : m_socket(socket)
    {}

    void respond(int status, const HttpHeaders &headers, const QByteArray &body) override
    {
        writeHead(status, headers);
        m_socket->write(body);
        m_socket->disconnectFromServer(); // after what is buffered has been written
    }
    void beginStream(int status, const HttpHeaders &headers) override
    {
        writeHead(status, headers);
        m_socket->flush();
    }
    void write(const QByteArray &chunk) override
    {
        m_socket->write(chunk);
        m_socket->flush();
    }
    bool isOpen() const override
    {
        return m_socket && m_socket->state() == QLocalSocket::ConnectedState;
    }
    void close() override
    {
        if (m_socket)
            m_socket->disconnectFromServer();
    }
    void watch(HttpExchange *exchange) override
    {
        QObject::connect(m_socket, &QObject::destroyed, exchange, &HttpExchange::closed);
        QObject::connect(m_socket, &QLocalSocket::disconnected, exchange, &HttpExchange::closed);
    }

private:
    void writeHead(int status, const HttpHeaders &headers)
    {
        QByteArray head =
            "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonOf(status) + "\r\n";
        bool closes = false;
        for (const auto &[key, value] : headers) {
            head += key + ": " + value + "\r\n";
            closes |= key.compare("Connection", Qt::CaseInsensitive) == 0;
        }
        if (!closes)
            head += "Connection: close\r\n";
        m_socket->write(head + "\r\n");
    }

    QPointer<QLocalSocket> m_socket;
};

/** What a connection has sent so far, until it is one whole request. */
struct PendingRequest
{
    QByteArray buffer;
    qsizetype headEnd = -1; // offset of the blank line, once seen
    qint64 bodyLength = 0;
    HttpRequest request;
};

/** An answer written straight onto a connection whose request never reached the handler. */
void refuse(QLocalSocket *socket, int status, const QString &message)
{
    const QString code = status == 403   ? u"forbidden"_s
                         : status == 408 ? u"request_timeout"_s
                         : status == 413 ? u"payload_too_large"_s
                                         : u"bad_request"_s;
    makeExchange(std::make_unique<LocalWire>(socket), {})
        ->respond(ApiError::response(status, code, message));
}

/** Parses the head once it is complete; false (with a refusal sent) when it is not HTTP. */
bool parseHead(PendingRequest &p, QLocalSocket *socket, qint64 maxBody)
{
    const QList<QByteArray> lines = p.buffer.left(p.headEnd).split('\n');
    const QList<QByteArray> start = lines.value(0).trimmed().split(' ');
    if (start.size() != 3 || !start.at(2).startsWith("HTTP/1.")) {
        refuse(socket, 400, u"not an HTTP/1.x request line"_s);
        return false;
    }
    const QUrl target(QString::fromLatin1(start.at(1)));
    p.request.method = start.at(0);
    p.request.path = target.path();
    p.request.query = QUrlQuery(target.query());
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (line.isEmpty())
            continue;
        if (colon <= 0) {
            refuse(socket, 400, u"malformed header line"_s);
            return false;
        }
        p.request.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    if (!p.request.header("Transfer-Encoding").isEmpty()) {
        refuse(socket, 400, u"send a Content-Length, not a chunked body"_s);
        return false;
    }
    QByteArrayList lengths;
    for (const auto &[key, value] : p.request.headers) {
        if (key.compare("Content-Length", Qt::CaseInsensitive) == 0 && !lengths.contains(value))
            lengths.append(value);
    }
    if (lengths.size() > 1) {
        refuse(socket, 400, u"Content-Length given twice with different values"_s);
        return false;
    }
    bool ok = true;
    const QByteArray length = p.request.header("Content-Length");
    p.bodyLength = length.isEmpty() ? 0 : length.toLongLong(&ok);
    if (!ok || p.bodyLength < 0) {
        refuse(socket, 400, u"Content-Length is not a length"_s);
        return false;
    }
    if (p.bodyLength > maxBody) {
        refuse(socket, 413,
               u"request body is %1 bytes; the limit is %2"_s.arg(p.bodyLength).arg(maxBody));
        return false;
    }
    return true;
}

} // namespace

LocalHttpListener::LocalHttpListener(HttpServer::Handler handler, HttpHeaders commonHeaders,
                                     qint64 maxBodyBytes, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_common(std::move(commonHeaders))
    , m_maxBodyBytes(maxBodyBytes)
{}

LocalHttpListener::~LocalHttpListener()
{
    if (m_server && m_server->isListening()) {
        m_server->close(); // removes the socket file
    }
}

Result<void> LocalHttpListener::listen(const QString &path)
{
    if (auto ok = LocalEndpoint::prepareDirectory(path); !ok)
        return ok.error();
    if (QFileInfo::exists(path)) {
        QLocalSocket probe;
        probe.connectToServer(path);
        if (probe.waitForConnected(500))
            return Error{
                ErrorCode::Conflict,
                u"another coordinator for this registry already answers at %1"_s.arg(path)};
        QLocalServer::removeServer(path); // left by one that did not stop cleanly
    }
    m_server = std::make_unique<QLocalServer>();
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(path))
        return Error{ErrorCode::Failed,
                     u"cannot listen on %1: %2"_s.arg(path, m_server->errorString())};
    m_path = path;
    connect(m_server.get(), &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection())
            accept(socket);
    });
    return {};
}

void LocalHttpListener::accept(QLocalSocket *socket)
{
    connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
    const qint64 uid = LocalEndpoint::peerUid(socket->socketDescriptor());
    if (!LocalEndpoint::trusted(uid)) {
        refuse(socket, 403, u"this socket answers only the user the coordinator runs as"_s);
        return;
    }
    auto pending = std::make_shared<PendingRequest>();
    pending->request.localUser = loginOf(uid);
    pending->request.peer = QHostAddress(QHostAddress::LocalHost);
    auto *deadline = new QTimer(socket);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, socket,
            [socket] { refuse(socket, 408, u"the request did not arrive whole within 10 s"_s); });
    deadline->start(RequestDeadlineMs);
    connect(socket, &QLocalSocket::readyRead, this, [this, socket, pending, deadline] {
        PendingRequest &p = *pending;
        p.buffer += socket->readAll();
        if (p.headEnd < 0) {
            const qsizetype end = p.buffer.indexOf("\r\n\r\n");
            if (end < 0) {
                if (p.buffer.size() > MaxHeadBytes) {
                    deadline->stop();
                    refuse(socket, 400, u"request head over 64 KiB"_s);
                    disconnect(socket, &QLocalSocket::readyRead, this, nullptr);
                }
                return;
            }
            p.headEnd = end;
            if (end > MaxHeadBytes) {
                deadline->stop();
                refuse(socket, 400, u"request head over 64 KiB"_s);
                disconnect(socket, &QLocalSocket::readyRead, this, nullptr);
                return;
            }
            if (!parseHead(p, socket, m_maxBodyBytes)) {
                deadline->stop();
                disconnect(socket, &QLocalSocket::readyRead, this, nullptr);
                return;
            }
        }
        const qsizetype bodyStart = p.headEnd + 4;
        if (p.buffer.size() - bodyStart < p.bodyLength)
            return;
        deadline->stop();
        disconnect(socket, &QLocalSocket::readyRead, this, nullptr);
        p.request.body = p.buffer.mid(bodyStart, p.bodyLength);
        m_handler(p.request, makeExchange(std::make_unique<LocalWire>(socket), m_common));
    });
}

} // namespace Portoser
