// SPDX-License-Identifier: Apache-2.0
#include "core/heal/Healer.h"

#include "core/deploy/DeployEngine.h"
#include "core/deploy/RemoteScripts.h"
#include "core/deploy/ServiceObserver.h"
#include "core/heal/HealScripts.h"
#include "core/history/HistoryStore.h"
#include "core/registry/DependencyGraph.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSet>

namespace Portoser {

using namespace std::chrono_literals;
using namespace Qt::Literals::StringLiterals;

namespace {

/** A learned fix is offered as a playbook once an operator needed it this often. */
constexpr int LearnedAfter = 2;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

QJsonObject toJson(const HealAction &a)
{
    QJsonObject o{
        {u"service"_s, a.service},   {u"host"_s, a.host}, {u"fingerprint"_s, a.fingerprint},
        {u"playbook"_s, a.playbook}, {u"step"_s, a.step}, {u"outcome"_s, a.outcome},
        {u"detail"_s, a.detail}};
    if (a.recordId)
        o.insert(u"record"_s, a.recordId);
    return o;
}

struct Healer::Context
{
    const Registry &registry;
    const HealOptions &options;
    const EventSink &sink;
    HealReport report;
    QSet<QString> prunedHosts;
    bool newlyDown = false; // the service in hand went down in this pass: report what it needs
};

Healer::Healer(HostPool &pool, HistoryStore &history, SecretAccess secrets,
               QList<Playbook> operatorPlaybooks)
    : m_pool(pool)
    , m_history(history)
    , m_store(history)
    , m_secrets(std::move(secrets))
    , m_operator(std::move(operatorPlaybooks))
    , m_builtIn(Playbooks::builtIn())
{
    if (auto learned = m_store.learned()) {
        for (const LearnedPlaybook &l : *learned) {
            if (l.frequency >= LearnedAfter)
                m_operator.append(l.playbook);
        }
    }
}

const Playbook *Healer::playbookFor(const QString &fingerprint, const QString &service) const
{
    return Playbooks::choose(m_operator, m_builtIn, fingerprint, service);
}

void Healer::emitEvent(Context &c, HealEvent event)
{
    (void)m_store.addEvent(event); // a failed write must not stop the healing
    c.report.events.append(event);
    if (c.sink)
        c.sink(event);
}

qint64 Healer::nextRestartAllowedMs(const QList<qint64> &restarts, const HealOptions &options)
{
    if (restarts.isEmpty())
        return 0;
    const qint64 delay =
        std::min(options.backoffMaxMs,
                 options.backoffBaseMs << std::min<qsizetype>(20, restarts.size() - 1));
    return restarts.last() * 1000 + delay;
}

void Healer::describeStanding(const HistoryStore &history, ServiceState &observed,
                              const HealOptions &options)
{
    // Only where the healer would act: not on a service that runs well, is stopped on purpose or
    // was never deployed, whatever it thought of it before.
    if (observed.isWell() || observed.state == u"stopped"_s || observed.state == u"not_deployed"_s)
        return;
    const auto loaded = HealStore(history).state(observed.service);
    if (!loaded)
        return;
    const HealState &state = *loaded;
    const auto minutes = [](qint64 seconds) {
        return seconds % 60 == 0 ? u"%1m"_s.arg(seconds / 60) : u"%1s"_s.arg(seconds);
    };
    if (state.givenUpAt && !operatorActedSince(history, observed.service, state.givenUpAt)) {
        observed.healer = u"given_up"_s;
        const qint64 span = state.restarts.isEmpty() ? 0 : state.givenUpAt - state.restarts.first();
        observed.healerDetail =
            u"%1: %2 restarts in %3"_s
                .arg(state.fingerprint.isEmpty() ? u"down"_s : state.fingerprint)
                .arg(state.restarts.size())
                .arg(minutes(std::max<qint64>(span, 1)));
        return;
    }
    const qint64 until = nextRestartAllowedMs(state.restarts, options);
    if (state.downSince && until > nowMs()) {
        observed.healer = u"backing_off"_s;
        observed.healerUntil = until / 1000;
        observed.healerDetail =
            u"%1: restart %2 not before %3"_s
                .arg(state.fingerprint.isEmpty() ? u"down"_s : state.fingerprint)
                .arg(state.restarts.size() + 1)
                .arg(QDateTime::fromMSecsSinceEpoch(until).toString(u"HH:mm:ss"_s));
    }
}

bool Healer::operatorActedSince(const HistoryStore &history, const QString &service,
                                qint64 epochSeconds)
{
    return operatorActionSince(history, service, epochSeconds).has_value();
}

std::optional<DeploymentRecord> Healer::operatorActionSince(const HistoryStore &history,
                                                            const QString &service,
                                                            qint64 epochSeconds,
                                                            bool onlyStartsThatWorked)
{
    const auto records = history.list(HistoryQuery::newest(service, 5));
    if (!records)
        return std::nullopt;
    for (const DeploymentRecord &r : *records) {
        if (r.actor == u"healer"_s || r.startedAt.toSecsSinceEpoch() < epochSeconds)
            continue;
        if (onlyStartsThatWorked && (!r.succeeded() || r.action == RecordAction::Stop))
            continue;
        return r;
    }
    return std::nullopt;
}

Result<QByteArray> Healer::runOnHost(const Host &host, const QString &script)
{
    auto result = m_pool.worker(host).runScript(script, 120s);
    if (!result)
        return result.error();
    if (result->exitCode != 0)
        return Error{ErrorCode::Failed,
                     u"exit status %1: %2"_s.arg(result->exitCode)
                         .arg(QString::fromUtf8(result->err.trimmed().right(300)))};
    return result->out;
}

Result<HealReport> Healer::pass(const Registry &registry, const HealOptions &options,
                                const EventSink &sink)
{
    Context c{registry, options, sink, {}, {}};
    QStringList watched;
    for (const Service &s : registry.services) {
        if (s.heal.enabled && (options.services.isEmpty() || options.services.contains(s.name)))
            watched.append(s.name);
    }
    // Dependencies are observed too (a dependent's problem may be theirs), and healed first.
    const DependencyGraph graph(registry);
    const QStringList observed = graph.closure(watched);
    QElapsedTimer clock;
    clock.start();
    const QList<HostState> hosts = options.observed
                                       ? *options.observed
                                       : ServiceObserver(m_pool).observeHosts(registry, observed);
    c.report.observeMs = clock.elapsed();
    c.report.diagnosis = Analyzer::analyze(registry, hosts);
    for (const HostState &h : hosts) {
        if (const QString arch = archOf(h.os, h.arch); !arch.isEmpty())
            (void)m_history.recordHostArch(h.host, arch);
    }

    for (const QStringList &wave : graph.waves(observed)) {
        for (const QString &name : wave) {
            const Service *service = registry.service(name);
            const auto d = c.report.diagnosis.services.constFind(name);
            if (service && service->heal.enabled && d != c.report.diagnosis.services.cend())
                heal(c, *service, *d);
        }
    }
    return c.report;
}

void Healer::heal(Context &c, const Service &service, const ServiceDiagnosis &d)
{
    auto loaded = m_store.state(service.name);
    if (!loaded)
        return;
    HealState state = *loaded;
    const qint64 now = nowMs();
    const bool hadState = state.downSince || state.givenUpAt || !state.restarts.isEmpty();
    if (state.givenUpAt && operatorActedSince(m_history, service.name, state.givenUpAt)) {
        state.givenUpAt = 0;
        state.givenUpReason.clear();
        state.restarts.clear();
    }
    if (!c.options.fingerprints.isEmpty()) {
        // A targeted pass (around a deploy): the fixes asked for, whatever state the service is
        // in, and no bookkeeping of its ups and downs, which belongs to the watchdog.
        for (const Problem &problem : d.problems) {
            const Playbook *playbook = playbookFor(problem.fingerprint, service.name);
            if (!playbook || !c.options.fingerprints.contains(problem.fingerprint))
                continue;
            for (const PlaybookStep &step : playbook->steps) {
                if (!runStep(c, service, d, problem, *playbook, step, state))
                    break;
            }
        }
        return;
    }
    // A service stopped on purpose, or never deployed, is not the healer's business.
    const QString observed = d.observed.state;
    const bool watched =
        observed == u"running"_s || observed == u"dead"_s || observed == u"unreachable"_s;
    if (d.healthy() || !watched) {
        if (state.downSince) {
            // Credit where it is due: an operator's deploy or restart meanwhile fixed it, not
            // whatever playbook ran before.
            const auto by =
                operatorActionSince(m_history, service.name, state.downSince / 1000, true);
            recovered(c, service.name, d.host, state, by ? QString() : state.lastPlaybook,
                      by ? by->id : 0,
                      by ? u"%1 by %2"_s.arg(toString(by->action), by->actor) : QString());
        }
        if (hadState) // a healthy service costs no database write
            (void)m_store.saveState(state);
        return;
    }
    const Problem &primary = d.problems.first();
    c.newlyDown = !state.downSince || state.fingerprint != primary.fingerprint;
    if (c.newlyDown) {
        // Told when it goes down, with the diagnosis — not only when it comes back.
        if (!state.downSince)
            state.downSince = now;
        state.fingerprint = primary.fingerprint;
        (void)m_store.countOccurrence(primary.fingerprint);
        emitEvent(c, {0,
                      {},
                      service.name,
                      d.host,
                      HealEvent::Kind::Down,
                      primary.fingerprint,
                      {},
                      primary.summary + u" — "_s + primary.evidence.join(u"; "_s),
                      0});
    }
    if (state.givenUpAt) {
        c.report.actions.append({service.name,
                                 d.host,
                                 primary.fingerprint,
                                 {},
                                 {},
                                 u"given_up"_s,
                                 state.givenUpReason,
                                 0});
        (void)m_store.saveState(state);
        return;
    }
    // Causes before symptoms; a restart settles whatever else the service had.
    for (const Problem &problem : d.problems) {
        const Playbook *playbook = playbookFor(problem.fingerprint, service.name);
        if (!playbook)
            continue;
        bool carryOn = true;
        for (const PlaybookStep &step : playbook->steps) {
            carryOn = runStep(c, service, d, problem, *playbook, step, state);
            if (!carryOn)
                break;
        }
        if (!carryOn || state.downSince == 0 || state.givenUpAt)
            break;
    }
    (void)m_store.saveState(state);
}

bool Healer::runStep(Context &c, const Service &service, const ServiceDiagnosis &d,
                     const Problem &problem, const Playbook &playbook, const PlaybookStep &step,
                     HealState &state)
{
    const Host *host = c.registry.host(d.host);
    HealAction action{
        service.name, d.host, problem.fingerprint, playbook.name, step.describe(), u"done"_s,
        {},           0};
    const auto finish = [&](const QString &outcome, const QString &detail, bool carryOn) {
        action.outcome = outcome;
        action.detail = detail;
        if (outcome == u"skipped"_s)
            return carryOn; // a step that does not apply here (reset_failed without systemd)
        c.report.actions.append(action);
        // Holding back (backoff, an unreachable host) stays in the pass's actions: as an event
        // it would repeat on every pass of a down period its `down` event already announced.
        // What an operator must do is reported once per down period, not on every pass.
        if (outcome != u"waiting"_s && (outcome != u"reported"_s || c.newlyDown))
            emitEvent(c,
                      {0,
                       {},
                       service.name,
                       d.host,
                       outcome == u"reported"_s ? HealEvent::Kind::Report : HealEvent::Kind::Action,
                       problem.fingerprint,
                       playbook.name,
                       step.describe() + u": "_s + detail,
                       action.recordId});
        return carryOn;
    };
    state.lastPlaybook = playbook.name;
    if (step.action == u"wait"_s)
        return finish(u"waiting"_s, u"looking again on the next pass"_s, false);
    if (step.action == u"report"_s) {
        // Reported once per problem (when it went down), not on every pass.
        c.report.actions.append({service.name, d.host, problem.fingerprint, playbook.name,
                                 step.describe(), u"reported"_s, problem.summary, 0});
        return false;
    }
    if (!host)
        return finish(u"failed"_s, u"no host named %1"_s.arg(d.host), false);
    if (step.action == u"restart"_s)
        return restart(c, service, d, problem, playbook, state);
    if (step.action == u"start_dependency"_s) {
        // The dependency was worked on earlier in this pass (waves run in dependency order);
        // one that is stopped on purpose is started now.
        QStringList started;
        for (const QString &dependency : service.allDependencies()) {
            const auto dd = c.report.diagnosis.services.constFind(dependency);
            if (dd == c.report.diagnosis.services.cend() || dd->observed.state != u"stopped"_s)
                continue;
            const Service *dep = c.registry.service(dependency);
            DeployEngine engine(m_pool, m_history, m_secrets);
            auto plan = engine.plan(c.registry, PlanRequest{PlanIntent::Start, {dependency}});
            auto records = plan ? applyAsHealer(engine, c.registry, *plan)
                                : Result<QList<DeploymentRecord>>(plan.error());
            if (!records || !dep)
                return finish(u"failed"_s,
                              records ? u"cannot start %1"_s.arg(dependency)
                                      : records.error().message,
                              false);
            started.append(dependency);
        }
        return finish(started.isEmpty() ? u"skipped"_s : u"done"_s,
                      u"started %1 first"_s.arg(started.join(u", "_s)), true);
    }
    if (step.action == u"clear_pid"_s) {
        auto out = runOnHost(*host, HealScripts::clearPid(*host, service.name));
        return out ? finish(u"done"_s, u"removed the stale pid file"_s, true)
                   : finish(u"failed"_s, out.error().message, false);
    }
    if (step.action == u"reset_failed"_s) {
        if (Runtime::forService(service).kind != Runtime::Kind::Native)
            return finish(u"skipped"_s, {}, true);
        const QString unit = HealScripts::systemdUnitOf(service);
        auto out = runOnHost(*host, HealScripts::resetFailed(unit));
        if (!out)
            return finish(u"failed"_s, out.error().message, false);
        return RemoteScripts::parseKeyValues(*out).contains(u"reset"_s)
                   ? finish(u"done"_s, u"systemctl reset-failed %1"_s.arg(unit), true)
                   : finish(u"skipped"_s, {}, true);
    }
    if (step.action == u"free_port"_s) {
        const auto port = service.effectivePort();
        if (!problem.holderPid || !port)
            return finish(u"skipped"_s, {}, true);
        if (!step.kill || !service.heal.killPortHolder)
            return finish(u"reported"_s,
                          u"%1; not killed: Portoser did not start it (allow with "
                          "heal.kill_port_holder and a playbook step {action: free_port, kill: "
                          "true})"_s.arg(problem.evidence.value(0)),
                          false);
        auto out = runOnHost(*host, HealScripts::killPortHolder(problem.holderPid, *port,
                                                                service.stopTimeoutSeconds));
        if (!out)
            return finish(u"failed"_s, out.error().message, false);
        return RemoteScripts::parseKeyValues(*out).value(u"result"_s) == u"freed"_s
                   ? finish(u"done"_s, u"stopped pid %1"_s.arg(problem.holderPid), true)
                   : finish(u"skipped"_s, {}, true); // it had gone by itself
    }
    if (step.action == u"prune"_s) {
        if (c.prunedHosts.contains(host->name))
            return finish(u"skipped"_s, {}, true);
        c.prunedHosts.insert(host->name);
        auto out = runOnHost(*host, HealScripts::prune(*host, LogLimitBytes));
        if (!out)
            return finish(u"failed"_s, out.error().message, false);
        const auto kv = RemoteScripts::parseKeyValues(*out);
        const qint64 freedKb = kv.value(u"freed_kb"_s).toLongLong();
        (void)m_store.countOutcome(problem.fingerprint, playbook.name, freedKb > 0, 0);
        return finish(freedKb > 0 ? u"done"_s : u"failed"_s,
                      u"freed %1 KiB on %2"_s.arg(freedKb).arg(host->name), true);
    }
    // An operator's command, run on the service's host with quoted parameters.
    const QMap<QString, QString> values = {
        {u"service"_s, service.name},
        {u"host"_s, host->name},
        {u"port"_s,
         service.effectivePort() ? QString::number(*service.effectivePort()) : QString()},
        {u"pid"_s, d.observed.pid ? QString::number(d.observed.pid) : QString()},
        {u"release"_s, d.observed.release},
        {u"holder_pid"_s, problem.holderPid ? QString::number(problem.holderPid) : QString()}};
    auto out = runOnHost(*host, HealScripts::command(*host, service.name, step.command, values));
    return out ? finish(u"done"_s, QString::fromUtf8(out->trimmed().right(300)), true)
               : finish(u"failed"_s, out.error().message, false);
}

bool Healer::restart(Context &c, const Service &service, const ServiceDiagnosis &d,
                     const Problem &problem, const Playbook &playbook, HealState &state)
{
    const qint64 now = nowMs();
    const qint64 windowStart = now / 1000 - service.heal.windowSeconds;
    state.restarts.removeIf([&](qint64 t) { return t < windowStart; });
    HealAction action{service.name,
                      service.currentHost,
                      problem.fingerprint,
                      playbook.name,
                      u"restart"_s,
                      {},
                      {},
                      0};
    if (state.restarts.size() >= service.heal.maxRestarts) {
        state.givenUpAt = now / 1000;
        state.givenUpReason =
            u"%1 restarts within %2 s did not fix it (%3); nothing restarts it "
            "until an operator deploys, starts or restarts it"_s.arg(state.restarts.size())
                .arg(service.heal.windowSeconds)
                .arg(problem.summary);
        action.outcome = u"given_up"_s;
        action.detail = state.givenUpReason;
        c.report.actions.append(action);
        emitEvent(c, {0,
                      {},
                      service.name,
                      service.currentHost,
                      HealEvent::Kind::GivenUp,
                      problem.fingerprint,
                      playbook.name,
                      state.givenUpReason,
                      0});
        return false;
    }
    if (!state.restarts.isEmpty()) {
        const qint64 notBefore = nextRestartAllowedMs(state.restarts, c.options);
        if (now < notBefore) {
            action.outcome = u"waiting"_s;
            action.detail = u"backoff: restart %1 of %2 not before %3 s from now"_s
                                .arg(state.restarts.size() + 1)
                                .arg(service.heal.maxRestarts)
                                .arg(double(notBefore - now) / 1000.0, 0, 'f', 1);
            c.report.actions.append(action);
            return false;
        }
    }
    // A native service on macOS is a launchd job: starting it again within the throttle interval
    // of its last start would be delayed (or refused) by launchd itself; come back after it.
    const bool launchd = Runtime::forService(service).kind == Runtime::Kind::Native
                         && c.report.diagnosis.hosts.value(d.host).observed.os == u"Darwin"_s;
    if (const qint64 since = now / 1000 - d.observed.startedAt;
        launchd && d.observed.startedAt > 0 && since < LaunchdThrottleSeconds) {
        action.outcome = u"waiting"_s;
        action.detail =
            u"launchd throttles a job started %1 s ago; restarting after %2 s"_s.arg(since).arg(
                LaunchdThrottleSeconds);
        c.report.actions.append(action);
        return false;
    }
    // What is deployed runs again, never the registry's newer word: rolling that out is the
    // operator's deploy, not the watchdog's.
    DeployEngine engine(m_pool, m_history, m_secrets);
    auto plan = engine.plan(c.registry, PlanRequest{PlanIntent::Restart, {service.name}});
    if (plan) {
        for (const PlannedService &p : plan->services) {
            // Looked at again just now: an operator may have stopped it since this pass observed.
            if (p.service == service.name && p.liveState == u"stopped"_s) {
                action.outcome = u"skipped"_s;
                action.detail = u"stopped by an operator meanwhile"_s;
                c.report.actions.append(action);
                return false;
            }
        }
    }
    state.restarts.append(now / 1000);
    auto records = plan ? applyAsHealer(engine, c.registry, *plan)
                        : Result<QList<DeploymentRecord>>(plan.error());
    bool worked = false;
    if (!records) {
        action.outcome = u"failed"_s;
        action.detail = records.error().message;
    } else {
        for (const DeploymentRecord &r : *records) {
            if (r.service != service.name)
                continue;
            action.recordId = r.id;
            worked = r.succeeded();
            action.outcome = worked ? u"done"_s : u"failed"_s;
            action.detail =
                worked ? u"restarted, healthy"_s : toString(r.outcome) + u": "_s + r.reason;
        }
    }
    c.report.actions.append(action);
    emitEvent(c, {0,
                  {},
                  service.name,
                  service.currentHost,
                  HealEvent::Kind::Action,
                  problem.fingerprint,
                  playbook.name,
                  u"restart: "_s + action.detail,
                  action.recordId});
    if (!worked) {
        (void)m_store.countOutcome(problem.fingerprint, playbook.name, false, 0);
        return false;
    }
    state.fingerprint = problem.fingerprint; // credit the problem this restart fixed
    recovered(c, service.name, service.currentHost, state, playbook.name, action.recordId);
    return false;
}

Result<QList<DeploymentRecord>>
Healer::applyAsHealer(DeployEngine &engine, const Registry &registry, const DeployPlan &plan)
{
    DeployOptions options;
    options.actor = u"healer"_s;
    options.autoHeal = false; // this is the healer
    options.lockWait = 5s;    // a deploy in progress owns the service; look again next pass
    return engine.apply(registry, plan, options);
}

void Healer::recovered(Context &c, const QString &service, const QString &host, HealState &state,
                       const QString &playbook, qint64 recordId, const QString &byOperator)
{
    const qint64 downMs = nowMs() - state.downSince;
    if (!playbook.isEmpty()) // what ran while it was down worked
        (void)m_store.countOutcome(state.fingerprint, playbook, true, downMs);
    emitEvent(c, {0,
                  {},
                  service,
                  host,
                  HealEvent::Kind::Recovered,
                  state.fingerprint,
                  playbook,
                  u"healthy again after %1 s%2"_s.arg(double(downMs) / 1000.0, 0, 'f', 1)
                      .arg(byOperator.isEmpty() ? QString() : u" (%1)"_s.arg(byOperator)),
                  recordId});
    state.downSince = 0;
    state.fingerprint.clear();
    state.lastPlaybook.clear();
    state.givenUpAt = 0; // well again, however it came back: nothing to hold back any more
    state.givenUpReason.clear();
}

} // namespace Portoser
