// SPDX-License-Identifier: Apache-2.0
#include "server/HttpServer.h"

#include "server/HttpConnection.h"
#include "server/HttpWire.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

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
        // 204 and 304 have no content, so neither a length nor a type (RFC 9110 8.6).
        const bool noContent = response.status == 204 || response.status == 304;
        HttpHeaders headers;
        if (!noContent)
            headers = {{"Content-Type", response.contentType},
                       {"Content-Length", QByteArray::number(response.body.size())}};
        headers += d->commonHeaders;
        headers += response.headers;
        d->wire->respond(response.status, headers, noContent ? QByteArray() : response.body);
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

/** Listens on TCP, with TLS when given a certificate; each connection an HttpConnection. */
class HttpServer::Impl : public QTcpServer
{
public:
    Impl(Handler handler, HttpConnection::Settings settings)
        : m_handler(std::move(handler))
        , m_settings(std::move(settings))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                HttpRequest origin;
                origin.peer = socket->peerAddress();
                m_connections.serve(socket, origin, m_handler, m_settings);
            }
        });
    }

    QList<QSslCertificate> chain;
    QSslKey key;
    HttpConnectionSet m_connections;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (chain.isEmpty())
            return QTcpServer::incomingConnection(descriptor);
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setLocalCertificateChain(chain);
        socket->setPrivateKey(key);
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
        socket->setProtocol(QSsl::TlsV1_2OrLater);
        // A client that never finishes the handshake is closed by the connection's deadline.
        connect(socket, &QSslSocket::sslErrors, socket, [socket] { socket->abort(); });
        addPendingConnection(socket);
        socket->startServerEncryption();
    }

private:
    Handler m_handler;
    HttpConnection::Settings m_settings;
};

HttpServer::HttpServer(Handler handler, HttpHeaders commonHeaders, Limits limits, QObject *parent)
    : QObject(parent)
{
    HttpConnection::Settings settings;
    settings.limits.maxBodyBytes = limits.maxBodyBytes;
    settings.idleTimeoutMs = limits.idleTimeoutSeconds * 1000;
    settings.commonHeaders = std::move(commonHeaders);
    m_impl = std::make_unique<Impl>(std::move(handler), std::move(settings));
}

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
    m_impl->chain = chain;
    m_impl->key = key;
    return {};
}

Result<quint16> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_impl->listen(address, port))
        return Error{ErrorCode::Failed,
                     u"cannot listen on %1:%2 (in use, or not an address of this machine)"_s
                         .arg(address.toString())
                         .arg(port)};
    return m_impl->serverPort();
}

void HttpServer::drain()
{
    m_impl->close();
    m_impl->m_connections.drain();
}

int HttpServer::pending() const
{
    return m_impl->m_connections.pending();
}

} // namespace Portoser
