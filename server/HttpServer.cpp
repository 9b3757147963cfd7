// SPDX-License-Identifier: Apache-2.0
#include "server/HttpServer.h"

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

struct HttpExchange::Private
{
    QHttpServerResponder responder;
    QPointer<QTcpSocket> socket;
    HttpHeaders commonHeaders;
    bool answered = false;
    bool streaming = false;
};

HttpExchange::HttpExchange(std::unique_ptr<Private> p)
    : d(std::move(p))
{
    // The server deletes a socket when its client goes away; the responder must not touch it then.
    connect(d->socket, &QObject::destroyed, this, &HttpExchange::closed);
    connect(d->socket, &QTcpSocket::disconnected, this, &HttpExchange::closed);
}

HttpExchange::~HttpExchange() = default;

void HttpExchange::onThread(std::function<void()> fn)
{
    if (QThread::currentThread() == thread())
        fn();
    else
        QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

static QHttpServerResponder::StatusCode statusCode(int status)
{
    return static_cast<QHttpServerResponder::StatusCode>(status);
}

void HttpExchange::respond(const HttpResponse &response)
{
    onThread([this, response] {
        if (d->answered || !d->socket)
            return;
        d->answered = true;
        d->responder.writeStatusLine(statusCode(response.status));
        d->responder.writeHeader("Content-Type", response.contentType);
        d->responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
        for (const auto &[key, value] : d->commonHeaders)
            d->responder.writeHeader(key, value);
        for (const auto &[key, value] : response.headers)
            d->responder.writeHeader(key, value);
        d->responder.writeBody(response.body);
    });
}

void HttpExchange::beginStream(int status, const HttpHeaders &headers)
{
    onThread([this, status, headers] {
        if (d->answered || !d->socket)
            return;
        d->answered = d->streaming = true;
        d->socket->setProperty(Streaming, true);
        d->responder.writeStatusLine(statusCode(status));
        for (const auto &[key, value] : d->commonHeaders)
            d->responder.writeHeader(key, value);
        for (const auto &[key, value] : headers)
            d->responder.writeHeader(key, value);
        // No length: the body is the stream, it ends when the connection does.
        d->responder.writeHeader("Connection", "close");
        d->responder.writeBody(QByteArray());
        d->socket->flush();
    });
}

void HttpExchange::write(const QByteArray &chunk)
{
    onThread([this, chunk] {
        if (d->streaming && d->socket && d->socket->state() == QAbstractSocket::ConnectedState)
            d->responder.writeBody(chunk);
    });
}

void HttpExchange::close()
{
    onThread([this] {
        if (d->socket)
            d->socket->disconnectFromHost();
    });
}

bool HttpExchange::isOpen() const
{
    return d->socket && d->socket->state() == QAbstractSocket::ConnectedState;
}

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
        auto p = std::make_unique<HttpExchange::Private>(
            HttpExchange::Private{makeResponder(request, socket), socket, m_common});
        // The exchange lives as long as whoever answers needs it; QObject parts on this thread.
        std::shared_ptr<HttpExchange> exchange(new HttpExchange(std::move(p)),
                                               [](HttpExchange *e) { e->deleteLater(); });
        m_handler(r, exchange);
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
