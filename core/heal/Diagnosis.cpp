// SPDX-License-Identifier: Apache-2.0
#include "core/heal/Diagnosis.h"

#include "core/deploy/RemoteScripts.h"
#include "core/registry/DependencyGraph.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <csignal>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace Fingerprint {

QStringList all()
{
    return {HostUnreachable, SshDenied, DiskFull,  DockerDown,  DependencyUnhealthy,
            StalePid,        PortHeld,  CrashLoop, ProcessDead, HealthFailing};
}

bool isKnown(const QString &fingerprint)
{
    return all().contains(fingerprint);
}

} // namespace Fingerprint

namespace {

/** How much a problem takes from a score at full confidence. */
int weight(const QString &fingerprint)
{
    static const QHash<QString, int> weights = {{Fingerprint::HostUnreachable, 100},
                                                {Fingerprint::SshDenied, 100},
                                                {Fingerprint::CrashLoop, 80},
                                                {Fingerprint::ProcessDead, 70},
                                                {Fingerprint::DockerDown, 70},
                                                {Fingerprint::StalePid, 60},
                                                {Fingerprint::PortHeld, 50},
                                                {Fingerprint::HealthFailing, 50},
                                                {Fingerprint::DependencyUnhealthy, 25},
                                                {Fingerprint::DiskFull, 30}};
    return weights.value(fingerprint, 20);
}

int scoreOf(const QList<Problem> &problems)
{
    int score = 100;
    for (const Problem &p : problems)
        score -= weight(p.fingerprint) * p.confidence / 100;
    return std::clamp(score, 0, 100);
}

QString exitText(const ServiceState &s)
{
    if (s.oomKilled)
        return u"its container was killed for lack of memory (OOM) with status %1"_s.arg(
            s.exitStatus.value_or(137));
    if (!s.containerState.isEmpty() && s.containerState != u"exited"_s
        && s.containerState != u"running"_s)
        return s.containerState == u"missing"_s ? u"it has no container on the host"_s
                                                : u"its container is %1"_s.arg(s.containerState);
    if (!s.exitStatus)
        return u"the process is gone and left no exit status (killed with its group, or the host "
               "rebooted)"_s;
    const int status = *s.exitStatus;
    if (status > 128) {
        const int signal = status - 128;
        if (signal == SIGKILL)
            return u"killed by SIGKILL (the kernel's OOM killer, or kill -9)"_s;
        return u"killed by signal %1"_s.arg(signal);
    }
    return u"exited with status %1"_s.arg(status);
}

/**
 * What a service printed, with the values of its environment masked: evidence is stored in
 * events and shown by the CLI, the GUI and the API, and a service may well log its settings.
 */
QString redacted(QString text, const Service &service)
{
    for (const QString &value : service.env) {
        if (value.size() >= 4) // shorter values (ports, flags) would mask half of every line
            text.replace(value, u"***"_s);
    }
    return text;
}

} // namespace

const Problem *ServiceDiagnosis::problem(const QString &fingerprint) const
{
    for (const Problem &p : problems) {
        if (p.fingerprint == fingerprint)
            return &p;
    }
    return nullptr;
}

HostDiagnosis Analyzer::analyzeHost(const HostState &host)
{
    HostDiagnosis d;
    d.observed = host;
    if (!host.reachable) {
        const bool denied = host.errorCode == ErrorCode::PermissionDenied;
        d.problems.append({denied ? Fingerprint::SshDenied : Fingerprint::HostUnreachable,
                           denied ? 95 : 90,
                           denied ? u"SSH refused us on %1"_s.arg(host.host)
                                  : u"%1 cannot be reached"_s.arg(host.host),
                           {host.error},
                           0});
        d.score = 0;
        return d;
    }
    QStringList full;
    if (host.diskUsedPct >= DiskFullPercent)
        full.append(u"disk of the base path %1% used, %2 MiB free"_s.arg(host.diskUsedPct)
                        .arg(host.diskAvailKb / 1024));
    if (host.inodeUsedPct >= DiskFullPercent)
        full.append(u"inodes of the base path %1% used"_s.arg(host.inodeUsedPct));
    if (!full.isEmpty())
        d.problems.append({Fingerprint::DiskFull,
                           std::max(host.diskUsedPct, host.inodeUsedPct) >= 98 ? 95 : 80,
                           u"%1 is nearly out of disk"_s.arg(host.host), full, 0});
    if (host.docker == u"down"_s)
        d.problems.append({Fingerprint::DockerDown,
                           95,
                           u"the docker daemon on %1 does not answer"_s.arg(host.host),
                           {u"`docker info` failed"_s},
                           0});
    d.score = scoreOf(d.problems);
    if (host.memTotalKb > 0 && host.memAvailKb >= 0 && host.memAvailKb * 10 < host.memTotalKb)
        d.score = std::max(0, d.score - 20); // memory pressure lowers the score, no playbook
    return d;
}

ServiceDiagnosis Analyzer::analyzeService(const Service &service, const ServiceState &s,
                                          const HostDiagnosis &host)
{
    ServiceDiagnosis d;
    d.service = service.name;
    d.host = s.host;
    d.observed = s;
    for (const Problem &p : host.problems) {
        if (p.fingerprint != Fingerprint::DockerDown || service.type == DeploymentType::Docker)
            d.problems.append(p);
    }
    if (!host.observed.reachable) {
        d.score = 0;
        return d; // nothing is known about the service itself
    }
    QStringList logs;
    for (const QString &line : s.logTail)
        logs.append(u"log: "_s + redacted(line, service));
    const auto port = service.effectivePort();
    if (!s.dockerError.isEmpty()) {
        // Its containers are not the cause: the daemon that runs them does not answer.
        if (std::none_of(d.problems.cbegin(), d.problems.cend(),
                         [](const Problem &p) { return p.fingerprint == Fingerprint::DockerDown; }))
            d.problems.append({Fingerprint::DockerDown,
                               95,
                               u"the docker daemon on %1 does not answer"_s.arg(s.host),
                               {u"docker: "_s + s.dockerError},
                               0});
    } else if (s.state == u"dead"_s) {
        if (s.stalePid) {
            d.problems.append(
                {Fingerprint::StalePid,
                 90,
                 u"the pid file of %1 names a process Portoser did not start"_s.arg(service.name),
                 {u"pid %1 is alive but leads another process group"_s.arg(s.pid)},
                 0});
        } else if (s.recentExits >= CrashLoopExits) {
            d.problems.append(
                {Fingerprint::CrashLoop, std::min(95, 60 + 10 * s.recentExits),
                 u"%1 keeps exiting"_s.arg(service.name),
                 QStringList{u"%1 exits in the last %2 s; the last one %3"_s.arg(s.recentExits)
                                 .arg(service.heal.windowSeconds)
                                 .arg(exitText(s))}
                     + logs,
                 0});
        } else if (!s.stoppedBy.isEmpty()) {
            // Portoser stopped it itself (a start that failed its gate): say so, not "killed".
            d.problems.append(
                {Fingerprint::ProcessDead, 95,
                 u"%1 is not running: Portoser stopped it (%2)"_s.arg(service.name, s.stoppedBy),
                 QStringList{u"the host's record: %1"_s.arg(s.stoppedBy)} + logs, 0});
        } else {
            // Only what is true of the host now: a pid only when the host named one.
            QStringList evidence;
            if (s.pid > 0)
                evidence.append(u"pid %1 is gone"_s.arg(s.pid));
            if (s.exitAt > 0)
                evidence.append(u"it ended at %1"_s.arg(
                    QDateTime::fromSecsSinceEpoch(s.exitAt).toString(Qt::ISODate)));
            d.problems.append({Fingerprint::ProcessDead, 95,
                               u"%1 is not running: %2"_s.arg(service.name, exitText(s)),
                               evidence + logs, 0});
        }
    }
    if (s.state == u"running"_s && s.health == u"unhealthy"_s)
        d.problems.append(
            {Fingerprint::HealthFailing,
             80,
             u"%1 runs but fails its health check"_s.arg(service.name),
             {s.healthDetail.isEmpty() ? u"the check failed"_s
                                       : u"check: "_s + redacted(s.healthDetail, service)},
             0});
    // A foreign process on the service's port matters when the service is down or unhealthy.
    // Only where Portoser knows the service's process group: a native or docker service's own
    // processes (systemd's, docker-proxy) would look foreign.
    const bool groupKnown = service.type != DeploymentType::Docker
                            && Runtime::forService(service).kind != Runtime::Kind::Native;
    if (port && groupKnown && !d.problems.isEmpty()) {
        const auto holder = host.observed.listeners.constFind(*port);
        const bool ours = holder != host.observed.listeners.cend() && isOwnListener(s, *holder);
        if (holder != host.observed.listeners.cend() && !ours)
            d.problems.append({Fingerprint::PortHeld,
                               95,
                               u"port %1 is held by another process"_s.arg(*port),
                               {u"pid %1 (%2) listens on port %3"_s.arg(holder->pid)
                                    .arg(holder->command)
                                    .arg(*port)},
                               holder->pid});
    }
    d.score = scoreOf(d.problems);
    return d;
}

void Analyzer::addDependencyProblems(const Registry &registry, Diagnosis &diagnosis)
{
    for (ServiceDiagnosis &d : diagnosis.services) {
        const Service *service = registry.service(d.service);
        if (!service)
            continue;
        for (const QString &dependency : service->allDependencies()) {
            const auto it = diagnosis.services.constFind(dependency);
            if (it == diagnosis.services.cend())
                continue;
            // Judged by the dependency's own state, not by its host's problems (a full disk
            // under a service that runs well does not make its dependents' dependency down).
            if (it->observed.isWell())
                continue;
            QString why = it->observed.state;
            for (const Problem &p : it->problems) {
                if (p.fingerprint != Fingerprint::DependencyUnhealthy) {
                    why = p.summary;
                    break;
                }
            }
            d.problems.append({Fingerprint::DependencyUnhealthy,
                               85,
                               u"%1 depends on %2, which is unhealthy"_s.arg(d.service, dependency),
                               {u"%1: %2"_s.arg(dependency, why)},
                               0});
        }
        d.score = d.observed.state == u"unreachable"_s ? 0 : scoreOf(d.problems);
    }
}

Diagnosis Analyzer::analyze(const Registry &registry, const QList<HostState> &observed)
{
    Diagnosis diagnosis;
    for (const HostState &host : observed) {
        const HostDiagnosis hd = analyzeHost(host);
        diagnosis.hosts.insert(host.host, hd);
        for (const ServiceState &state : host.services) {
            if (const Service *service = registry.service(state.service))
                diagnosis.services.insert(state.service, analyzeService(*service, state, hd));
        }
    }
    addDependencyProblems(registry, diagnosis);
    // Causes first: work on a service's problems in the order of Fingerprint::all().
    const QStringList order = Fingerprint::all();
    for (ServiceDiagnosis &d : diagnosis.services)
        std::stable_sort(d.problems.begin(), d.problems.end(),
                         [&](const Problem &a, const Problem &b) {
                             return order.indexOf(a.fingerprint) < order.indexOf(b.fingerprint);
                         });
    return diagnosis;
}

QJsonObject toJson(const Problem &p)
{
    QJsonObject o{{u"fingerprint"_s, p.fingerprint},
                  {u"confidence"_s, p.confidence},
                  {u"summary"_s, p.summary},
                  {u"evidence"_s, QJsonArray::fromStringList(p.evidence)}};
    if (p.holderPid)
        o.insert(u"holder_pid"_s, p.holderPid);
    return o;
}

namespace {

QJsonArray problemsJson(const QList<Problem> &problems)
{
    QJsonArray a;
    for (const Problem &p : problems)
        a.append(toJson(p));
    return a;
}

} // namespace

QJsonObject toJson(const ServiceDiagnosis &d)
{
    return {{u"service"_s, d.service},      {u"host"_s, d.host},
            {u"state"_s, d.observed.state}, {u"health"_s, d.observed.health},
            {u"score"_s, d.score},          {u"problems"_s, problemsJson(d.problems)}};
}

QJsonObject toJson(const HostDiagnosis &d)
{
    return {{u"host"_s, d.observed.host},
            {u"reachable"_s, d.observed.reachable},
            {u"score"_s, d.score},
            {u"problems"_s, problemsJson(d.problems)}};
}

} // namespace Portoser
