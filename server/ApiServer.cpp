// SPDX-License-Identifier: Apache-2.0
#include "server/ApiServer.h"

#include "core/history/HistoryStore.h"
#include "core/runtime/Coordinator.h"
#include "core/runtime/HealLoop.h"
#include "server/ApiError.h"
#include "server/HttpServer.h"
#include "server/LocalHttpListener.h"
#include "server/McpEndpoint.h"
#include "server/RestRoutes.h"
#include "server/SecretsRoutes.h"

#include <QFile>
#include <QJsonDocument>
#include <QThread>
#include <QTimer>

#include <unistd.h>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

HttpHeaders securityHeaders(bool tls)
{
    HttpHeaders h{{"X-Content-Type-Options", "nosniff"},
                  {"X-Frame-Options", "DENY"},
                  {"Referrer-Policy", "no-referrer"},
                  {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
                  {"Cache-Control", "no-store"}};
    if (tls)
        h.emplaceBack("Strict-Transport-Security", "max-age=31536000");
    return h;
}

/** What a call asked for, for the audit log (the log redacts secrets itself). */
QJsonObject auditArguments(const ApiCall &call)
{
    QJsonObject args;
    for (auto it = call.params.begin(); it != call.params.end(); ++it)
        args.insert(it.key(), it.value());
    for (const auto &[key, value] : call.request.query.queryItems(QUrl::FullyDecoded))
        args.insert(key, value);
    const QJsonDocument body = QJsonDocument::fromJson(call.request.body);
    if (body.isObject())
        args.insert(u"body"_s, body.object());
    return args;
}

qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

} // namespace

ApiServer::ApiServer(Coordinator &coordinator, ApiSettings settings, QObject *parent)
    : QObject(parent)
    , m_coordinator(coordinator)
    , m_settings(std::move(settings))
    , m_rate(m_settings.ratePerSecond, m_settings.rateBurst)
    , m_guard(m_settings.allowedOrigins)
{
    m_uptime.start();
    m_validations.setMaxThreadCount(1);
    addRestRoutes(m_router, *this);
    addSecretsRoutes(m_router, *this);
    m_mcp = std::make_unique<McpEndpoint>(*this);
    m_mcp->addRoutes(m_router);
}

ApiServer::~ApiServer() = default;

Result<quint16> ApiServer::start()
{
    auto store = HistoryStore::open(m_coordinator.settings().databasePath.isEmpty()
                                        ? Database::defaultPath()
                                        : m_coordinator.settings().databasePath);
    if (!store)
        return store.error();
    m_store = std::move(*store);
    m_tokens = std::make_unique<TokenStore>(m_store->connectionName());
    m_audit = std::make_unique<AuditLog>(m_store->connectionName());
    m_auth = std::make_unique<Authenticator>(*m_tokens, m_settings.address.isLoopback());
    if (m_settings.oidc.enabled()) {
        if (const auto problem = m_settings.oidc.problem())
            return Error{ErrorCode::InvalidInput, *problem};
        m_oidc = std::make_unique<OidcVerifier>(m_settings.oidc);
        // An issuer that is down now must not keep the watchdog from starting: the keys are
        // fetched again when the first token arrives.
        if (auto loaded = m_oidc->loadKeys(); !loaded)
            qWarning("portoser --serve: %s", qUtf8Printable(loaded.error().message));
        m_auth->setJwtVerifier([this](const QByteArray &jwt) { return m_oidc->verify(jwt); });
    }
    if (!m_settings.address.isLoopback() && !m_auth->authConfigured())
        return Error{ErrorCode::PermissionDenied,
                     u"refusing to listen on %1 without authentication: create a token first "
                     "(portoser --cli token create --role admin --name NAME) or configure an "
                     "OIDC issuer, or listen on 127.0.0.1"_s.arg(m_settings.address.toString())};

    const bool tls = !m_settings.tlsCertificate.isEmpty();
    const HttpServer::Limits limits{m_settings.maxBodyBytes, m_settings.idleTimeoutSeconds};
    m_http = std::make_unique<HttpServer>(
        [this](const HttpRequest &r, const std::shared_ptr<HttpExchange> &e) { handle(r, e); },
        securityHeaders(tls), limits);
    if (tls) {
        if (auto ok = m_http->setTls(m_settings.tlsCertificate, m_settings.tlsKey); !ok)
            return ok.error();
    }
    auto port = m_http->listen(m_settings.address, m_settings.port);
    if (port && !m_settings.localSocket.isEmpty()) {
        m_local = std::make_unique<LocalHttpListener>(
            [this](const HttpRequest &r, const std::shared_ptr<HttpExchange> &e) { handle(r, e); },
            securityHeaders(false), limits);
        // Without it the CLI here connects to the hosts itself, as it always could: say why.
        if (auto ok = m_local->listen(m_settings.localSocket); !ok) {
            qWarning("portoser --serve: no local socket: %s", qUtf8Printable(ok.error().message));
            m_local.reset();
        }
    }
    return port;
}

void ApiServer::drain(int deadlineMs, std::function<void()> done)
{
    if (m_http)
        m_http->drain();
    if (m_local)
        m_local->drain();
    auto *poll = new QTimer(this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(poll, &QTimer::timeout, this, [this, poll, clock, deadlineMs, done] {
        const int owed = (m_http ? m_http->pending() : 0) + (m_local ? m_local->pending() : 0);
        if (owed > 0 && clock->elapsed() < deadlineMs)
            return;
        poll->deleteLater();
        done();
    });
    poll->start(20);
}

void ApiServer::setWatchdog(HealLoop *watchdog)
{
    m_watchdog = watchdog;
    if (!watchdog)
        return;
    connect(watchdog, &HealLoop::observed, this,
            [this](const QList<HostState> &hosts) { m_coordinator.status().update(hosts); });
    connect(watchdog, &HealLoop::event, this, [this](const HealEvent &e) {
        const QJsonObject data = toJson(e);
        m_metrics.recordHealEvent(data.value(u"kind"_s).toString());
        m_coordinator.events().publish(u"heal"_s, data);
    });
}

QList<OperatorTool> ApiServer::operatorTools() const
{
    if (!m_store)
        return {};
    auto tools = OperatorToolStore(m_store->connectionName()).list();
    return tools ? *tools : QList<OperatorTool>();
}

bool ApiServer::isOpen()
{
    return m_auth && m_settings.address.isLoopback() && !m_auth->authConfigured();
}

QByteArray ApiServer::metricsText()
{
    QMap<QString, GaugeFamily> g;
    g[u"portoser_up"_s] = {u"1 while this coordinator answers."_s, {}};
    g[u"portoser_up"_s].add(1);
    g[u"portoser_uptime_seconds"_s] = {u"Seconds since this coordinator started."_s, {}};
    g[u"portoser_uptime_seconds"_s].add(double(m_uptime.elapsed()) / 1000.0);
    g[u"portoser_jobs_running"_s] = {u"Jobs (deploys, restarts, ...) running now."_s, {}};
    g[u"portoser_jobs_running"_s].add(m_coordinator.jobs().running());
    g[u"portoser_event_last_id"_s] = {u"The id of the newest event on the event stream."_s, {}};
    g[u"portoser_event_last_id"_s].add(double(m_coordinator.events().lastId()));
    g[u"process_resident_memory_bytes"_s] = {u"Resident memory of this process."_s, {}};
    g[u"process_resident_memory_bytes"_s].add(double(residentBytes()));
    g[u"portoser_watchdog_running"_s] = {u"1 while the watchdog observes and heals."_s, {}};
    g[u"portoser_watchdog_running"_s].add(
        m_watchdog && !m_watchdog->isPaused() && !m_watchdog->isObserveOnly() ? 1 : 0);

    // The last observation of each host and service (the status cache): one series per host or
    // service, labelled, so a Prometheus scrape of this endpoint covers the whole cluster.
    const QMap<QString, ServiceState> services = m_coordinator.status().services();
    QMap<QString, int> states;
    GaugeFamily up{u"1 when the service runs and passes its check, 0 otherwise (last "
                   "observation)."_s,
                   {}};
    GaugeFamily starts{u"Starts of the service since its release was deployed."_s, {}};
    GaugeFamily uptime{u"Seconds since the service's last start (0 when not running)."_s, {}};
    for (const Service &s : m_coordinator.registry().services) {
        const auto state = services.constFind(s.name);
        states[state == services.cend() ? u"unknown"_s : state->state]++;
        if (state == services.cend())
            continue;
        const QMap<QString, QString> labels{{u"service"_s, s.name}, {u"host"_s, s.currentHost}};
        up.add(state->isWell() ? 1 : 0, labels);
        starts.add(state->starts, labels);
        uptime.add(state->state == u"running"_s ? double(state->uptimeSeconds) : 0, labels);
    }
    g[u"portoser_services"_s] = {u"Services by their last observed state."_s, {}};
    for (auto it = states.begin(); it != states.end(); ++it)
        g[u"portoser_services"_s].add(it.value(), {{u"state"_s, it.key()}});
    g[u"portoser_service_up"_s] = up;
    g[u"portoser_service_starts"_s] = starts;
    g[u"portoser_service_uptime_seconds"_s] = uptime;

    GaugeFamily reachable{u"1 when the host answered its last observation over SSH."_s, {}};
    GaugeFamily roundTrip{u"The last observation's round trip to the host, connect included "
                          "when it had to connect."_s,
                          {}};
    GaugeFamily load{u"The host's 1-minute load average."_s, {}};
    GaugeFamily memory{u"Share of the host's memory in use (0-1)."_s, {}};
    GaugeFamily swap{u"Share of the host's swap in use (0-1)."_s, {}};
    GaugeFamily disk{u"Share of the file system of the host's base path in use (0-1)."_s, {}};
    GaugeFamily diskFree{u"Bytes free on the file system of the host's base path."_s, {}};
    GaugeFamily inodes{u"Share of the inodes of that file system in use (0-1)."_s, {}};
    for (const HostState &h : m_coordinator.status().hosts()) {
        const QMap<QString, QString> labels{{u"host"_s, h.host}};
        reachable.add(h.reachable ? 1 : 0, labels);
        if (!h.reachable)
            continue;
        roundTrip.add(double(h.roundTripMs) / 1000.0, labels);
        if (h.load1 >= 0)
            load.add(h.load1, labels);
        if (h.memTotalKb > 0 && h.memAvailKb >= 0)
            memory.add(double(h.memTotalKb - h.memAvailKb) / double(h.memTotalKb), labels);
        if (h.swapTotalKb > 0 && h.swapFreeKb >= 0)
            swap.add(double(h.swapTotalKb - h.swapFreeKb) / double(h.swapTotalKb), labels);
        if (h.diskUsedPct >= 0)
            disk.add(h.diskUsedPct / 100.0, labels);
        if (h.diskAvailKb >= 0)
            diskFree.add(double(h.diskAvailKb) * 1024.0, labels);
        if (h.inodeUsedPct >= 0)
            inodes.add(h.inodeUsedPct / 100.0, labels);
    }
    g[u"portoser_host_reachable"_s] = reachable;
    g[u"portoser_host_ssh_round_trip_seconds"_s] = roundTrip;
    g[u"portoser_host_load1"_s] = load;
    g[u"portoser_host_memory_used_ratio"_s] = memory;
    g[u"portoser_host_swap_used_ratio"_s] = swap;
    g[u"portoser_host_disk_used_ratio"_s] = disk;
    g[u"portoser_host_disk_free_bytes"_s] = diskFree;
    g[u"portoser_host_inodes_used_ratio"_s] = inodes;
    return m_metrics.render(g);
}

void ApiServer::audit(const AuditEntry &entry)
{
    if (!m_audit)
        return;
    if (auto ok = m_audit->append(entry); !ok)
        qWarning("portoser --serve: %s", qUtf8Printable(ok.error().message));
}

void ApiServer::handle(const HttpRequest &request, const std::shared_ptr<HttpExchange> &exchange,
                       bool keysRefreshed)
{
    QElapsedTimer clock;
    clock.start();
    auto call = std::make_shared<ApiCall>();
    call->request = request;
    call->principal.address = request.peer.toString(); // who it is comes later, where from now
    call->principal.name = u"unauthenticated"_s;       // what the audit says of a refused call
    call->exchange = exchange;
    bool pathKnown = false;
    const Route *route = m_router.match(request.method, request.path, call->params, pathKnown);
    const QString routeName = route ? route->pattern : u"(none)"_s;
    const bool audited = route && route->audited;

    // Answers once, on this thread: metrics, and for a mutating route the audit entry.
    std::weak_ptr<ApiCall> weak = call;
    const QByteArray method = request.method;
    call->finish = [this, weak, exchange, clock, routeName, method,
                    audited](const HttpResponse &r) {
        auto done = [this, weak, exchange, clock, routeName, method, audited, r] {
            exchange->respond(r);
            m_metrics.recordRequest(routeName, method, r.status,
                                    double(clock.nsecsElapsed()) / 1e9);
            const auto c = weak.lock();
            if (!audited || !c)
                return;
            QString outcome = r.status < 400 ? u"ok"_s : u"failed"_s;
            if (r.status == 401 || r.status == 403)
                outcome = u"denied"_s;
            if (r.status >= 400) {
                const QString message = QJsonDocument::fromJson(r.body)
                                            .object()
                                            .value(u"error"_s)
                                            .toObject()
                                            .value(u"message"_s)
                                            .toString();
                if (!message.isEmpty())
                    outcome += u": "_s + message;
            }
            audit(auditEntry(c->principal,
                             QString::fromLatin1(c->request.method) + u' ' + routeName,
                             auditArguments(*c), r.status, outcome, clock.elapsed()));
        };
        if (QThread::currentThread() == thread())
            done();
        else
            QMetaObject::invokeMethod(this, done);
    };

    const QString client = request.peer.toString();
    // The local socket's callers are this user (checked by uid); TCP clients cannot drain them.
    if (request.localUser.isEmpty() && !m_rate.allow(client)) {
        HttpResponse r = ApiError::response(429, u"rate_limited"_s,
                                            u"too many requests from %1; slow down"_s.arg(client));
        r.headers.emplaceBack("Retry-After", QByteArray::number(m_rate.retryAfterSeconds(client)));
        return call->finish(r);
    }
    const bool open =
        request.localUser.isEmpty() && m_settings.address.isLoopback() && !m_auth->authConfigured();
    if (auto refused = m_guard.refusal(request, open))
        return call->finish(*refused);
    if (!route) {
        if (pathKnown)
            return call->fail(405, u"method_not_allowed"_s,
                              u"%1 is not allowed on %2"_s.arg(QString::fromLatin1(request.method),
                                                               request.path));
        return call->fail(404, u"not_found"_s, u"no route %1"_s.arg(request.path));
    }
    if (!request.localUser.isEmpty()) {
        // The local socket's peer credentials said who: the user this coordinator runs as.
        call->principal =
            Principal{u"local:"_s + request.localUser, Role::Admin, u"local"_s, u"unix socket"_s};
    } else if (route->open) {
        call->principal =
            Principal{u"anonymous"_s, Role::Viewer, u"open"_s, request.peer.toString()};
    } else {
        auto who = m_auth->authenticate(request.header("Authorization"));
        if (!who && who.error().code == ErrorCode::NotFound && m_oidc && !keysRefreshed) {
            // A key id we have not seen: the issuer may have rotated its keys.
            return m_oidc->refreshKeys(
                [this, request, exchange] { handle(request, exchange, true); });
        }
        if (!who) {
            HttpResponse r = ApiError::response(401, u"unauthorized"_s, who.error().message);
            r.headers.emplaceBack("WWW-Authenticate", "Bearer realm=\"portoser\"");
            return call->finish(r);
        }
        call->principal = *who;
        call->principal.address = request.peer.toString();
        if (!who->may(route->role))
            return call->fail(
                403, u"forbidden"_s,
                u"%1 has role %2; %3 %4 needs %5"_s.arg(who->name, toString(who->role),
                                                        QString::fromLatin1(request.method),
                                                        route->pattern, toString(route->role)));
    }
    route->handler(call);
}

} // namespace Portoser
