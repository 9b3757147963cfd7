// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/net/BlockingHttp.h"

#include <QJsonObject>

namespace Portoser {

/**
 * Caddy's admin API, synchronously: read the running config with its ETag, load a whole config
 * (Caddy validates it first and keeps the old one when it refuses), or replace one route's
 * upstreams by its `@id`. A load carries `If-Match`, so two coordinators never overwrite each
 * other's change unseen.
 */
class CaddyAdmin
{
public:
    struct Running
    {
        QJsonObject config;
        QByteArray etag;
    };

    explicit CaddyAdmin(QString endpoint);

    Result<Running> current() const;
    /** `reload`: even when the config is the same (files it names changed, e.g. certificates). */
    Result<void> load(const QJsonObject &config, const QByteArray &ifMatch = {},
                      bool reload = false) const;
    Result<void> setUpstream(const QString &routeId, const QString &dial) const;

private:
    Result<HttpAnswer> send(const QByteArray &method, const QString &path,
                            const QByteArray &body = {}, const QByteArray &ifMatch = {},
                            bool reload = false) const;

    QString m_endpoint;
};

} // namespace Portoser
