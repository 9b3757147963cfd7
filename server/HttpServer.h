// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QUrlQuery>

#include <functional>
#include <memory>

namespace Portoser {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

class HttpWire;

/** One HTTP request as the API sees it, free of the server library's types. */
struct HttpRequest
{
    QByteArray method; // GET, POST, ...
    QString path;      // decoded, without the query
    QUrlQuery query;
    HttpHeaders headers;
    QByteArray body;
    QHostAddress peer;
    /** Set only for a request over the coordinator's local socket: the login name of the user
     *  whose process connected (from the socket's peer credentials, never from the request). */
    QString localUser;

    /** The value of header `name` (case-insensitive), or empty. */
    QByteArray header(const QByteArray &name) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    HttpHeaders headers;
};

/**
 * The answer channel of one request. Usable from any thread and after the handler returned
 * (work finishes on a worker, an event stream stays open); calls after the client went away do
 * nothing. Either `respond` once, or `beginStream` then `write` chunks until `close`.
 */
class HttpExchange : public QObject
{
    Q_OBJECT

public:
    ~HttpExchange() override;

    void respond(const HttpResponse &response);
    void beginStream(int status, const HttpHeaders &headers);
    void write(const QByteArray &chunk);
    void close();
    /** Whether the client is still connected (a stream ends when it is not). */
    bool isOpen() const;

    struct Private; // the connection it answers on (server/HttpWire.h)

signals:
    /** The client disconnected (signalled on the server's thread). */
    void closed();

private:
    friend std::shared_ptr<HttpExchange> makeExchange(std::unique_ptr<HttpWire>, HttpHeaders);
    explicit HttpExchange(std::unique_ptr<Private> d);
    void onThread(std::function<void()> fn);
    std::unique_ptr<Private> d;
};

/**
 * The HTTP listener (QHttpServer 6.4 is a technology preview whose API changed in 6.8: it stays
 * inside this class). Every request goes to one handler; headers every answer carries are added
 * here. TLS when given a certificate and key.
 */
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(const HttpRequest &, const std::shared_ptr<HttpExchange> &)>;

    /** Connections idle for `idleTimeoutSeconds` (no request; event streams excepted) close. */
    HttpServer(Handler handler, HttpHeaders commonHeaders, int idleTimeoutSeconds = 60,
               QObject *parent = nullptr);
    ~HttpServer() override;

    /** Serves TLS with this PEM certificate chain and key (before `listen`). */
    Result<void> setTls(const QString &certificateFile, const QString &keyFile);
    /** Starts listening; returns the bound port (useful with port 0). */
    Result<quint16> listen(const QHostAddress &address, quint16 port);

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace Portoser
