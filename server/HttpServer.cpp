// SPDX-License-Identifier: Apache-2.0
#include "server/HttpServer.h"

#include "server/HttpWire.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QByteArray HttpRequest::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

constexpr const char *LastActivity = "portoserLastActivity";
constexpr const char *Streaming = "portoserStreaming";
constexpr int IdleSweepMs = 1000;

HttpExchange::HttpExchange(std::unique_ptr<Private> p)
    : d(std::move(p))
{
    d->wire->watch(this);
}

HttpExchange::~HttpExchange() = default;

void HttpExchange::onThread(std::function<void()> fn)
{
    if (QThread::currentThread() == thread())
        fn();
    else
        QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

void HttpExchange::respond(const HttpResponse &response)
{
    onThread([this, response] {
        if (d->answered || !d->wire->isOpen())
            return;
        d->answered = true;
        HttpHeaders headers{{"Content-Type", response.contentType},
                            {"Content-Length", QByteArray::number(response.body.size())}};
        headers += d->commonHeaders;
        headers += response.headers;
        d->wire->respond(response.status, headers, response.body);
    });
}

void HttpExchange::beginStream(int status, const HttpHeaders &headers)
{
    onThread([this, status, headers] {
        if (d->answered || !d->wire->isOpen())
            return;
        d->answered = d->streaming = true;
        HttpHeaders all = d->commonHeaders;
        all += headers;
        // No length: the body is the stream, it ends when the connection does.
        all.emplaceBack("Connection", "close");
        d->wire->beginStream(status, all);
    });
}

void HttpExchange::write(const QByteArray &chunk)
{
    onThread([this, chunk] {
        if (d->streaming && d->wire->isOpen())
            d->wire->write(chunk);
    });
}

void HttpExchange::close()
{
    onThread([this] { d->wire->close(); });
}

bool HttpExchange::isOpen() const
{
    return d->wire->isOpen();
}

std::shared_ptr<HttpExchange> makeExchange(std::unique_ptr<HttpWire> wire, HttpHeaders common)
{
    auto p = std::make_unique<HttpExchange::Private>();
    p->wire = std::move(wire);
    p->commonHeaders = std::move(common);
    // The exchange lives as long as whoever answers needs it; QObject parts on this thread.
    return std::shared_ptr<HttpExchange>(new HttpExchange(std::move(p)),
                                         [](HttpExchange *e) { e->deleteLater(); });
}

namespace {

/** A TCP connection, answered through QHttpServer's responder. */
class TcpWire final : public HttpWire
{
public:
    TcpWire(QHttpServerResponder responder, QTcpSocket *socket)
        : m_responder(std::move(responder))
        , m_socket(socket)
    {}

    void respond(int status, const HttpHeaders &headers, const QByteArray &body) override
    {
        m_responder.writeStatusLine(statusCode(status));
        for (const auto &[key, value] : headers)
            m_responder.writeHeader(key, value);
        m_responder.writeBody(body);
    }
    void beginStream(int status, const HttpHeaders &headers) override
    {
        m_socket->setProperty(Streaming, true);
        m_responder.writeStatusLine(statusCode(status));
        for (const auto &[key, value] : headers)
            m_responder.writeHeader(key, value);
        m_responder.writeBody(QByteArray());
        m_socket->flush();
    }
    void write(const QByteArray &chunk) override { m_responder.writeBody(chunk); }
    bool isOpen() const override
    {
        return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
    }
    void close() override
    {
        if (m_socket)
            m_socket->disconnectFromHost();
    }
    void watch(HttpExchange *exchange) override
    {
        // The server deletes a socket when its client goes away; the responder must not touch
        // it then.
        QObject::connect(m_socket, &QObject::destroyed, exchange, &HttpExchange::closed);
        QObject::connect(m_socket, &QTcpSocket::disconnected, exchange, &HttpExchange::closed);
    }

private:
    static QHttpServerResponder::StatusCode statusCode(int status)
    {
        return static_cast<QHttpServerResponder::StatusCode>(status);
    }

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
};

} // namespace

/** QAbstractHttpServer with our one handler instead of its router. */
class HttpServer::Impl : public QAbstractHttpServer
{
public:
    Impl(Handler handler, HttpHeaders common, qint64 idleTimeoutMs)
        : m_handler(std::move(handler))
        , m_common(std::move(common))
        , m_idleTimeoutMs(idleTimeoutMs)
    {
        m_clock.start();
        m_sweep.setInterval(IdleSweepMs);
        QObject::connect(&m_sweep, &QTimer::timeout, this, [this] { closeIdle(); });
        m_sweep.start();
    }

    bool tls = false;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        // Without it a large answer's last segment waits for the client's delayed ACK (Nagle):
        // measured 44 ms per GET /api/v1/services on keep-alive connections.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setProperty(LastActivity, m_clock.elapsed());
        HttpRequest r;
        r.method = methodName(request.method());
        r.path = request.url().path();
        r.query = request.query();
        r.headers = request.headers();
        r.body = request.body();
        r.peer = request.remoteAddress();
        m_handler(r, makeExchange(std::make_unique<TcpWire>(makeResponder(request, socket), socket),
                                  m_common));
        return true;
    }

    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}

private:
    /** Connections that sent nothing for the idle timeout are closed (event streams excepted), so
     *  idle keep-alives and clients that never finish a request do not pile up. */
    void closeIdle()
    {
        const qint64 now = m_clock.elapsed();
        for (QTcpServer *server : servers()) {
            for (QTcpSocket *socket : server->findChildren<QTcpSocket *>()) {
                if (socket->property(Streaming).toBool())
                    continue;
                const QVariant last = socket->property(LastActivity);
                if (!last.isValid())
                    socket->setProperty(LastActivity, now); // first seen now
                else if (now - last.toLongLong() > m_idleTimeoutMs)
                    socket->disconnectFromHost();
            }
        }
    }

    static QByteArray methodName(QHttpServerRequest::Method method)
    {
        switch (method) {
        case QHttpServerRequest::Method::Get:
            return "GET";
        case QHttpServerRequest::Method::Put:
            return "PUT";
        case QHttpServerRequest::Method::Delete:
            return "DELETE";
        case QHttpServerRequest::Method::Post:
            return "POST";
        case QHttpServerRequest::Method::Head:
            return "HEAD";
        case QHttpServerRequest::Method::Options:
            return "OPTIONS";
        case QHttpServerRequest::Method::Patch:
            return "PATCH";
        case QHttpServerRequest::Method::Connect:
            return "CONNECT";
        case QHttpServerRequest::Method::Trace:
            return "TRACE";
        default:
            return "UNKNOWN";
        }
    }

    Handler m_handler;
    HttpHeaders m_common;
    qint64 m_idleTimeoutMs;
    QElapsedTimer m_clock;
    QTimer m_sweep;
};

HttpServer::HttpServer(Handler handler, HttpHeaders commonHeaders, int idleTimeoutSeconds,
                       QObject *parent)
    : QObject(parent)
    , m_impl(std::make_unique<Impl>(std::move(handler), std::move(commonHeaders),
                                    qint64(idleTimeoutSeconds) * 1000))
{}

HttpServer::~HttpServer() = default;

Result<void> HttpServer::setTls(const QString &certificateFile, const QString &keyFile)
{
    QFile certFile(certificateFile);
    QFile keyF(keyFile);
    if (!certFile.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed, u"cannot read TLS certificate %1"_s.arg(certificateFile)};
    if (!keyF.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed, u"cannot read TLS key %1"_s.arg(keyFile)};
    const auto chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    const QByteArray keyPem = keyF.readAll();
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (chain.isEmpty() || key.isNull())
        return Error{
            ErrorCode::InvalidInput,
            u"%1 / %2: not a PEM certificate and EC or RSA key"_s.arg(certificateFile, keyFile)};
    m_impl->sslSetup(chain.first(), key);
    m_impl->tls = true;
    return {};
}

Result<quint16> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_impl->listen(address, port);
    if (bound == 0)
        return Error{ErrorCode::Failed,
                     u"cannot listen on %1:%2 (in use, or not an address of this machine)"_s
                         .arg(address.toString())
                         .arg(port)};
    return bound;
}

} // namespace Portoser
