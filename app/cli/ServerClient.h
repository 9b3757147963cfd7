// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QJsonObject>
#include <QString>

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

    /** One request; an HTTP error becomes an Error with the API's message. */
    Result<QJsonObject> request(const QByteArray &method, const QString &path,
                                const QJsonObject &body = {}) const;

private:
    QString m_base;
    QByteArray m_token;
};

} // namespace Portoser::Cli
