// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ServiceObserver.h"

#include "core/deploy/RemoteScripts.h"

#include <QElapsedTimer>

namespace Portoser {

using namespace std::chrono_literals;
using namespace Qt::Literals::StringLiterals;

namespace {

qint64 number(const QMap<QString, QString> &kv, const QString &key, qint64 missing = -1)
{
    bool ok = false;
    const qint64 n = kv.value(key).toLongLong(&ok);
    return ok ? n : missing;
}

ServiceState serviceState(const Service &s, const QString &host, const QMap<QString, QString> &kv)
{
    ServiceState state;
    state.service = s.name;
    state.host = host;
    state.state = kv.value(u"state"_s, u"unknown"_s);
    state.release = kv.value(u"current"_s);
    state.pid = number(kv, u"pid"_s, 0);
    state.uptimeSeconds = number(kv, u"uptime"_s, 0);
    state.startedAt = number(kv, u"started_at"_s, 0);
    state.health = kv.value(u"health"_s);
    state.healthDetail = kv.value(u"health_detail"_s);
    state.stoppedBy = kv.value(u"stopped_by"_s);
    state.stalePid = kv.value(u"stale_pid"_s) == u"1"_s;
    state.zombie = kv.value(u"zombie"_s) == u"1"_s;
    if (const qint64 status = number(kv, u"exit_status"_s); status >= 0)
        state.exitStatus = int(status);
    state.exitAt = number(kv, u"exit_at"_s, 0);
    state.recentExits = int(number(kv, u"recent_exits"_s, 0));
    state.starts = int(number(kv, u"starts"_s, 0));
    state.containerState = kv.value(u"container_state"_s);
    state.oomKilled = kv.value(u"oom_killed"_s) == u"1"_s;
    state.containerRestarts = int(number(kv, u"restarts"_s, 0));
    if (kv.value(u"docker_down"_s) == u"1"_s)
        state.dockerError = kv.value(u"docker_error"_s, u"the docker daemon does not answer"_s);
    for (int i = 1; kv.contains(u"log_%1"_s.arg(i)); ++i)
        state.logTail.append(kv.value(u"log_%1"_s.arg(i)));
    return state;
}

void readHostFacts(HostState &host, const QMap<QString, QString> &kv)
{
    host.os = kv.value(u"os"_s);
    host.arch = kv.value(u"arch"_s);
    host.diskUsedPct = int(number(kv, u"disk_used_pct"_s));
    host.diskAvailKb = number(kv, u"disk_avail_kb"_s);
    host.inodeUsedPct = int(number(kv, u"inode_used_pct"_s));
    host.memTotalKb = number(kv, u"mem_total_kb"_s);
    host.memAvailKb = number(kv, u"mem_avail_kb"_s);
    host.swapTotalKb = number(kv, u"swap_total_kb"_s);
    host.swapFreeKb = number(kv, u"swap_free_kb"_s);
    bool ok = false;
    host.load1 = kv.value(u"load1"_s).toDouble(&ok);
    if (!ok)
        host.load1 = -1;
    host.docker = kv.value(u"docker"_s);
    for (auto it = kv.cbegin(); it != kv.cend(); ++it) {
        if (!it.key().startsWith(u"listen_"_s))
            continue;
        const QStringList words = it.value().split(u' ');
        host.listeners.insert(
            it.key().mid(7).toInt(),
            {words.value(0).toLongLong(), words.value(1).toLongLong(), words.mid(2).join(u' ')});
    }
}

} // namespace

HostState ServiceObserver::observeOn(Transport &transport, const Host &host,
                                     const QList<Service> &services,
                                     const RemoteScripts::ObserveScope &asked)
{
    QList<RemoteScripts::StatusQuery> probes;
    RemoteScripts::ObserveScope scope = asked;
    const bool hostFacts = scope.hostFacts;
    for (const Service &s : services) {
        probes.append({s.name, HealthProbe::forService(s), Runtime::forService(s),
                       s.effectivePort().value_or(0)});
        scope.docker |= hostFacts && s.type == DeploymentType::Docker;
        scope.exitWindowSeconds = std::max(scope.exitWindowSeconds, s.heal.windowSeconds);
    }
    QElapsedTimer clock;
    clock.start();
    scope.curlBatch = transport.curlBatch;
    const auto result = transport.run(RemoteScripts::observe(host, probes, scope), 60s);
    HostState state;
    state.host = host.name;
    state.roundTripMs = clock.elapsed();
    state.reachable = bool(result);
    if (!result) {
        state.errorCode = result.error().code;
        state.error = result.error().message;
    }
    const QByteArray out = result ? result->out : QByteArray();
    const qsizetype firstService = out.startsWith("service=") ? 0 : out.indexOf("\nservice=");
    const auto sections = RemoteScripts::parseSections(out, u"service"_s);
    auto facts = RemoteScripts::parseKeyValues(firstService < 0 ? out : out.left(firstService));
    facts.insert(sections.value(u"@listeners"_s));
    readHostFacts(state, facts);
    if (const QString batch = facts.value(u"curl_batch"_s); batch == u"1"_s || batch == u"0"_s)
        transport.curlBatch = batch; // asked once per session, not on every observation
    for (const Service &s : services) {
        ServiceState service = serviceState(s, host.name, sections.value(s.name));
        if (!result) {
            service.state = u"unreachable"_s;
            service.error = state.error;
        }
        state.services.append(service);
    }
    return state;
}

QList<HostState> ServiceObserver::run(const Registry &registry, const QStringList &services,
                                      const QStringList &hosts,
                                      const RemoteScripts::ObserveScope &scope)
{
    QMap<QString, QList<Service>> byHost;
    for (const QString &name : hosts) {
        if (registry.host(name))
            byHost[name];
    }
    for (const QString &name : services) {
        const Service *s = registry.service(name);
        if (s && registry.host(s->currentHost))
            byHost[s->currentHost].append(*s);
    }
    QList<QFuture<HostState>> pending;
    for (auto it = byHost.cbegin(); it != byHost.cend(); ++it) {
        const Host host = *registry.host(it.key());
        const QList<Service> onHost = it.value();
        pending.append(m_pool.worker(host).submit<HostState>(
            [host, onHost, scope](Transport &t) { return observeOn(t, host, onHost, scope); }));
    }
    QList<HostState> states;
    for (auto &future : pending)
        states.append(future.result());
    return states;
}

QList<HostState> ServiceObserver::observeHosts(const Registry &registry,
                                               const QStringList &services,
                                               const QStringList &hosts, bool allPortHolders)
{
    RemoteScripts::ObserveScope scope;
    scope.hostFacts = true;
    scope.allPortHolders = allPortHolders;
    return run(registry, services, hosts, scope);
}

QMap<QString, ServiceState> ServiceObserver::observe(const Registry &registry,
                                                     const QStringList &services)
{
    QMap<QString, ServiceState> states;
    for (const HostState &host : run(registry, services, {}, {})) {
        for (const ServiceState &state : host.services)
            states.insert(state.service, state);
    }
    return states;
}

} // namespace Portoser
