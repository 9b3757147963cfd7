// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "server/HttpConnection.h"
#include "server/HttpServer.h"

#include <QObject>

#include <memory>

class QLocalServer;
class QLocalSocket;

namespace Portoser {

/**
 * The coordinator's door for its own machine: HTTP/1.1 over a Unix socket that only its user can
 * open (0600 in a 0700 directory; the peer's uid is checked again on every connection). Requests
 * carry who connected (`HttpRequest::localUser`, from the socket's peer credentials), go to the
 * same handler as TCP, through the same HTTP layer (HttpConnection). What a plain `portoser --cli`
 * uses when a `--serve` for its registry runs here.
 */
class LocalHttpListener : public QObject
{
    Q_OBJECT

public:
    LocalHttpListener(HttpServer::Handler handler, HttpHeaders commonHeaders,
                      HttpServer::Limits limits, QObject *parent = nullptr);
    ~LocalHttpListener() override;

    /** Listens at `path`. A socket file nobody answers on is replaced; one that answers means
     *  another coordinator serves this registry here, which is an error. */
    Result<void> listen(const QString &path);
    QString path() const { return m_path; }
    /** Stops listening; idle connections close, the others once their answer is sent. */
    void drain();
    /** Connections something is owed on: a request arriving or answered, an answer unsent. */
    int pending() const;

private:
    void accept(QLocalSocket *socket);

    HttpServer::Handler m_handler;
    HttpConnection::Settings m_settings;
    std::unique_ptr<HttpConnectionSet> m_connections;
    std::unique_ptr<QLocalServer> m_server;
    QString m_path;
};

} // namespace Portoser
