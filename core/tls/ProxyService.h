// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/deploy/DeployProgress.h"
#include "core/registry/Registry.h"
#include "core/tls/CertificateAuthority.h"

#include <QJsonObject>
#include <QStringList>

namespace Portoser {

class CertificateService;
class HostPool;

/** What Caddy should run for a registry against what it runs now (`proxy plan`). */
struct ProxyPlan
{
    QJsonObject wanted;
    QJsonObject running;
    QByteArray etag;
    QStringList diff;   // ConfigDiff lines; empty when Caddy runs what the registry says
    QStringList issued; // services whose certificate `proxy apply` issued from the CA
    QString createdCa;  // the CA certificate `proxy apply` made, when there was none
};

/** A service's public route: its URL, whether Caddy has it, where it sends traffic. */
struct RouteStatus
{
    QString service;
    QString url;   // https://hostname[:port]/
    QString route; // the Caddy route id
    // ok (points where the service runs, and a request through Caddy got its answer) |
    // stale (points elsewhere) | missing | down (points right, but Caddy answers 502/503/504
    // or nothing) | unchecked (points right; takes only client certificates the coordinator
    // has none for) | unknown (Caddy's admin API did not answer). docs/tls.md has them.
    QString state;
    QString upstream; // what Caddy dials now
    QString wanted;   // what it should dial: the service's current host
    QString detail;   // why the state is down, unchecked or unknown

    QJsonObject toJson() const;
};

/** What `certs renew` did to one certificate. */
struct CertificateRenewal
{
    CertificateInfo certificate; // the new one
    QString installedOn;         // the host it was installed on, if any
    QString error;
};

/**
 * Caddy as the registry's ingress, through its admin API: the config it should run, loading it
 * (with the certificates its routes need), each route's state, a moved service's route, and
 * certificate renewal with the reload it needs.
 */
class ProxyService
{
public:
    ProxyService(HostPool &pool, CertificateService &certificates);

    Result<ProxyPlan> plan(const Registry &registry);
    /** Issues the certificates its routes lack from the internal CA (made on first use),
     *  places them on a remote ingress host, loads the planned config into Caddy when it
     *  differs (If-Match on the ETag read), and keeps it as the last config Caddy accepted
     *  (`~/.portoser/caddy/last-good.json`). */
    Result<ProxyPlan> apply(const Registry &registry);
    /** Per service with a hostname: its route as Caddy runs it and what Caddy answers for it
     *  (one request per route, at once, within 5 s); fails when the admin API does not answer. */
    Result<QList<RouteStatus>> status(const Registry &registry);
    /** As status, but never fails: when Caddy does not answer, each route is `unknown` with the
     *  reason (what a dashboard shows). */
    QList<RouteStatus> routeStatus(const Registry &registry);
    /** Points the service's route at where it runs now (one PATCH by `@id`): after a move. A
     *  proxy that lags is reported as progress, not a failure. */
    void updateRoute(const Registry &registry, const Service &service,
                     const ProgressFn &progress = {});
    /** Re-issues every certificate that expires within `days`, installs each on its service's
     *  host again, and has Caddy reload the files (when the registry names one). */
    Result<QList<CertificateRenewal>> renewCertificates(const Registry &registry, int days);

private:
    /** The ingress host when Caddy runs on another machine than this one, else null. */
    static const Host *remoteIngress(const Registry &registry);
    /** Caddy's config for `registry`; with a remote ingress, its certificates' paths there (put
     *  there first when `shipCertificates`). */
    Result<QJsonObject> caddyConfig(const Registry &registry, bool shipCertificates);
    Result<ProxyPlan> comparedWithCaddy(const Registry &registry,
                                        const Result<QJsonObject> &wanted);

    HostPool &m_pool;
    CertificateService &m_certificates;
};

} // namespace Portoser
