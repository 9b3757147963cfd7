// SPDX-License-Identifier: Apache-2.0
#include "core/tls/ProxyService.h"

#include "core/deploy/ConfigDiff.h"
#include "core/deploy/HostPool.h"
#include "core/deploy/RemoteScripts.h"
#include "core/tls/CaddyAdmin.h"
#include "core/tls/CaddyConfig.h"
#include "core/tls/CertificateService.h"
#include "core/tls/RouteCheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSslCertificate>
#include <QUrl>

#include <algorithm>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

ProxyService::ProxyService(HostPool &pool, CertificateService &certificates)
    : m_pool(pool)
    , m_certificates(certificates)
{}

Result<QList<CertificateRenewal>> ProxyService::renewCertificates(const Registry &registry,
                                                                  int days)
{
    CertificateAuthority ca = m_certificates.authority();
    auto all = ca.list();
    if (!all)
        return all.error();
    const QString registryId = CertificateAuthority::registryId(registry);
    QList<CertificateRenewal> done;
    for (const CertificateInfo &c : std::as_const(*all)) {
        // This registry's, and the old flat layout's (renewed where they are); another
        // registry's are renewed, installed and reloaded by that registry's own `certs renew`.
        if (c.isCa || c.daysLeft() >= days || (!c.isLegacy() && c.registryId != registryId))
            continue;
        CertificateRenewal r;
        auto fresh = ca.reissue(c);
        if (!fresh) {
            r.certificate = c;
            r.error = fresh.error().message;
            done.append(r);
            continue;
        }
        r.certificate = *fresh;
        const Service *s = registry.service(c.service);
        const QString dir = QFileInfo(c.file).absolutePath();
        if (s && QFileInfo(ca.serviceDir(registry, *s)).absoluteFilePath() == dir) {
            if (auto installed = m_certificates.install(registry, s->name))
                r.installedOn = s->currentHost;
            else
                r.error = installed.error().message;
        }
        done.append(r);
    }
    if (!done.isEmpty() && registry.caddy.present) {
        auto wanted = caddyConfig(registry, true);
        if (!wanted)
            return wanted.error();
        if (auto loaded = CaddyAdmin(registry.caddy.adminEndpoint).load(*wanted, {}, true); !loaded)
            return loaded.error();
    }
    return done;
}

void ProxyService::updateRoute(const Registry &registry, const Service &service,
                               const ProgressFn &progress)
{
    if (!registry.caddy.present || service.hostname.isEmpty() || !service.effectivePort())
        return;
    const QString dial = CaddyConfig::upstreamOf(registry, service);
    const auto patched = CaddyAdmin(registry.caddy.adminEndpoint)
                             .setUpstream(CaddyConfig::routeId(service.name), dial);
    // The service already runs where it should: a proxy that lags is reported, not a failure.
    if (progress)
        progress({service.name, service.currentHost, DeployStep::Proxy,
                  patched ? QStringLiteral("route %1 now sends %2 to %3")
                                .arg(CaddyConfig::routeId(service.name), service.hostname, dial)
                          : QStringLiteral("route not updated (%1); run `proxy apply`")
                                .arg(patched.error().message)});
}

const Host *ProxyService::remoteIngress(const Registry &registry)
{
    const Host *host = registry.host(registry.caddy.ingressHost);
    return host && !host->isLocal() ? host : nullptr;
}

Result<QJsonObject> ProxyService::caddyConfig(const Registry &registry, bool shipCertificates)
{
    CaddyConfig::Files files{CertificateAuthority::defaultHome(), {}};
    const Host *ingress = remoteIngress(registry);
    if (!ingress)
        return CaddyConfig::generate(registry, files);
    // Caddy runs on another machine: it reads the certificates from there, under the ingress
    // host's own .portoser/_caddy/certs/<registry id>/<service>/ (two registries' Caddys on one
    // host never read each other's). One script says where that is (its base resolved, nothing
    // written for a plan) and, when shipping, puts them there (keys 0600).
    const QString registryId = CertificateAuthority::registryId(registry);
    QString script =
        u"b=$(cd %1 && pwd -P) || exit 1\nprintf 'dir=%s/.portoser/_caddy/certs\\n' \"$b\"\n"_s.arg(
            RemoteScripts::pathExpression(ingress->path));
    if (shipCertificates) {
        for (const Service *s : CaddyConfig::routed(registry)) {
            const auto [certFile, keyFile] =
                CaddyConfig::certificateOf(registry, *s, files.certsHome);
            QFile cert(certFile), key(keyFile);
            if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly)
                || !CaddyConfig::mismatch(*s, certFile).isEmpty())
                continue; // generate() names what is missing or wrong
            script += RemoteScripts::installFiles(
                *ingress, u"_caddy"_s, u"certs/%1/%2"_s.arg(registryId, s->name),
                {{u"server.crt"_s, cert.readAll(), false}, {u"server.key"_s, key.readAll(), true}});
        }
    }
    auto ran = m_pool.worker(*ingress).runScript(script, std::chrono::seconds(30));
    if (!ran)
        return ran.error();
    const QString dir = RemoteScripts::parseKeyValues(ran->out).value(u"dir"_s);
    if (ran->exitCode != 0 || dir.isEmpty())
        return Error{ErrorCode::Failed,
                     u"ingress host %1: cannot place the certificates for Caddy: %2"_s.arg(
                         ingress->name, QString::fromUtf8(ran->err).trimmed())};
    files.dirOnCaddy = dir + u'/' + registryId;
    return CaddyConfig::generate(registry, files);
}

Result<ProxyPlan> ProxyService::comparedWithCaddy(const Registry &registry,
                                                  const Result<QJsonObject> &wanted)
{
    if (!wanted)
        return wanted.error();
    auto running = CaddyAdmin(registry.caddy.adminEndpoint).current();
    if (!running)
        return running.error();
    ProxyPlan plan{*wanted, running->config, running->etag, {}, {}, {}};
    plan.diff = ConfigDiff::between(plan.running, plan.wanted);
    return plan;
}

Result<ProxyPlan> ProxyService::plan(const Registry &registry)
{
    return comparedWithCaddy(registry, caddyConfig(registry, false));
}

Result<ProxyPlan> ProxyService::apply(const Registry &registry)
{
    // What the routes need from the internal CA and do not have yet is issued first; the CA
    // itself is made on first use, as Caddy's own internal issuer would (trusting it anywhere
    // stays the operator's decision: `certs trust`).
    QStringList issued;
    QString createdCa;
    CertificateAuthority ca = m_certificates.authority();
    const auto routes = CaddyConfig::routed(registry);
    const bool needsCa = std::any_of(routes.cbegin(), routes.cend(),
                                     [](const Service *s) { return s->tlsCert.isEmpty(); });
    if (needsCa && !ca.exists()) {
        auto made = ca.init(u"Portoser internal CA"_s, KeyType::EcP256, 3650);
        if (!made)
            return made.error();
        createdCa = ca.caCertFile();
    }
    if (needsCa) {
        for (const Service *s : routes) {
            const auto [cert, key] = CaddyConfig::certificateOf(registry, *s, ca.home());
            if (s->tlsCert.isEmpty() && !QFile::exists(cert)) {
                if (auto made = m_certificates.issue(registry, s->name, false, KeyType::EcP256, 0);
                    !made)
                    return made.error();
                issued.append(s->name);
            }
        }
    }
    auto plan = comparedWithCaddy(registry, caddyConfig(registry, true));
    if (!plan)
        return plan;
    plan->issued = issued;
    plan->createdCa = createdCa;
    if (plan->diff.isEmpty())
        return plan;
    if (auto loaded = CaddyAdmin(registry.caddy.adminEndpoint).load(plan->wanted, plan->etag);
        !loaded)
        return loaded.error();
    QSaveFile lastGood(CertificateAuthority::defaultHome() + u"/caddy/last-good.json"_s);
    QDir().mkpath(QFileInfo(lastGood.fileName()).absolutePath());
    if (lastGood.open(QIODevice::WriteOnly)) {
        lastGood.write(QJsonDocument(plan->wanted).toJson());
        (void)lastGood.commit();
    }
    return plan;
}

QJsonObject RouteStatus::toJson() const
{
    QJsonObject json{{u"service"_s, service}, {u"url"_s, url},           {u"route"_s, route},
                     {u"state"_s, state},     {u"upstream"_s, upstream}, {u"wanted"_s, wanted}};
    if (!detail.isEmpty())
        json.insert(u"detail"_s, detail);
    return json;
}

namespace {

/** Each routed service's route as the registry wants it; state and upstream not known yet. */
QList<RouteStatus> wantedRoutes(const Registry &registry)
{
    QList<RouteStatus> routes;
    const int port = registry.caddy.httpsPort;
    for (const Service &s : registry.services) {
        if (s.hostname.isEmpty() || !s.effectivePort())
            continue;
        RouteStatus r;
        r.service = s.name;
        r.url = u"https://%1%2/"_s.arg(s.hostname, port == 443 ? QString() : u":%1"_s.arg(port));
        r.route = CaddyConfig::routeId(s.name);
        r.wanted = CaddyConfig::upstreamOf(registry, s);
        routes.append(r);
    }
    return routes;
}

/** Where this coordinator reaches Caddy's HTTPS listener: the ingress host's address, else the
 *  admin endpoint's host (loopback when that listens on every address). */
QString caddyAddress(const Registry &registry)
{
    if (const Host *ingress = registry.host(registry.caddy.ingressHost))
        return ingress->address();
    const QString endpoint = registry.caddy.adminEndpoint;
    const QString host =
        QUrl(endpoint.contains(u"://"_s) ? endpoint : u"http://"_s + endpoint).host();
    return host.isEmpty() || host == u"0.0.0.0"_s || host == u"::"_s ? u"127.0.0.1"_s : host;
}

/** A client certificate (and its key) from the internal CA for asking a route that requires
 *  one: the service's own, else any of the registry's; empty when there is none. */
QPair<QString, QString> clientCertificateFor(const Registry &registry, const Service &service)
{
    const CertificateAuthority ca;
    QStringList dirs{ca.serviceDir(registry, service)};
    const QDir mine(ca.certsDir(CertificateAuthority::registryId(registry), QString()));
    for (const QString &d : mine.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        dirs.append(mine.filePath(d));
    for (const QString &dir : std::as_const(dirs)) {
        const QString cert = dir + u"/client.crt"_s, key = dir + u"/client.key"_s;
        if (QFile::exists(cert) && QFile::exists(key))
            return {cert, key};
    }
    return {};
}

/**
 * Asks Caddy for each route whose config is right (`ok` so far) as a client would: a route Caddy
 * answers with 502, 503 or 504 (no upstream answered) or not at all is `down`, with why; one
 * that takes only client certificates this coordinator has none for is `unchecked`.
 */
void checkThroughCaddy(const Registry &registry, QList<RouteStatus> &routes)
{
    const CertificateAuthority ca;
    const QList<QSslCertificate> internalCa = QSslCertificate::fromPath(ca.caCertFile());
    QList<RouteCheck::Request> requests;
    QList<RouteStatus *> asked;
    for (RouteStatus &r : routes) {
        const Service *s = registry.service(r.service);
        if (r.state != u"ok"_s || !s)
            continue;
        RouteCheck::Request request;
        request.hostname = s->hostname;
        const bool http =
            s->health.type == HealthCheck::Type::Http
            || (s->health.type == HealthCheck::Type::Auto && !s->healthcheckUrl.isEmpty());
        if (http && s->health.path.startsWith(u'/'))
            request.path = s->health.path; // what Caddy's own health checks ask for
        request.ownCertificate = !s->tlsCert.isEmpty();
        if (!s->caCert.isEmpty()) {
            const bool internal =
                s->caCert == u"internal"_s
                || (!internalCa.isEmpty()
                    && QSslCertificate::fromPath(s->caCert).contains(internalCa.first()));
            const auto [cert, key] =
                internal ? clientCertificateFor(registry, *s) : QPair<QString, QString>();
            if (cert.isEmpty()) {
                r.state = u"unchecked"_s;
                r.detail =
                    internal
                        ? u"the route takes only clients with a certificate from the internal CA "
                          "and this coordinator has none to ask with (`portoser --cli certs issue "
                          "%1 --client` makes one)"_s.arg(s->name)
                        : u"the route takes only clients with a certificate from %1 and this "
                          "coordinator has none to ask with"_s.arg(s->caCert);
                continue;
            }
            request.clientCertificate = cert;
            request.clientKey = key;
        }
        requests.append(request);
        asked.append(&r);
    }
    if (requests.isEmpty())
        return;
    const RouteCheck check(caddyAddress(registry), registry.caddy.httpsPort, internalCa);
    const std::vector<Result<int>> answers = check.run(requests);
    for (qsizetype i = 0; i < asked.size(); ++i) {
        RouteStatus &r = *asked.at(i);
        const Result<int> &answer = answers.at(size_t(i));
        if (!answer) {
            r.state = u"down"_s;
            r.detail = answer.error().message;
        } else if (RouteCheck::upstreamFailed(*answer)) {
            r.state = u"down"_s;
            r.detail = u"Caddy at %1 answers %2 %3: its upstream %4 does not answer"_s.arg(
                check.listener(), QString::number(*answer),
                requests.at(i).hostname + requests.at(i).path, r.upstream);
        }
    }
}

} // namespace

Result<QList<RouteStatus>> ProxyService::status(const Registry &registry)
{
    auto running = CaddyAdmin(registry.caddy.adminEndpoint).current();
    if (!running)
        return running.error();
    QMap<QString, QString> dials; // route id -> upstream Caddy dials
    const QJsonArray routes =
        running->config[u"apps"_s][u"http"_s][u"servers"_s][u"portoser"_s][u"routes"_s].toArray();
    for (const QJsonValue &r : routes)
        dials.insert(r[u"@id"_s].toString(),
                     r[u"handle"_s][0][u"upstreams"_s][0][u"dial"_s].toString());
    QList<RouteStatus> out = wantedRoutes(registry);
    for (RouteStatus &r : out) {
        r.upstream = dials.value(r.route);
        r.state = !dials.contains(r.route) ? u"missing"_s
                  : r.upstream != r.wanted ? u"stale"_s
                                           : u"ok"_s;
    }
    // The config says where a route points, not whether anything answers there.
    checkThroughCaddy(registry, out);
    return out;
}

QList<RouteStatus> ProxyService::routeStatus(const Registry &registry)
{
    auto status = this->status(registry);
    if (status)
        return *status;
    QList<RouteStatus> unknown = wantedRoutes(registry);
    for (RouteStatus &r : unknown) {
        r.state = u"unknown"_s;
        r.detail = status.error().message;
    }
    return unknown;
}

} // namespace Portoser
