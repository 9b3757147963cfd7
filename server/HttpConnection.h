// SPDX-License-Identifier: Apache-2.0
// Internal to server/: one client connection, whatever carries it (TCP, TLS, the local socket).
#pragma once

#include "server/HttpRequestParser.h"
#include "server/HttpServer.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QIODevice;

namespace Portoser {

/**
 * Speaks HTTP/1.1 on one connection: requests are parsed as they arrive (limits checked before
 * any body is read), handed to the handler one at a time so that pipelined requests are answered
 * in the order asked, and the connection is kept or closed as the client asked (HTTP/1.0 and
 * `Connection: close` close after the answer). A request must arrive whole, and an idle
 * connection send its next one, within the idle timeout; event streams are exempt. Reading stops
 * while a request is answered, so a client cannot queue more than the socket's buffer.
 */
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        HttpLimits limits;
        int idleTimeoutMs = 60000;
        HttpHeaders commonHeaders;
    };

    /** Serves `socket` (a QAbstractSocket or QLocalSocket, connected); a child of it, gone
     *  with it. `origin` carries what every request on it shares: peer, local user. */
    HttpConnection(QIODevice *socket, HttpRequest origin, HttpServer::Handler handler,
                   Settings settings);

    /** Answers `status` without reading a request, then closes. */
    void refuse(int status, const QString &message);
    /** Closes once the request being answered is answered (at once when idle or streaming). */
    void drain();
    /** Something is owed to the client: a request arriving or being answered, or an answer
     *  not yet sent (an open event stream does not count). A graceful stop waits for it. */
    bool pending() const;
    bool isOpen() const;
    /** Closes once what is buffered is sent (aborted if the client does not take it within
     *  the idle timeout). */
    void hangUp();
    void abort();
    /** Counts the requests it answered: an exchange belongs to one of them. */
    quint64 requestNumber() const { return m_requestNumber; }

    // For the exchange's wire.
    void answer(int status, const HttpHeaders &headers, const QByteArray &body);
    void beginStream(int status, const HttpHeaders &headers);
    void writeChunk(const QByteArray &chunk);

signals:
    /** The client went away or the connection was closed. */
    void gone();

private:
    void readMore();
    void serveNext();
    void timedOut();
    void lingerThenClose();
    qint64 backlog() const; // answer bytes not yet taken by the client
    void writeHead(int status, const HttpHeaders &headers, bool closes);

    QPointer<QIODevice> m_socket;
    HttpRequest m_origin;
    HttpServer::Handler m_handler;
    Settings m_settings;
    HttpRequestParser m_parser;
    QTimer m_deadline;
    quint64 m_requestNumber = 0;
    bool m_busy = false;
    bool m_streaming = false;
    bool m_draining = false;
    bool m_closing = false;
    bool m_requestStarted = false;
    bool m_sentContinue = false;
    bool m_keepAlive = true;
    bool m_isHead = false;
    bool m_lingers = false;   // refused: read out what follows before closing
    bool m_lingering = false; // doing so
};

/** The connections of one listener, for a limit on their number and a graceful stop. */
class HttpConnectionSet : public QObject
{
public:
    explicit HttpConnectionSet(int limit = 1024, int perPeerLimit = 64)
        : m_limit(limit)
        , m_perPeerLimit(perPeerLimit)
    {}
    /** Serves `socket`, or refuses it with 503 when the limit is reached. */
    void serve(QIODevice *socket, HttpRequest origin, const HttpServer::Handler &handler,
               const HttpConnection::Settings &settings);
    void drain();
    /** Connections that something is owed on (HttpConnection::pending). */
    int pending() const;

private:
    int m_limit;
    int m_perPeerLimit;
    QSet<HttpConnection *> m_connections;
    QHash<QString, int> m_perPeer;
};

} // namespace Portoser
