// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/net/SseParser.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

class QLocalSocket;
class QNetworkAccessManager;
class QNetworkReply;

namespace Portoser::Cli {

/**
 * The CLI as a client of a running `--serve` (`--server URL` or $PORTOSER_SERVER), so a command
 * reuses the coordinator's open SSH sessions instead of connecting to every host itself. The
 * token comes from $PORTOSER_TOKEN only: never from argv, where process lists show it.
 */
class ServerClient
{
public:
    explicit ServerClient(QString baseUrl);
    /** The coordinator of `registryPath` on this machine, over its local socket, when one answers
     *  there now (it knows who we are from the socket: no token is sent). */
    static std::optional<ServerClient> local(const QString &registryPath);

    /** Said after an error when the coordinator cannot be reached (why this one was asked). */
    void setHint(const QString &hint) { m_hint = hint; }
    /** Whether PORTOSER_TOKEN goes with each request (not over plain http to another machine). */
    void setSendToken(bool send) { m_sendToken = send; }
    /** The token is held back (`why`, said with a 401 so the user knows what to change). */
    void withholdToken(const QString &why)
    {
        m_sendToken = false;
        m_withheld = why;
    }

    /** Where it is reached, for messages: the URL or the socket's path. */
    QString where() const { return m_localSocket.isEmpty() ? m_base : m_localSocket; }

    /** One request; an HTTP error becomes an Error with the API's message. */
    Result<QJsonObject> request(const QByteArray &method, const QString &path,
                                const QJsonObject &body = {}) const;

private:
    friend class EventStream;
    ServerClient() = default;
    struct Answer
    {
        int status = 0; // 0: no answer
        QByteArray body;
        QString error;
    };
    Answer overHttp(const QByteArray &method, const QString &path, const QByteArray &body) const;
    Answer overLocalSocket(const QByteArray &method, const QString &path,
                           const QByteArray &body) const;

    QString m_base;
    QString m_localSocket;
    QString m_hint;
    bool m_sendToken = true;
    QString m_withheld;
    QByteArray m_token;
};

/**
 * The coordinator's event stream (`/api/v1/events`), held open while the CLI follows a job, so
 * it asks for the job again only when the coordinator says something happened. Over TCP or the
 * local socket, whichever the client uses.
 */
class EventStream
{
public:
    /** Opens the stream of `types` ("job"); isOpen() says whether the coordinator took it. */
    EventStream(const ServerClient &server, const QString &types);
    ~EventStream();
    Q_DISABLE_COPY_MOVE(EventStream)

    bool isOpen() const;
    /** Waits until at least one event arrives, at most `timeoutMs`; the events (none on a
     *  timeout or when the stream has closed). */
    QList<SseEvent> wait(int timeoutMs);

private:
    void take(const QByteArray &bytes);

    std::unique_ptr<QNetworkAccessManager> m_network;
    QNetworkReply *m_reply = nullptr;
    std::unique_ptr<QLocalSocket> m_socket;
    bool m_headRead = false;
    QByteArray m_head;
    SseParser m_parser;
    QList<SseEvent> m_ready;
};

} // namespace Portoser::Cli
