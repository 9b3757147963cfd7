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
 * The HTTP/1.1 listener on TCP (TLS when given a certificate and key). Every request goes to one
 * handler; headers every answer carries are added here. Its own small HTTP layer
 * (HttpConnection) rather than QHttpServer 6.4, which buffered any body before a limit could
 * refuse it, answered pipelined requests out of order and kept HTTP/1.0 connections open.
 */
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(const HttpRequest &, const std::shared_ptr<HttpExchange> &)>;

    struct Limits
    {
        qint64 maxBodyBytes = 1 << 20; // a larger Content-Length is refused before it is read
        /** A connection without a request for this long closes, and a request must arrive
         *  whole within it (event streams excepted). */
        int idleTimeoutSeconds = 60;
    };

    HttpServer(Handler handler, HttpHeaders commonHeaders, Limits limits,
               QObject *parent = nullptr);
    ~HttpServer() override;

    /** Serves TLS with this PEM certificate chain and key (before `listen`). */
    Result<void> setTls(const QString &certificateFile, const QString &keyFile);
    /** Starts listening; returns the bound port (useful with port 0). */
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    /** Stops listening; idle connections close, the others once their answer is sent. */
    void drain();
    /** Connections something is owed on: a request arriving or answered, an answer unsent. */
    int pending() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace Portoser
