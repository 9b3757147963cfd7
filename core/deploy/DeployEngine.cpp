// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/DeployEngine.h"

#include "core/deploy/ComposeFile.h"
#include "core/deploy/ConfigDiff.h"
#include "core/deploy/RemoteScripts.h"
#include "core/deploy/ServiceLock.h"
#include "core/deploy/ServiceObserver.h"
#include "core/history/HistoryStore.h"
#include "core/registry/DependencyGraph.h"
#include "core/registry/RegistryJson.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

/** A service's secret values (none needed: an empty map). */
static Result<QMap<QString, QString>> resolveSecrets(const Service &service,
                                                     const SecretAccess &secrets)
{
    if (service.secrets.isEmpty())
        return QMap<QString, QString>();
    if (!secrets.values)
        return Error{ErrorCode::Failed,
                     u"%1 uses secrets and this deploy has no secrets store"_s.arg(service.name)};
    return secrets.values(service);
}

/** The service a plan entry runs: a rerun runs what its deployed snapshot says, not the
 *  registry's current word. */
Service serviceOf(const Registry &registry, const PlannedService &p)
{
    if (!p.rerun)
        return *registry.service(p.service);
    Service s = RegistryJson::serviceFromJson(p.config);
    s.name = p.service;
    s.currentHost = p.host;
    return s;
}

QString fingerprintOf(const QList<PlannedService> &services)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const PlannedService &p : services) {
        const QByteArray entry = p.service.toUtf8() + '\0' + p.host.toUtf8() + '\0'
                                 + p.liveRelease.toUtf8() + '\0'
                                 + QJsonDocument(p.config).toJson(QJsonDocument::Compact) + '\0';
        hash.addData(entry);
    }
    return QString::fromLatin1(hash.result().toHex().left(16));
}

/** Names what differs between a reviewed plan and a fresh one, for the refusal. */
QString whatChanged(const DeployPlan &reviewed, const DeployPlan &fresh)
{
    QStringList changes;
    for (const PlannedService &was : reviewed.services) {
        const auto now =
            std::find_if(fresh.services.cbegin(), fresh.services.cend(),
                         [&](const PlannedService &p) { return p.service == was.service; });
        if (now == fresh.services.cend())
            changes.append(u"%1 is no longer in the plan"_s.arg(was.service));
        else if (now->host != was.host)
            changes.append(u"%1 now goes to %2"_s.arg(was.service, now->host));
        else if (now->liveRelease != was.liveRelease)
            changes.append(u"%1 on %2 now runs release %3"_s.arg(
                was.service, was.host, now->liveRelease.isEmpty() ? u"none"_s : now->liveRelease));
        else if (now->config != was.config)
            changes.append(u"the configuration of %1 changed"_s.arg(was.service));
    }
    if (fresh.services.size() > reviewed.services.size())
        changes.append(u"the plan has more services now"_s);
    return changes.isEmpty() ? u"the plan's services differ"_s : changes.join(u"; "_s);
}

/** A service to start in a wave: its record, where, what, and its secrets' values. */
struct StartItem
{
    qsizetype record = 0;
    Host host;
    Service service;
    PlannedService planned;
    QMap<QString, QString> secrets;
};

/** Takes the coordinator locks of `names`, in name order: one order for every coordinator
 *  and every way in, so two deploys never each hold what the other waits for. */
Result<std::vector<std::unique_ptr<ServiceLock>>> lockServices(QStringList names,
                                                               const DeployOptions &options)
{
    names.sort();
    names.removeDuplicates();
    std::vector<std::unique_ptr<ServiceLock>> locks;
    for (const QString &name : std::as_const(names)) {
        auto lock =
            ServiceLock::acquire(name, u"deploy by %1"_s.arg(options.actor), options.lockWait);
        if (!lock)
            return lock.error();
        locks.push_back(std::move(*lock));
    }
    return locks;
}

/** Stages each item (a cancel reaches those not staged yet), then activates them together, the
 *  host's `max_parallel` at a time, on the host's own worker thread. */
QList<ServiceRun> startTogether(Transport &t, const QList<StartItem> &items,
                                const DeployOptions &options, const ProgressFn &progress)
{
    // Batches of at most the host's max_parallel; a docker service alone (services of one compose
    // project starting at once race on creating its network).
    QList<QList<StartItem>> chunks;
    const qsizetype together = items.isEmpty() ? 1 : std::max(1, items.first().host.maxParallel);
    for (const StartItem &item : items) {
        const bool alone = Runtime::forService(item.service).kind == Runtime::Kind::Docker;
        if (chunks.isEmpty() || alone || chunks.last().size() >= together
            || (chunks.last().size() == 1
                && Runtime::forService(chunks.last().first().service).kind
                       == Runtime::Kind::Docker))
            chunks.append(QList<StartItem>());
        chunks.last().append(item);
    }
    QList<ServiceRun> runs;
    for (const QList<StartItem> &chunk : std::as_const(chunks)) {
        std::vector<ServiceDeployer::Staged> staged;
        staged.reserve(size_t(chunk.size()));
        for (const StartItem &item : chunk) {
            if (options.isCancelled()) {
                const QString why = u"cancelled by %1 before it started"_s.arg(options.actor);
                if (progress)
                    progress({item.planned.service, item.host.name, DeployStep::Cancelled, why});
                ServiceDeployer::Staged cancelled;
                cancelled.run = ServiceRun{Outcome::Cancelled, why, {}, {}, {}, {}, {}};
                staged.push_back(std::move(cancelled));
                continue;
            }
            staged.push_back(ServiceDeployer::stage(t, item.host, item.service, item.planned,
                                                    item.secrets, progress));
        }
        QList<ServiceDeployer::Staged *> batch;
        for (ServiceDeployer::Staged &one : staged)
            batch.append(&one);
        ServiceDeployer::activateTogether(t, batch);
        for (const ServiceDeployer::Staged &one : staged)
            runs.append(one.run);
    }
    return runs;
}

/** A docker service's move leaves its volumes' data on the old host (Portoser never deletes or
 *  copies a volume): what the plan must say, or empty. */
QString volumesStayBehind(const Registry &registry, const PlannedService &p)
{
    const Service &s = *registry.service(p.service);
    if (s.type != DeploymentType::Docker)
        return {};
    const Runtime runtime = Runtime::forService(s);
    if (!runtime.composeInRelease || p.release.sourceDir.isEmpty())
        return u"%1 moves from %2 to %3: data it keeps in docker volumes stays on %2 (Portoser "
               "neither copies nor deletes volumes)"_s.arg(p.service, p.fromHost, p.host);
    QFile file(p.release.sourceDir + u'/' + runtime.composeFile);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QStringList volumes =
        ComposeFile::namedVolumes(file.read(4 << 20), runtime.composeService);
    if (volumes.isEmpty())
        return {};
    return u"%1 moves from %2 to %3: its docker volume(s) %4 stay on %2 with their data, and "
           "start empty on %3 (Portoser neither copies nor deletes volumes; copy the data "
           "first if it must move)"_s.arg(p.service, p.fromHost, p.host, volumes.join(u", "_s));
}

/** The runtime with how the host runs compose, as its transport found it (else the host finds out).
 */
Runtime withCli(Runtime runtime, const Transport &t)
{
    runtime.composeCli = t.composeCli;
    return runtime;
}

/** docker: the image IDs the release ran join its record's config (history shows them, and a
 *  config diff names an image that changed under the same tag). */
void noteImages(DeploymentRecord &record, const ServiceRun &run)
{
    if (run.images.isEmpty())
        return;
    QJsonObject images;
    for (auto it = run.images.cbegin(); it != run.images.cend(); ++it)
        images.insert(it.key(), it.value());
    record.config.insert(u"images"_s, images);
}

} // namespace

DeployEngine::DeployEngine(HostPool &pool, HistoryStore &history, SecretAccess secrets)
    : m_pool(pool)
    , m_history(history)
    , m_secrets(std::move(secrets))
{}

Result<DeployPlan> DeployEngine::plan(const Registry &registry, const PlanRequest &request)
{
    return makePlan(registry, request, false);
}

void DeployEngine::planRerun(PlannedService &p, const DeploymentRecord &deployed,
                             const ServiceState &state, bool restart)
{
    p.rerun = true;
    p.host = deployed.host;
    p.config = deployed.config;
    p.config.remove(u"images"_s); // what this run starts is known when it has passed
    p.configDiff.clear();         // nothing new is installed
    p.release = Release{};
    p.release.id = deployed.releaseId;
    p.releaseMustBeOnHost = true;
    const bool well = state.state == u"running"_s && state.health != u"unhealthy"_s;
    if (!restart && well) {
        p.action = PlanAction::NoOp;
        p.why = u"already running"_s;
        return;
    }
    p.action = PlanAction::Restart;
    p.why = restart                       ? u"restart requested"_s
            : !state.error.isEmpty()      ? u"host not reachable: %1"_s.arg(state.error)
            : state.state == u"running"_s ? u"running but unhealthy"_s
                                          : u"not running (%1)"_s.arg(state.state);
}

Result<DeployPlan> DeployEngine::makePlan(const Registry &registry, const PlanRequest &request,
                                          bool hostFactsForChanges)
{
    const DependencyGraph graph(registry);
    const QList<QStringList> waves = graph.waves(request.services);
    // The plan looks at the hosts after hashing sources and reading the history: their sessions
    // open meanwhile (each host's SSH handshake overlaps this process's own work).
    for (const QStringList &wave : waves) {
        for (const QString &name : wave)
            m_pool.worker(*registry.host(registry.service(name)->currentHost)).warmUp();
    }
    const QString registryDir = QFileInfo(registry.path).absolutePath();
    const bool deploying = request.intent == PlanIntent::Deploy;
    const auto isRequested = [&](const QString &name) {
        return request.services.isEmpty() || request.services.contains(name);
    };
    // Who pulled a dependency in, for the reason shown with it.
    const auto neededBy = [&](const QString &dependency) {
        QStringList by;
        for (const QString &name : request.services) {
            if (name != dependency && graph.closure({name}).contains(dependency))
                by.append(name);
        }
        return by.join(u", "_s);
    };

    // What each service would install and what it installed last: most changes are known
    // before looking at the hosts, which decides how much that look must gather.
    DeployPlan plan;
    plan.request = request;
    plan.createdAt = QDateTime::currentDateTimeUtc();
    QList<std::optional<DeploymentRecord>> lastRecords;
    QStringList ordered;
    bool changeKnown = request.force || !deploying;
    for (qsizetype w = 0; w < waves.size(); ++w) {
        for (const QString &name : waves.at(w)) {
            const Service &s = *registry.service(name);
            const Host &h = *registry.host(s.currentHost);
            PlannedService p;
            p.service = name;
            p.host = h.name;
            p.wave = int(w);
            p.requested = isRequested(name);
            // What the registry would install: a deploy's target; for a start or restart only the
            // named services' "the registry differs" note needs it (a source tree is hashed, so a
            // heal of one service does not hash every dependency's).
            auto release = deploying || p.requested
                               ? ReleaseBuilder::build(registryDir, s.source)
                               : Result<Release>(Error{ErrorCode::Failed, u"not needed"_s});
            if (!release && deploying)
                return Error{release.error().code,
                             u"service %1: %2"_s.arg(name, release.error().message)};
            if (release) {
                p.release = *release;
                p.config = ServiceDeployer::snapshot(s, h, *release);
                if (!s.secrets.isEmpty() && m_secrets.versions) {
                    // Unreadable secrets are not the plan's failure: that service's deploy
                    // stops with the reason, before it reaches its host.
                    if (auto versions = m_secrets.versions(s))
                        p.config.insert(u"secret_versions"_s, *versions);
                }
            }
            auto last = m_history.lastSucceeded(name);
            if (!last)
                return last.error();
            if (last->has_value() && release) {
                // The images a docker release ran are known only after it ran: not a change.
                QJsonObject before = (*last)->config;
                before.remove(u"images"_s);
                p.configDiff = ConfigDiff::between(before, p.config);
            }
            changeKnown |= !last->has_value() || (*last)->host != h.name || !p.configDiff.isEmpty();
            plan.services.append(p);
            lastRecords.append(*last);
            ordered.append(name);
        }
    }
    // A start or restart runs what is deployed, where it is deployed: look at it there, as it was
    // deployed (its host, its probe), not where the registry may have moved it since.
    Registry seenAs = registry;
    if (!deploying) {
        for (qsizetype i = 0; i < ordered.size(); ++i) {
            const std::optional<DeploymentRecord> &last = lastRecords.at(i);
            if (!last || !registry.host(last->host))
                continue;
            Service deployed = RegistryJson::serviceFromJson(last->config);
            deployed.name = ordered.at(i);
            deployed.currentHost = last->host;
            seenAs.services[deployed.name] = deployed;
        }
    }
    QMap<QString, ServiceState> live;
    if (hostFactsForChanges && changeKnown) {
        plan.observed = ServiceObserver(m_pool).observeHosts(seenAs, ordered);
        for (const HostState &host : std::as_const(plan.observed)) {
            for (const ServiceState &state : host.services)
                live.insert(state.service, state);
        }
    } else {
        live = ServiceObserver(m_pool).observe(seenAs, ordered);
    }

    for (qsizetype i = 0; i < plan.services.size(); ++i) {
        PlannedService &p = plan.services[i];
        const ServiceState state = live.value(p.service);
        const std::optional<DeploymentRecord> &last = lastRecords.at(i);
        p.liveRelease = state.release;
        p.liveState = state.state;
        if (!deploying) {
            // Start and restart run what is deployed, never what the registry says now.
            const bool running = state.state == u"running"_s;
            if (p.requested || (request.withDependencies && !running)) {
                if (!last)
                    return Error{
                        ErrorCode::NotFound,
                        p.requested
                            ? u"%1 has never been deployed: deploy it first"_s.arg(p.service)
                            : u"%1 (needed by %2) has never been deployed: deploy it "
                              "first"_s.arg(p.service, neededBy(p.service))};
                if (!registry.host(last->host))
                    return Error{ErrorCode::NotFound,
                                 u"%1 was deployed on %2, which is no longer in the registry"_s.arg(
                                     p.service, last->host)};
                const QStringList undeployed = p.configDiff;
                planRerun(p, *last, state, p.requested && request.intent == PlanIntent::Restart);
                if (!p.requested && p.action != PlanAction::NoOp)
                    p.why = u"needed by %1, %2"_s.arg(neededBy(p.service), p.why);
                if (p.requested && p.action != PlanAction::NoOp && !undeployed.isEmpty())
                    plan.notes.append(
                        u"%1: the registry differs from what is deployed (%2); this %3 runs what "
                        "is deployed — deploy %1 to apply it"_s.arg(
                            p.service, undeployed.join(u"; "_s), toString(request.intent)));
            } else {
                if (last)
                    planRerun(p, *last, state, false); // its deployed snapshot, for the record
                p.action = PlanAction::NoOp;
                p.why = running ? u"running"_s : u"left as it is (%1)"_s.arg(state.state);
                if (!running)
                    plan.notes.append(
                        u"%1 (needed by %2) is %3; --with-dependencies starts it "
                        "too"_s.arg(p.service, neededBy(p.service),
                                    state.state.isEmpty() ? u"unknown"_s : state.state));
            }
            continue;
        }
        if (!last) {
            p.action = PlanAction::Fresh;
            p.why = u"no successful deploy recorded"_s;
        } else if (last->host != p.host) {
            p.action = PlanAction::Move;
            p.fromHost = last->host;
            p.why = u"moves from %1 to %2"_s.arg(last->host, p.host);
            if (const QString warning = volumesStayBehind(registry, p); !warning.isEmpty())
                plan.notes.append(warning);
        } else if (state.release != p.release.id) {
            p.action = PlanAction::Update;
            p.why = state.release.isEmpty() ? u"not on the host"_s
                                            : u"release %1 → %2"_s.arg(state.release, p.release.id);
        } else if (!p.configDiff.isEmpty()) {
            p.action = PlanAction::Restart;
            p.why = u"configuration changed"_s;
        } else if (state.state != u"running"_s || state.health == u"unhealthy"_s) {
            p.action = PlanAction::Restart;
            p.why = !state.error.isEmpty()        ? u"host not reachable: %1"_s.arg(state.error)
                    : state.state == u"running"_s ? u"running but unhealthy"_s
                                                  : u"not running (%1)"_s.arg(state.state);
        } else if (request.force && p.requested) {
            p.action = PlanAction::Restart;
            p.why = u"forced"_s;
        } else {
            p.why = u"up to date and running"_s;
        }
        // Anything beyond what was asked for is said, with why, before it runs.
        if (!p.requested && p.action != PlanAction::NoOp)
            p.why = u"needed by %1: %2"_s.arg(neededBy(p.service), p.why);
    }
    plan.fingerprint = fingerprintOf(plan.services);
    return plan;
}

Result<QList<DeploymentRecord>> DeployEngine::apply(const Registry &registry,
                                                    const DeployPlan &plan,
                                                    const DeployOptions &options,
                                                    const ProgressFn &progress)
{
    if (!plan.hasChanges())
        return QList<DeploymentRecord>(); // nothing to change, nothing to verify
    // Locks first, then a fresh look: the plan must still describe what is there.
    QStringList names, changing;
    for (const PlannedService &p : plan.services) {
        names.append(p.service);
        if (p.action != PlanAction::NoOp)
            changing.append(p.service);
    }
    const auto locks = lockServices(changing, options);
    if (!locks)
        return locks.error();
    auto fresh = this->plan(registry, plan.request);
    if (!fresh)
        return fresh.error();
    if (fresh->fingerprint != plan.fingerprint)
        return Error{ErrorCode::Conflict,
                     u"the registry or the hosts changed since this plan was made (%1); review "
                     "the new plan and deploy again"_s.arg(whatChanged(plan, *fresh))};
    // What runs is what this coordinator planned just now — the same, by the fingerprint — never
    // the entries as handed in: a plan file or an API body could carry any command or source.
    // Only the reviewed actions are kept (a move planned as one, a redeploy marked by hand).
    DeployPlan checked = *fresh;
    for (PlannedService &p : checked.services) {
        const auto reviewed =
            std::find_if(plan.services.cbegin(), plan.services.cend(),
                         [&](const PlannedService &r) { return r.service == p.service; });
        if (reviewed == plan.services.cend()) {
            p.action = PlanAction::NoOp; // never reviewed: never run
            continue;
        }
        p.action = reviewed->action;
        p.why = reviewed->why;
        if (reviewed->action == PlanAction::Move)
            p.fromHost = reviewed->fromHost;
    }
    return run(registry, checked, options, progress);
}

Result<LockedPlan> DeployEngine::planLocked(const Registry &registry, const PlanRequest &request,
                                            const DeployOptions &options)
{
    LockedPlan locked;
    QStringList names; // what the plan will cover: the services and what they need
    for (const QStringList &wave : DependencyGraph(registry).waves(request.services))
        names += wave;
    auto locks = lockServices(names, options);
    if (!locks)
        return locks.error();
    locked.locks = std::move(*locks);
    // A heal before the deploy needs the hosts' facts: gathered in the same look when the
    // plan is sure to change something.
    auto made = makePlan(registry, request, options.autoHeal);
    if (!made)
        return made.error();
    locked.plan = std::move(*made);
    return locked;
}

Result<QList<DeploymentRecord>> DeployEngine::apply(const Registry &registry,
                                                    const LockedPlan &locked,
                                                    const DeployOptions &options,
                                                    const ProgressFn &progress)
{
    return run(registry, locked.plan, options, progress); // made under its locks: still true
}

Result<QList<DeploymentRecord>> DeployEngine::run(const Registry &registry, const DeployPlan &plan,
                                                  const DeployOptions &options,
                                                  const ProgressFn &progress)
{
    QList<DeploymentRecord> records;
    QSet<QString> broken; // failed services, whose dependents must not start
    const DependencyGraph graph(registry);
    int currentWave = -1;
    // One wave's services per host, started together on that host's worker (their gates
    // overlap), then waited for all at once before the next wave.
    QMap<QString, QList<StartItem>> batches;
    QList<QPair<QList<qsizetype>, QFuture<QList<ServiceRun>>>> running;
    const auto collect = [&] {
        for (auto it = batches.cbegin(); it != batches.cend(); ++it) {
            const QList<StartItem> items = it.value();
            QList<qsizetype> indexes;
            for (const StartItem &item : items)
                indexes.append(item.record);
            running.append(
                {indexes, m_pool.worker(items.first().host)
                              .submit<QList<ServiceRun>>([items, progress, options](Transport &t) {
                                  return startTogether(t, items, options, progress);
                              })});
        }
        batches.clear();
        QList<QPair<qsizetype, ServiceRun>> ended;
        for (auto &[indexes, future] : running) {
            const QList<ServiceRun> runs = future.result();
            for (qsizetype i = 0; i < indexes.size() && i < runs.size(); ++i)
                ended.append({indexes.at(i), runs.at(i)});
        }
        for (const auto &[index, run] : std::as_const(ended)) {
            DeploymentRecord &r = records[index];
            r.outcome = run.outcome;
            r.reason = run.reason;
            r.releaseId = run.releaseId;
            r.previousReleaseId = run.previousReleaseId;
            r.steps = run.steps;
            noteImages(r, run);
            r.endedAt = QDateTime::currentDateTimeUtc();
            if (run.outcome != Outcome::Succeeded)
                broken.insert(r.service);
            (void)m_history.finish(r);
            if (!run.detectedArch.isEmpty())
                (void)m_history.recordHostArch(r.host, run.detectedArch);
        }
        running.clear();
    };
    // Apply what was reviewed (its actions), now that it is known to still describe the cluster.
    for (const PlannedService &p : plan.services) {
        if (p.wave != currentWave) {
            collect(); // a wave starts only when the one before it has ended
            currentWave = p.wave;
        }
        if (p.action == PlanAction::NoOp)
            continue;
        const Service s = serviceOf(registry, p);
        const Host &h = *registry.host(p.host);
        DeploymentRecord record;
        record.service = p.service;
        record.host = p.host;
        record.fromHost = p.fromHost;
        record.action = p.action == PlanAction::Move ? RecordAction::Move
                        : plan.request.intent == PlanIntent::Start || (p.rerun && !p.requested)
                            ? RecordAction::Start // a dependency started for a restart is a start
                        : p.action == PlanAction::Restart ? RecordAction::Restart
                                                          : RecordAction::Deploy;
        record.actor = options.actor;
        record.releaseId = p.release.id;
        record.config = p.config;
        if (auto begun = m_history.begin(record); !begun)
            return begun.error();
        QStringList failedDeps;
        for (const QString &dep : graph.dependenciesOf(p.service)) {
            if (broken.contains(dep))
                failedDeps.append(dep);
        }
        records.append(record);
        // Ends the record before anything reaches the host: a failed dependency, or secrets
        // that could not be fetched.
        auto endUnstarted = [&](Outcome outcome, const QString &reason) {
            DeploymentRecord &r = records.last();
            r.outcome = outcome;
            r.reason = reason;
            r.endedAt = QDateTime::currentDateTimeUtc();
            broken.insert(p.service);
            (void)m_history.finish(r);
            if (progress)
                progress({p.service, p.host, endStep(outcome), r.reason});
        };
        if (options.isCancelled()) {
            endUnstarted(Outcome::Cancelled,
                         u"cancelled by %1 before it started"_s.arg(options.actor));
            continue;
        }
        if (!failedDeps.isEmpty()) {
            endUnstarted(Outcome::Skipped, u"not deployed because its dependency %1 failed"_s.arg(
                                               failedDeps.join(u", "_s)));
            continue;
        }
        // A rerun keeps the env file its deploy wrote; only new config fetches secrets.
        auto secretValues = p.rerun ? Result<QMap<QString, QString>>(QMap<QString, QString>())
                                    : resolveSecrets(s, m_secrets);
        if (!secretValues) {
            endUnstarted(Outcome::Failed, secretValues.error().message);
            continue;
        }
        batches[h.name].append({records.size() - 1, h, s, p, *secretValues});
    }
    collect();

    // Moves: the new instance passed its gate; now stop the old one.
    for (DeploymentRecord &r : records) {
        if (r.action != RecordAction::Move || !r.succeeded() || r.fromHost.isEmpty())
            continue;
        const Host *old = registry.host(r.fromHost);
        const Service *s = registry.service(r.service);
        if (!old) {
            r.steps.append({u"stop old"_s, 0, false,
                            u"host %1 is no longer in the registry"_s.arg(r.fromHost)});
        } else {
            const Host oldHost = *old;
            const QString name = s->name;
            const int timeout = s->stopTimeoutSeconds;
            const Runtime runtime = Runtime::forService(*s);
            QElapsedTimer clock;
            clock.start();
            const auto stopped =
                m_pool.worker(oldHost)
                    .submit<Result<CommandResult>>([oldHost, name, runtime, timeout](Transport &t) {
                        return t.run(
                            RemoteScripts::stop(oldHost, name, withCli(runtime, t), timeout),
                            std::chrono::seconds(timeout + 30));
                    })
                    .result();
            r.steps.append(
                {u"stop old"_s, clock.elapsed(), stopped.ok(),
                 stopped ? u"stopped on %1"_s.arg(r.fromHost) : stopped.error().message});
        }
        (void)m_history.finish(r);
    }
    return records;
}

Result<DeploymentRecord> DeployEngine::rollback(const Registry &registry, qint64 recordId,
                                                const DeployOptions &options,
                                                const ProgressFn &progress)
{
    auto target = m_history.get(recordId);
    if (!target)
        return target.error();
    const DeploymentRecord &x = *target;
    if (!x.installedRelease())
        return Error{ErrorCode::InvalidInput,
                     u"record %1 (%2 of %3) installed no release to return to"_s.arg(recordId).arg(
                         toString(x.action), x.service)};
    if (!x.canRollBack() && !options.force)
        return Error{ErrorCode::Conflict,
                     u"record %1 (%2 of %3) ended %4: what it deployed did not pass its gate "
                     "there; add --force to return to it anyway"_s.arg(recordId)
                         .arg(toString(x.action), x.service, toString(x.outcome))};
    const Service *now = registry.service(x.service);
    if (!now)
        return Error{ErrorCode::NotFound,
                     u"service %1 is no longer in the registry"_s.arg(x.service)};
    if (now->currentHost != x.host)
        return Error{ErrorCode::Conflict,
                     u"%1 runs on %2 now but record %3 was on %4; move it back first"_s.arg(
                         x.service, now->currentHost, QString::number(recordId), x.host)};
    const Host host = *registry.host(x.host);
    auto lock =
        ServiceLock::acquire(x.service, u"rollback by %1"_s.arg(options.actor), options.lockWait);
    if (!lock)
        return lock.error();

    Service service = RegistryJson::serviceFromJson(x.config);
    service.name = x.service;
    PlannedService p;
    p.service = x.service;
    p.host = x.host;
    p.action = PlanAction::Update;
    p.release.id = x.releaseId;
    p.releaseMustBeOnHost = true;
    p.config = x.config;

    DeploymentRecord record;
    record.service = x.service;
    record.host = x.host;
    record.action = RecordAction::Rollback;
    record.actor = options.actor;
    record.releaseId = x.releaseId;
    record.config = x.config;
    record.config.remove(u"images"_s); // what this run starts is known when it has passed
    record.reason = u"rollback to record %1"_s.arg(recordId);
    if (!service.secrets.isEmpty() && m_secrets.versions) {
        // The env gets today's values: the record says which versions those are.
        if (auto versions = m_secrets.versions(service))
            record.config.insert(u"secret_versions"_s, *versions);
    }
    if (auto begun = m_history.begin(record); !begun)
        return begun.error();
    const auto secretValues = resolveSecrets(service, m_secrets);
    const ServiceRun run =
        secretValues
            ? m_pool.worker(host)
                  .submit<ServiceRun>(
                      [host, service, p, values = *secretValues, progress](Transport &t) {
                          return ServiceDeployer::run(t, host, service, p, values, progress);
                      })
                  .result()
            : ServiceRun{Outcome::Failed, secretValues.error().message, {}, {}, {}, {}, {}};
    record.outcome = run.outcome;
    record.reason = run.reason.isEmpty() ? record.reason : run.reason;
    record.previousReleaseId = run.previousReleaseId;
    record.steps = run.steps;
    noteImages(record, run);
    record.endedAt = QDateTime::currentDateTimeUtc();
    (void)m_history.finish(record);
    return record;
}

Result<DeploymentRecord> DeployEngine::stop(const Registry &registry, const QString &service,
                                            const QString &actor)
{
    const Service *s = registry.service(service);
    if (!s)
        return registry.unknownServiceError(service);
    const Host host = *registry.host(s->currentHost);
    auto lock = ServiceLock::acquire(service, u"stop by %1"_s.arg(actor), DeployOptions{}.lockWait);
    if (!lock)
        return lock.error();
    DeploymentRecord record;
    record.service = service;
    record.host = host.name;
    record.action = RecordAction::Stop;
    record.actor = actor;
    if (auto begun = m_history.begin(record); !begun)
        return begun.error();
    const int timeout = s->stopTimeoutSeconds;
    QElapsedTimer clock;
    clock.start();
    const Runtime runtime = Runtime::forService(*s);
    const auto stopped =
        m_pool.worker(host)
            .submit<Result<CommandResult>>([host, service, runtime, timeout](Transport &t) {
                return t.run(RemoteScripts::stop(host, service, withCli(runtime, t), timeout),
                             std::chrono::seconds(timeout + 30));
            })
            .result();
    record.steps.append(
        {u"stop"_s, clock.elapsed(), stopped.ok(), stopped ? QString() : stopped.error().message});
    const bool absent =
        stopped
        && RemoteScripts::parseKeyValues(stopped->out).value(u"result"_s) == u"not_deployed"_s;
    record.outcome = !stopped ? Outcome::Failed : absent ? Outcome::Skipped : Outcome::Succeeded;
    record.reason = !stopped ? stopped.error().message
                    : absent
                        ? u"%1 is not deployed on %2: nothing to stop"_s.arg(service, host.name)
                        : QString();
    record.endedAt = QDateTime::currentDateTimeUtc();
    (void)m_history.finish(record);
    return record;
}

} // namespace Portoser