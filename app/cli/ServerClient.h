// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

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

    /** Where it is reached, for messages: the URL or the socket's path. */
    QString where() const { return m_localSocket.isEmpty() ? m_base : m_localSocket; }

    /** One request; an HTTP error becomes an Error with the API's message. */
    Result<QJsonObject> request(const QByteArray &method, const QString &path,
                                const QJsonObject &body = {}) const;

private:
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
    QByteArray m_token;
};

} // namespace Portoser::Cli
