// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Registry.h"

#include <QJsonObject>

namespace Portoser {

/**
 * Caddy's JSON config for the registry (docs/tls.md): one route per service with a `hostname`
 * and a port, each with a stable `@id` (`portoser-<service>`) so a move patches just its
 * upstream; reverse proxy to the service's current host and port with active health checks from
 * its HTTP health settings; TLS from the internal CA's certificate for the service or its own
 * `tls_cert`/`tls_key`, refused before Caddy is contacted when it is missing or does not name the
 * route's hostname (Caddy would answer that name with a TLS alert); client certificates required
 * when it names a `ca_cert` (mTLS; `internal`: the internal CA); HTTP→HTTPS redirects of its own on
 * `http_port` that keep a non-default `https_port` (Caddy's automatic ones would point at 443).
 * Caddy 2.6.2 (Debian 12) forgets its admin listener unless every loaded config carries it, and
 * takes client CAs as `trusted_ca_certs` (base64 DER).
 */
class CaddyConfig
{
public:
    /** Where the certificate files are. */
    struct Files
    {
        QString certsHome;  // the internal CA's home on the coordinator
        QString dirOnCaddy; // where Caddy reads them (`<dir>/<service>/server.crt`, .key), when
                            // Caddy runs on another machine; empty: the coordinator's own files
    };
    /** The route id of a service. */
    static QString routeId(const QString &service);
    static Result<QJsonObject> generate(const Registry &registry, const Files &files);
    /** The services that get a route: with a `hostname` and a port. */
    static QList<const Service *> routed(const Registry &registry);
    /** A routed service's certificate and key on the coordinator (its own `tls_cert`/`tls_key`,
     *  else what `certs issue` made for it: CertificateAuthority::serviceDir). */
    static QPair<QString, QString> certificateOf(const Registry &registry, const Service &service,
                                                 const QString &certsHome);
    /** Why `service`'s route must not serve the certificate in `certificateFile`: the names it
     *  has against the name the route serves; empty when it names the hostname, or when the file
     *  is no certificate (Caddy says why when it refuses it). */
    static QString mismatch(const Service &service, const QString &certificateFile);
    /** The upstream (`host:port`) a service's route dials now. */
    static QString upstreamOf(const Registry &registry, const Service &service);
};

} // namespace Portoser
