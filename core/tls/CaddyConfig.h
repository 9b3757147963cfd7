// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Registry.h"

#include <QJsonObject>

namespace Portoser {

/**
 * Caddy's JSON config for the registry (DESIGN.md §9): one route per service with a `hostname`
 * and a port, each with a stable `@id` (`portoser-<service>`) so a move patches just its
 * upstream; reverse proxy to the service's current host and port with active health checks from
 * its HTTP health settings; TLS from the internal CA's certificate for the service or its own
 * `tls_cert`/`tls_key`; client certificates required when it names a `ca_cert` (mTLS); HTTP→HTTPS
 * redirects by Caddy's automatic HTTPS. Caddy 2.6.2 (Debian 12) forgets its admin listener
 * unless every loaded config carries it, and takes client CAs as `trusted_ca_certs` (base64 DER).
 */
class CaddyConfig
{
public:
    /** The route id of a service. */
    static QString routeId(const QString &service);
    /** `certsHome`: where `certs issue` wrote each service's certificate (`<home>/certs/<name>`).
     */
    static Result<QJsonObject> generate(const Registry &registry, const QString &certsHome);
    /** The upstream (`host:port`) a service's route dials now. */
    static QString upstreamOf(const Registry &registry, const Service &service);
};

} // namespace Portoser
