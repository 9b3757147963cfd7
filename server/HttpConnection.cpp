// SPDX-License-Identifier: Apache-2.0
#include "server/HttpConnection.h"

#include "server/ApiError.h"
#include "server/HttpWire.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QVariant>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 ReadBufferBytes = 256 * 1024; // what a busy connection may have queued
constexpr int LingerMs = 2000;                 // reading what a refused client still sends
/** Answers not yet taken by a client that pipelines: no further request is read past this. */
constexpr qint64 MaxAnswerBacklog = 1 << 20;
/** An event stream whose client reads slower than this much backlog is cut. */
constexpr qint64 MaxStreamBacklog = 8 << 20;

QByteArray reasonOf(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 423:
        return "Locked";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

QString errorCodeOf(int status)
{
    switch (status) {
    case 403:
        return u"forbidden"_s;
    case 408:
        return u"request_timeout"_s;
    case 413:
        return u"payload_too_large"_s;
    case 417:
        return u"expectation_failed"_s;
    case 431:
        return u"header_too_large"_s;
    case 501:
        return u"not_implemented"_s;
    case 503:
        return u"unavailable"_s;
    case 505:
        return u"http_version_not_supported"_s;
    default:
        return u"bad_request"_s;
    }
}

/** The exchange's side of a connection. */
/** The exchange's side of a connection: it acts only while its request is the one the
 *  connection answers (a late call for an earlier request on a kept connection does nothing). */
class ConnectionWire final : public HttpWire
{
public:
    explicit ConnectionWire(HttpConnection *connection)
        : m_connection(connection)
        , m_request(connection->requestNumber())
    {}

    void respond(int status, const HttpHeaders &headers, const QByteArray &body) override
    {
        if (current())
            m_connection->answer(status, headers, body);
    }
    void beginStream(int status, const HttpHeaders &headers) override
    {
        if (current())
            m_connection->beginStream(status, headers);
    }
    void write(const QByteArray &chunk) override
    {
        if (current())
            m_connection->writeChunk(chunk);
    }
    bool isOpen() const override { return current() && m_connection->isOpen(); }
    void close() override
    {
        if (current())
            m_connection->hangUp();
    }
    void watch(HttpExchange *exchange) override
    {
        QObject::connect(m_connection, &HttpConnection::gone, exchange, &HttpExchange::closed);
        QObject::connect(m_connection, &QObject::destroyed, exchange, &HttpExchange::closed);
    }

private:
    bool current() const { return m_connection && m_connection->requestNumber() == m_request; }

    QPointer<HttpConnection> m_connection;
    quint64 m_request;
};

} // namespace

HttpConnection::HttpConnection(QIODevice *socket, HttpRequest origin, HttpServer::Handler handler,
                               Settings settings)
    : QObject(socket)
    , m_socket(socket)
    , m_origin(std::move(origin))
    , m_handler(std::move(handler))
    , m_settings(std::move(settings))
    , m_parser(m_settings.limits)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &HttpConnection::timedOut);
    connect(socket, &QIODevice::readyRead, this, &HttpConnection::readMore);
    if (auto *tcp = qobject_cast<QAbstractSocket *>(socket)) {
        tcp->setReadBufferSize(ReadBufferBytes);
        // Without it an answer's last segment waits for the client's delayed ACK (Nagle):
        // measured 44 ms per GET /api/v1/services on keep-alive connections.
        tcp->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
        connect(tcp, &QAbstractSocket::disconnected, this, &HttpConnection::gone);
        connect(tcp, &QAbstractSocket::disconnected, tcp, &QObject::deleteLater);
        connect(tcp, &QAbstractSocket::bytesWritten, this, &HttpConnection::readMore);
    } else if (auto *local = qobject_cast<QLocalSocket *>(socket)) {
        local->setReadBufferSize(ReadBufferBytes);
        connect(local, &QLocalSocket::disconnected, this, &HttpConnection::gone);
        connect(local, &QLocalSocket::disconnected, local, &QObject::deleteLater);
        connect(local, &QLocalSocket::bytesWritten, this, &HttpConnection::readMore);
    }
    m_deadline.start(m_settings.idleTimeoutMs);
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::readMore, Qt::QueuedConnection);
}

bool HttpConnection::isOpen() const
{
    if (m_closing || !m_socket)
        return false;
    if (auto *tcp = qobject_cast<QAbstractSocket *>(m_socket.data()))
        return tcp->state() == QAbstractSocket::ConnectedState;
    if (auto *local = qobject_cast<QLocalSocket *>(m_socket.data()))
        return local->state() == QLocalSocket::ConnectedState;
    return false;
}

void HttpConnection::hangUp()
{
    if (m_closing)
        return;
    m_closing = true;
    // Both write what is buffered before they close; a client that never reads it is cut
    // off after the idle timeout.
    m_deadline.stop();
    disconnect(&m_deadline, nullptr, this, nullptr);
    connect(&m_deadline, &QTimer::timeout, this, &HttpConnection::abort);
    m_deadline.start(m_settings.idleTimeoutMs);
    if (auto *tcp = qobject_cast<QAbstractSocket *>(m_socket.data()))
        tcp->disconnectFromHost();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket.data()))
        local->disconnectFromServer();
}

void HttpConnection::abort()
{
    m_closing = true;
    m_deadline.stop();
    if (auto *tcp = qobject_cast<QAbstractSocket *>(m_socket.data()))
        tcp->abort();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket.data()))
        local->abort();
}

qint64 HttpConnection::backlog() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

bool HttpConnection::pending() const
{
    if (!m_socket || m_lingering)
        return false;
    if (m_streaming)
        return false;
    return m_busy || (m_parser.midRequest() && !m_closing) || backlog() > 0;
}

void HttpConnection::refuse(int status, const QString &message)
{
    m_busy = true;
    ++m_requestNumber;
    m_keepAlive = false;
    m_isHead = false;
    m_lingers = true;
    makeExchange(std::make_unique<ConnectionWire>(this), m_settings.commonHeaders)
        ->respond(ApiError::response(status, errorCodeOf(status), message));
}

void HttpConnection::drain()
{
    m_draining = true;
    if (m_streaming)
        abort(); // a stream has no end to wait for
    else if (!m_busy && !m_parser.midRequest())
        hangUp(); // idle: its answers (if any are unread) are flushed first
    // busy, or a request still arriving: it is answered, then the connection closes
}

void HttpConnection::readMore()
{
    if (m_lingering && m_socket) {
        m_socket->readAll(); // what the client still sends after a refusal: dropped
        return;
    }
    if (m_busy || m_closing || !m_socket)
        return; // read again once the answer is out
    // A client that pipelines without reading its answers waits for them to go out, and no
    // more is taken than one request may hold (the rest waits in the socket: TCP slows it).
    if (backlog() > MaxAnswerBacklog)
        return; // bytesWritten brings us back
    const qint64 room = qint64(m_settings.limits.maxHeadBytes) + m_settings.limits.maxBodyBytes + 4
                        - m_parser.buffered();
    if (room <= 0)
        return serveNext(); // enough for the parser to decide
    const QByteArray bytes = m_socket->read(room);
    if (!bytes.isEmpty() && !m_requestStarted) {
        m_requestStarted = true; // the whole request has the idle timeout from its first byte
        m_deadline.start(m_settings.idleTimeoutMs);
    }
    m_parser.feed(bytes);
    serveNext();
}

void HttpConnection::serveNext()
{
    if (m_busy || m_closing)
        return;
    switch (m_parser.next()) {
    case HttpRequestParser::Step::NeedMore:
        if (m_parser.wantsContinue() && !m_sentContinue && m_socket) {
            m_sentContinue = true; // once per request: the body follows
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        return;
    case HttpRequestParser::Step::Refused:
        m_deadline.stop();
        refuse(m_parser.refusalStatus(), m_parser.refusalMessage());
        return;
    case HttpRequestParser::Step::Complete:
        break;
    }
    m_deadline.stop();
    m_busy = true;
    ++m_requestNumber;
    m_requestStarted = false;
    m_sentContinue = false;
    m_keepAlive = m_parser.keepAlive() && !m_draining;
    HttpRequest request = m_parser.take();
    request.peer = m_origin.peer;
    request.localUser = m_origin.localUser;
    m_isHead = request.method == "HEAD";
    m_handler(request,
              makeExchange(std::make_unique<ConnectionWire>(this), m_settings.commonHeaders));
}

void HttpConnection::writeHead(int status, const HttpHeaders &headers, bool closes)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonOf(status) + "\r\n";
    bool saysConnection = false;
    for (const auto &[key, value] : headers) {
        head += key + ": " + value + "\r\n";
        saysConnection |= key.compare("Connection", Qt::CaseInsensitive) == 0;
    }
    if (closes && !saysConnection)
        head += "Connection: close\r\n";
    m_socket->write(head + "\r\n");
}

void HttpConnection::answer(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (!isOpen())
        return;
    const bool closes = !m_keepAlive || m_draining;
    writeHead(status, headers, closes);
    if (!m_isHead)
        m_socket->write(body);
    m_busy = false;
    if (closes && m_lingers) {
        lingerThenClose();
        return;
    }
    if (closes) {
        hangUp();
        return;
    }
    m_deadline.start(m_settings.idleTimeoutMs);
    m_requestStarted = m_parser.midRequest();
    // A pipelined request already here, or bytes the socket held back while this one ran.
    QMetaObject::invokeMethod(this, &HttpConnection::readMore, Qt::QueuedConnection);
}

void HttpConnection::lingerThenClose()
{
    // A client refused mid-body may still be sending it. Closing with its bytes unread would
    // reset the connection and could destroy the answer before the client reads it, so the
    // rest is read and dropped for a moment (nothing is kept), then the connection closes.
    m_lingering = true;
    m_deadline.stop();
    disconnect(&m_deadline, nullptr, this, nullptr);
    connect(&m_deadline, &QTimer::timeout, this, &HttpConnection::hangUp);
    m_deadline.start(LingerMs);
    if (auto *tcp = qobject_cast<QAbstractSocket *>(m_socket.data()))
        tcp->flush();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket.data()))
        local->flush();
    readMore();
}

void HttpConnection::beginStream(int status, const HttpHeaders &headers)
{
    if (!isOpen())
        return;
    m_streaming = true;
    m_deadline.stop();
    writeHead(status, headers, true);
    if (auto *tcp = qobject_cast<QAbstractSocket *>(m_socket.data()))
        tcp->flush();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket.data()))
        local->flush();
}

void HttpConnection::writeChunk(const QByteArray &chunk)
{
    if (!m_streaming || !isOpen())
        return;
    if (backlog() > MaxStreamBacklog)
        return abort(); // the client stopped reading: it reconnects with Last-Event-ID
    m_socket->write(chunk);
}

void HttpConnection::timedOut()
{
    if (m_busy)
        return;
    if (m_requestStarted && m_parser.midRequest())
        refuse(408, u"the request did not arrive whole within %1 s"_s.arg(m_settings.idleTimeoutMs
                                                                          / 1000.0));
    else
        hangUp(); // idle: nothing to say
}

void HttpConnectionSet::serve(QIODevice *socket, HttpRequest origin,
                              const HttpServer::Handler &handler,
                              const HttpConnection::Settings &settings)
{
    // Over TCP each address has its share, so one client cannot take every connection; the
    // local socket's callers are all the coordinator's own user.
    const QString peer = origin.localUser.isEmpty() ? origin.peer.toString() : QString();
    auto *connection = new HttpConnection(socket, std::move(origin), handler, settings);
    if (m_connections.size() >= m_limit) {
        connection->refuse(503, u"too many connections; try again shortly"_s);
        return;
    }
    if (!peer.isEmpty() && m_perPeer.value(peer) >= m_perPeerLimit) {
        connection->refuse(503,
                           u"too many connections from %1 (at most %2); close some"_s.arg(peer).arg(
                               m_perPeerLimit));
        return;
    }
    m_connections.insert(connection);
    if (!peer.isEmpty())
        ++m_perPeer[peer];
    QObject::connect(connection, &QObject::destroyed, this, [this, connection, peer] {
        m_connections.remove(connection);
        if (!peer.isEmpty() && --m_perPeer[peer] <= 0)
            m_perPeer.remove(peer);
    });
}

void HttpConnectionSet::drain()
{
    for (HttpConnection *c : std::as_const(m_connections))
        c->drain();
}

int HttpConnectionSet::pending() const
{
    int n = 0;
    for (const HttpConnection *c : m_connections)
        n += c->pending() ? 1 : 0;
    return n;
}

} // namespace Portoser
