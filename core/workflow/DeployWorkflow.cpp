// SPDX-License-Identifier: Apache-2.0
#include "core/workflow/DeployWorkflow.h"

#include "core/deploy/DeployEngine.h"
#include "core/deploy/HostPool.h"
#include "core/heal/HealService.h"
#include "core/history/HistoryStore.h"
#include "core/registry/RegistryEditor.h"
#include "core/tls/ProxyService.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

DeployWorkflow::DeployWorkflow(HostPool &pool, StoreAccess store, SecretAccess secrets,
                               HealService &heal, ProxyService &proxy)
    : m_pool(pool)
    , m_store(std::move(store))
    , m_secrets(std::move(secrets))
    , m_heal(heal)
    , m_proxy(proxy)
{}

/** Runs `fn` with an engine over the hosts and the history store (opened on first use). */
template <typename Fn>
auto DeployWorkflow::withEngine(Fn fn) -> decltype(fn(std::declval<DeployEngine &>()))
{
    auto history = m_store();
    if (!history)
        return history.error();
    DeployEngine engine(m_pool, **history, m_secrets);
    return fn(engine);
}

Result<DeployPlan> DeployWorkflow::plan(const Registry &registry, const PlanRequest &request)
{
    return withEngine([&](DeployEngine &engine) { return engine.plan(registry, request); });
}

namespace {

/** The registry as it will be once `moves` (service -> host) ran. */
Result<Registry> afterMoves(Registry registry, const QMap<QString, QString> &moves)
{
    for (auto it = moves.cbegin(); it != moves.cend(); ++it) {
        auto service = registry.services.find(it.key());
        if (service == registry.services.end())
            return registry.unknownServiceError(it.key());
        service->currentHost = it.value();
    }
    return registry;
}

} // namespace

Result<QList<PlannedService>> DeployWorkflow::planChanges(const Registry &registry,
                                                          const ChangeSet &changes)
{
    // Redeploys are planned on the registry as the moves leave it, as deployChanges runs them.
    const auto after = afterMoves(registry, changes.moves);
    if (!after)
        return after.error();
    QList<PlannedService> planned;
    if (!changes.moves.isEmpty()) {
        auto moves =
            plan(*after, PlanRequest{PlanIntent::Deploy, changes.moves.keys(), false, false});
        if (!moves)
            return moves.error();
        planned += moves->services;
    }
    if (!changes.redeploys.isEmpty()) {
        auto redeploys =
            plan(*after, PlanRequest{PlanIntent::Deploy, changes.redeploys, true, false});
        if (!redeploys)
            return redeploys.error();
        planned += redeploys->services;
    }
    return planned;
}

ChangeResults DeployWorkflow::deployChanges(const Registry &registry, const ChangeSet &changes,
                                            DeployOptions options, const ProgressFn &progress)
{
    // Each change runs on the registry as the ones before it left it: a later change that
    // includes a moved service (as a dependency) must not see it where it was.
    ChangeResults results;
    Registry current = registry;
    const auto notStarted = [&results](const QString &what) {
        results.refused.append(u"%1: cancelled before it started"_s.arg(what));
    };
    for (auto it = changes.moves.cbegin(); it != changes.moves.cend(); ++it) {
        if (options.isCancelled()) {
            notStarted(it.key());
            continue;
        }
        auto moved = move(current, it.key(), it.value(), options, progress);
        if (!moved) {
            results.refused.append(u"%1: %2"_s.arg(it.key(), moved.error().message));
            continue;
        }
        results.records += *moved;
        for (const DeploymentRecord &r : std::as_const(*moved)) {
            if (r.service == it.key() && r.succeeded())
                current.services[it.key()].currentHost = it.value();
        }
    }
    if (!changes.redeploys.isEmpty()) {
        if (options.isCancelled()) {
            notStarted(changes.redeploys.join(u", "_s));
            return results;
        }
        options.force = true;
        if (auto redeployed = deploy(current, changes.redeploys, options, progress))
            results.records += *redeployed;
        else
            results.refused.append(
                u"%1: %2"_s.arg(changes.redeploys.join(u", "_s), redeployed.error().message));
    }
    return results;
}

Result<QList<DeploymentRecord>> DeployWorkflow::deploy(const Registry &registry,
                                                       const DeployPlan &plan,
                                                       const DeployOptions &options,
                                                       const ProgressFn &progress)
{
    if (options.autoHeal && plan.hasChanges())
        healBeforeDeploy(registry, plan, progress);
    auto records = withEngine(
        [&](DeployEngine &engine) { return engine.apply(registry, plan, options, progress); });
    if (records && options.autoHeal)
        diagnoseFailures(registry, *records, progress);
    return records;
}

Result<QList<DeploymentRecord>> DeployWorkflow::deploy(const Registry &registry,
                                                       const QStringList &services,
                                                       const DeployOptions &options,
                                                       const ProgressFn &progress)
{
    auto records = withEngine([&](DeployEngine &engine) -> Result<QList<DeploymentRecord>> {
        auto locked = engine.planLocked(
            registry, PlanRequest{PlanIntent::Deploy, services, options.force, false}, options);
        if (!locked)
            return locked.error();
        // What runs beyond what was named is said, with why, before anything runs; and what
        // the operator must know (a move leaving docker volumes behind).
        for (const QString &note : std::as_const(locked->plan.notes)) {
            if (progress)
                progress({{}, {}, DeployStep::Note, note});
        }
        for (const PlannedService &p : std::as_const(locked->plan.services)) {
            if (!p.requested && p.action != PlanAction::NoOp && progress)
                progress({p.service, p.host, DeployStep::Plan,
                          u"%1 too: %2"_s.arg(toString(p.action), p.why)});
        }
        if (options.autoHeal && locked->plan.hasChanges())
            healBeforeDeploy(registry, locked->plan, progress);
        return engine.apply(registry, *locked, options, progress);
    });
    if (records && options.autoHeal)
        diagnoseFailures(registry, *records, progress);
    return records;
}

void DeployWorkflow::healBeforeDeploy(const Registry &registry, const DeployPlan &plan,
                                      const ProgressFn &progress)
{
    // What a deploy cannot fix by itself and would fail on: a full disk where the release goes
    // (pruned first), a foreign process on a port it is about to start on (named up front).
    // Dead or unhealthy services are the plan's own restarts.
    QStringList changed;
    for (const PlannedService &p : plan.services) {
        if (p.action != PlanAction::NoOp)
            changed.append(p.service);
    }
    HealOptions options;
    options.services = changed;
    options.fingerprints = {Fingerprint::DiskFull, Fingerprint::PortHeld};
    if (!plan.observed.isEmpty())
        options.observed = plan.observed;
    const auto report = m_heal.heal(registry, options);
    if (!report || !progress)
        return;
    for (const HealAction &a : report->actions)
        progress(
            {a.service, a.host, DeployStep::Heal,
             u"%1: %2 %3%4"_s.arg(a.fingerprint, a.step, a.outcome,
                                  a.detail.isEmpty() ? QString() : u" ("_s + a.detail + u')')});
}

void DeployWorkflow::diagnoseFailures(const Registry &registry,
                                      const QList<DeploymentRecord> &records,
                                      const ProgressFn &progress)
{
    QStringList failed;
    for (const DeploymentRecord &r : records) {
        if (!r.succeeded())
            failed.append(r.service);
    }
    if (failed.isEmpty() || !progress)
        return;
    const auto diagnosed = m_heal.diagnose(registry, failed);
    if (!diagnosed)
        return;
    for (const QString &name : failed) {
        const ServiceDiagnosis d = diagnosed->diagnosis.services.value(name);
        for (const Problem &p : d.problems)
            progress({name, d.host, DeployStep::Diagnosis,
                      u"%1 (%2%): %3; %4"_s.arg(p.fingerprint)
                          .arg(p.confidence)
                          .arg(p.summary, p.evidence.join(u"; "_s))});
    }
}

Result<DeploymentRecord> DeployWorkflow::stop(const Registry &registry, const QString &service,
                                              const QString &actor)
{
    return withEngine([&](DeployEngine &engine) { return engine.stop(registry, service, actor); });
}

Result<QList<DeploymentRecord>> DeployWorkflow::restart(const Registry &registry,
                                                        const PlanRequest &request,
                                                        const DeployOptions &options,
                                                        const ProgressFn &progress)
{
    auto planned = plan(registry, request);
    if (!planned)
        return planned.error();
    if (progress) {
        for (const QString &note : std::as_const(planned->notes))
            progress({{}, {}, DeployStep::Note, note});
    }
    return deploy(registry, *planned, options, progress);
}

std::optional<QString> DeployWorkflow::moveRefusal(const Registry &registry, const QString &service,
                                                   const QString &host, const ArchLookup &knownArch,
                                                   const QMap<QString, HostState> &lastSeen)
{
    const Service *s = registry.service(service);
    if (!s)
        return registry.unknownService(service);
    const Host *to = registry.host(host);
    if (!to)
        return QStringLiteral("no host named %1").arg(host);
    if (s->currentHost == host)
        return QStringLiteral("%1 already runs on %2").arg(service, host);
    const Host *from = registry.host(s->currentHost);
    const bool archBound = s->type == DeploymentType::Local || s->type == DeploymentType::Native;
    const auto archOfHost = [&](const Host *h) {
        return !h                   ? QString()
               : !h->arch.isEmpty() ? h->arch
               : knownArch          ? knownArch(h->name)
                                    : QString();
    };
    if (archBound) {
        const QString fromArch = archOfHost(from), toArch = archOfHost(to);
        if (!fromArch.isEmpty() && !toArch.isEmpty() && fromArch != toArch)
            return QStringLiteral("%1 is a %2 service built for %3; %4 is %5")
                .arg(service, toString(s->type), fromArch, host, toArch);
    }
    if (const auto port = s->effectivePort()) {
        for (const Service *other : registry.servicesOnMachineOf(host)) {
            if (other->name != service && other->effectivePort() == port)
                return QStringLiteral("port %1 is already used on %2 by %3")
                    .arg(*port)
                    .arg(host, other->name);
        }
    }
    if (const auto seen = lastSeen.constFind(host); seen != lastSeen.cend() && !seen->reachable)
        return QStringLiteral("%1 did not answer the last observation (%2)").arg(host, seen->error);
    return std::nullopt;
}

Result<QList<DeploymentRecord>> DeployWorkflow::move(const Registry &registry,
                                                     const QString &service, const QString &host,
                                                     const DeployOptions &options,
                                                     const ProgressFn &progress)
{
    // Arches the registry leaves out are those the hosts reported; a host never contacted is
    // asked now (one round trip), so a local/native service never lands on another arch.
    auto history = m_store();
    if (!history)
        return history.error();
    const auto knownArch = [&](const QString &name) {
        QString arch = (*history)->hostArch(name);
        if (arch.isEmpty() && registry.host(name)) {
            for (const HostState &h : m_heal.observe(registry, {}, {name}))
                arch = archOf(h.os, h.arch);
            if (!arch.isEmpty())
                (void)(*history)->recordHostArch(name, arch);
        }
        return arch;
    };
    if (const auto refusal = moveRefusal(registry, service, host, knownArch))
        return Error{ErrorCode::Conflict,
                     QStringLiteral("cannot move %1 to %2: %3").arg(service, host, *refusal)};
    Registry moved = registry;
    const Service original = *registry.service(service);
    moved.services[service].currentHost = host;
    auto plan = this->plan(moved, PlanRequest{PlanIntent::Deploy, {service}, false, false});
    if (!plan)
        return plan.error();
    for (PlannedService &p : plan->services) {
        if (p.service == service && p.action != PlanAction::Move) {
            p.action = PlanAction::Move; // nothing recorded yet on the old host: still a move
            p.fromHost = original.currentHost;
            p.why = QStringLiteral("moves from %1 to %2").arg(original.currentHost, host);
        }
    }
    auto records = deploy(moved, *plan, options, progress);
    if (!records)
        return records;
    for (const DeploymentRecord &r : *records) {
        if (r.service != service)
            continue;
        if (!r.succeeded())
            return records; // still on the old host; the registry is left as it was
        if (auto edited = RegistryEditor::setCurrentHost(original, host); !edited)
            return Error{
                edited.error().code,
                QStringLiteral("%1 now runs on %2, but the registry could not be updated: %3")
                    .arg(service, host, edited.error().message)};
        m_proxy.updateRoute(moved, *moved.service(service), progress);
    }
    return records;
}

Result<DeploymentRecord> DeployWorkflow::rollback(const Registry &registry, qint64 recordId,
                                                  const DeployOptions &options,
                                                  const ProgressFn &progress)
{
    return withEngine([&](DeployEngine &engine) {
        return engine.rollback(registry, recordId, options, progress);
    });
}

} // namespace Portoser
