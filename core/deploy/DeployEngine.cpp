// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/DeployEngine.h"

#include "core/deploy/ConfigDiff.h"
#include "core/deploy/RemoteScripts.h"
#include "core/deploy/ServiceLock.h"
#include "core/deploy/ServiceObserver.h"
#include "core/history/HistoryStore.h"
#include "core/registry/DependencyGraph.h"
#include "core/registry/RegistryLoader.h"
#include "core/registry/RegistryJson.h"
#include "core/transport/ShellCommand.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSet>

#include <unistd.h>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

constexpr int StaleHostLockSeconds = 15 * 60;
constexpr auto ServiceLockWait = 30s;
constexpr qsizetype StepOutputTail = 2000;

QString normalisedArch(const QString &os, const QString &machine)
{
    const QString cpu = (machine == u"x86_64"_s || machine == u"amd64"_s) ? u"amd64"_s
                        : (machine == u"aarch64"_s || machine == u"arm64"_s) ? u"arm64"_s
                                                                               : machine;
    const QString system = os == u"Darwin"_s ? u"apple"_s : os.toLower();
    return cpu + u'-' + system;
}

/** The config a deploy installs: the resolved service plus where it goes. */
QJsonObject snapshot(const Service &s, const Host &h, const Release &release)
{
    QJsonObject o = RegistryJson::toJson(s);
    o.remove(u"location"_s);
    o.insert(u"host"_s, QJsonObject{{u"name"_s, h.name}, {u"address"_s, h.address()}, {u"path"_s, h.path}});
    o.insert(u"release"_s, release.id);
    return o;
}

/** KEY='value' lines for the worker's env file (sourced with set -a). */
QString renderEnv(const Service &s, const Release &release)
{
    QMap<QString, QString> env = s.env;
    env.insert(u"PORTOSER_SERVICE"_s, s.name);
    env.insert(u"PORTOSER_RELEASE"_s, release.id);
    if (const auto port = s.effectivePort(); port && !env.contains(u"PORT"_s))
        env.insert(u"PORT"_s, QString::number(*port));
    QString text;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        text += it.key() + u'=' + ShellCommand::quote(it.value()) + u'\n';
    return text;
}

QString tail(const QByteArray &bytes)
{
    return QString::fromUtf8(bytes.right(StepOutputTail)).trimmed();
}

/** What a service deploy on its worker produced. */
struct ServiceRun
{
    QString outcome; // succeeded | failed | rolled_back
    QString reason;
    QString releaseId;
    QString previousReleaseId;
    QList<StepRecord> steps;
};

/** Runs the deploy of one service on its host's worker thread. */
/** A service.yml that lives only on the host is fetched and read there. */
Result<Service> withServiceFileFromHost(Transport &t, const Host &host, Service service)
{
    const bool needsFile = (service.type == DeploymentType::Native || service.type == DeploymentType::Local)
                           && !service.serviceFile && !service.serviceFilePath.isEmpty() && service.command.isEmpty();
    if (!needsFile)
        return service;
    const auto fetched = t.run(RemoteScripts::readServiceFile(host, service.serviceFilePath), 30s);
    if (!fetched)
        return fetched.error();
    if (fetched->exitCode != 0)
        return Error{ErrorCode::NotFound, u"cannot read its service_file: %1"_s.arg(tail(fetched->err))};
    auto parsed = RegistryLoader().parseServiceFile(fetched->out, u"%1:%2"_s.arg(host.name, service.serviceFilePath));
    if (!parsed)
        return parsed.error();
    service.serviceFile = *parsed;
    return service;
}

ServiceRun deployOn(Transport &t, const Host &host, const Service &declared, const PlannedService &planned,
                    const ProgressFn &progress)
{
    ServiceRun run;
    run.releaseId = planned.release.id;
    const auto report = [&](const QString &step, const QString &detail = {}) {
        if (progress)
            progress({declared.name, host.name, step, detail});
    };
    const auto fail = [&](const QString &step, const QString &reason, const QString &output = {}) {
        run.steps.append({step, 0, false, output});
        run.outcome = u"failed"_s;
        run.reason = reason;
        report(u"failed"_s, reason);
        return run;
    };
    QElapsedTimer clock;

    const auto resolved = withServiceFileFromHost(t, host, declared);
    if (!resolved)
        return fail(u"prepare"_s, u"%1 on %2: %3"_s.arg(declared.name, host.name, resolved.error().message));
    const Service &service = *resolved;
    const Runtime runtime = Runtime::forService(service);
    const QString command = !service.command.isEmpty() || !service.serviceFile ? service.command : service.serviceFile->start;
    if ((service.type == DeploymentType::Native && runtime.kind != Runtime::Kind::Native && command.isEmpty())
        || (service.type == DeploymentType::Local && command.isEmpty()))
        return fail(u"prepare"_s, u"%1 cannot be deployed yet: its service_file %2 is not beside the registry and "
                                  "reading it on the host is not supported yet"_s.arg(service.name, service.serviceFilePath));
    if (!service.secrets.isEmpty()) // never start a service without the secrets it was promised
        return fail(u"prepare"_s, u"%1 uses secrets (%2); the secrets store arrives with issue #7, so it is not "
                                  "deployed without them"_s.arg(service.name, QStringList(service.secrets.keys()).join(u", "_s)));

    // 1. Observe and take the host lock, in one round trip.
    report(u"prepare"_s);
    clock.start();
    const QString holder = u"coord=%1 pid=%2"_s.arg(QHostInfo::localHostName()).arg(::getpid());
    const auto prepared = t.run(RemoteScripts::prepare(host, service.name, planned.release.id, holder,
                                                       StaleHostLockSeconds), 60s);
    if (!prepared)
        return fail(u"prepare"_s, u"host %1: %2"_s.arg(host.name, prepared.error().message));
    const auto kv = RemoteScripts::parseKeyValues(prepared->out);
    if (prepared->exitCode == 75)
        return fail(u"prepare"_s, u"host %1 is locked for %2 by %3 (for %4 s)"_s.arg(
                                      host.name, service.name, kv.value(u"lock_holder"_s), kv.value(u"lock_age"_s)));
    if (prepared->exitCode != 0)
        return fail(u"prepare"_s, u"host %1: preparing %2 failed"_s.arg(host.name, service.name),
                    tail(prepared->err));
    run.previousReleaseId = kv.value(u"current"_s);
    QString note = u"%1 %2"_s.arg(kv.value(u"os"_s), kv.value(u"arch"_s));
    const QString detected = normalisedArch(kv.value(u"os"_s), kv.value(u"arch"_s));
    if (!host.arch.isEmpty() && !host.arch.contains(u'/') && host.arch != detected)
        note += u"; registry says arch %1 but the host is %2"_s.arg(host.arch, detected);
    run.steps.append({u"prepare"_s, clock.elapsed(), true, note});

    const auto unlock = [&] { (void)t.run(RemoteScripts::unlock(host, service.name), 30s); };

    // 2. Upload the release unless the host already has this content.
    Activation activation;
    if (kv.value(u"has_release"_s) != u"1"_s && planned.releaseMustBeOnHost) {
        unlock();
        return fail(u"upload"_s, u"release %1 is no longer on host %2 (pruned); it cannot be restored"_s.arg(
                                     planned.release.id, host.name));
    }
    if (kv.value(u"has_release"_s) != u"1"_s && !planned.release.sourceDir.isEmpty()) {
        report(u"upload"_s, u"%1 files, %2 bytes"_s.arg(planned.release.files).arg(planned.release.bytes));
        clock.restart();
        const auto dir = t.run(RemoteScripts::makeUploadDir(host, service.name), 30s);
        const QString uploadDir = dir ? RemoteScripts::parseKeyValues(dir->out).value(u"upload"_s) : QString();
        if (uploadDir.isEmpty()) {
            unlock();
            return fail(u"upload"_s, u"host %1: cannot create an upload directory"_s.arg(host.name));
        }
        if (auto sent = t.upload(planned.release.sourceDir, uploadDir); !sent) {
            unlock();
            return fail(u"upload"_s, u"host %1: upload failed: %2"_s.arg(host.name, sent.error().message));
        }
        activation.uploadDir = uploadDir;
        run.steps.append({u"upload"_s, clock.elapsed(), true,
                          u"%1 files, %2 bytes"_s.arg(planned.release.files).arg(planned.release.bytes)});
    } else {
        activation.emptyRelease = planned.release.sourceDir.isEmpty();
        run.steps.append({u"upload"_s, 0, true, u"release %1 already on the host"_s.arg(planned.release.id)});
    }

    // 3. Activate: env, stop, switch, start, health gate, revert, prune; one script, one round trip.
    activation.releaseId = planned.release.id;
    activation.envFileContent = renderEnv(service, planned.release);
    activation.runtime = runtime;
    activation.command = runtime.kind == Runtime::Kind::Docker
                             ? u"docker compose -p %1 up -d %2"_s.arg(runtime.project, runtime.composeService)
                         : runtime.kind == Runtime::Kind::Native ? runtime.start
                                                                 : command;
    activation.workingDir = service.workingDir;
    activation.stopTimeoutSeconds = service.stopTimeoutSeconds;
    activation.health = HealthProbe::forService(service);
    const auto deadline = std::chrono::seconds(2 * service.stopTimeoutSeconds + 2 * activation.health.budgetSeconds() + 60);
    QString currentStep;
    QElapsedTimer stepClock;
    QByteArray pending;
    const auto closeStep = [&](bool ok, const QString &output = {}) {
        if (!currentStep.isEmpty())
            run.steps.append({currentStep, stepClock.elapsed(), ok, output});
    };
    const auto activated = t.run(
        RemoteScripts::activate(host, service.name, activation), deadline,
        [&](const QByteArray &chunk, bool isStderr) {
            if (isStderr)
                return;
            pending += chunk; // step lines are timed here, as they arrive, in milliseconds
            qsizetype nl;
            while ((nl = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(nl);
                pending.remove(0, nl + 1);
                if (line.startsWith("step=")) {
                    closeStep(true);
                    currentStep = QString::fromUtf8(line.mid(5).split(' ').value(0));
                    stepClock.restart();
                    if (currentStep != u"done"_s)
                        report(currentStep);
                }
            }
        });
    if (!activated) {
        closeStep(false, activated.error().message);
        run.outcome = u"failed"_s;
        run.reason = u"host %1 during %2: %3"_s.arg(host.name, currentStep.isEmpty() ? u"activate"_s : currentStep,
                                                    activated.error().message);
        report(u"failed"_s, run.reason);
        return run;
    }
    const auto result = RemoteScripts::parseKeyValues(activated->out);
    const QString outcome = result.value(u"result"_s);
    QString healthDetail = result.value(u"health_detail"_s);
    QStringList logLines;
    for (const QByteArray &line : activated->out.split('\n')) {
        if (line.startsWith("health_log="))
            logLines.append(QString::fromUtf8(line.mid(11)));
    }
    if (!logLines.isEmpty())
        healthDetail += u'\n' + logLines.join(u'\n');
    if (outcome == u"ok"_s) {
        run.outcome = u"succeeded"_s;
        report(u"done"_s, u"release %1, pid %2"_s.arg(planned.release.id, result.value(u"pid"_s)));
    } else if (outcome.startsWith(u"rolled_back"_s)) {
        run.outcome = u"rolled_back"_s;
        run.reason = u"release %1 failed its health check (%2); reverted to %3%4"_s.arg(
            planned.release.id, healthDetail.section(u'\n', 0, 0), run.previousReleaseId,
            outcome == u"rolled_back_unhealthy"_s ? u", which is not healthy either"_s : QString());
        report(u"rolled back"_s, run.reason);
    } else {
        run.outcome = u"failed"_s;
        run.reason = result.value(u"reason"_s, u"release %1 failed its health check (%2) and there is no "
                                               "previous release to go back to"_s.arg(planned.release.id,
                                                                                      healthDetail.section(u'\n', 0, 0)));
        report(u"failed"_s, run.reason);
    }
    const bool stepOk = run.outcome == u"succeeded"_s;
    currentStep = currentStep == u"done"_s ? QString() : currentStep;
    closeStep(stepOk, healthDetail);
    if (!stepOk && !healthDetail.isEmpty()) {
        for (StepRecord &step : run.steps) {
            if (step.name == u"health"_s) {
                step.ok = false;
                step.output = healthDetail;
            }
        }
    }
    return run;
}

QString fingerprintOf(const QList<PlannedService> &services)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const PlannedService &p : services) {
        const QByteArray entry = p.service.toUtf8() + '\0' + p.host.toUtf8() + '\0' + p.liveRelease.toUtf8() + '\0'
                                 + QJsonDocument(p.config).toJson(QJsonDocument::Compact) + '\0';
        hash.addData(entry);
    }
    return QString::fromLatin1(hash.result().toHex().left(16));
}

} // namespace

QString toString(PlanAction action)
{
    switch (action) {
    case PlanAction::NoOp:
        return u"no-op"_s;
    case PlanAction::Fresh:
        return u"fresh"_s;
    case PlanAction::Restart:
        return u"restart"_s;
    case PlanAction::Update:
        return u"update"_s;
    case PlanAction::Move:
        return u"move"_s;
    }
    return {};
}

bool DeployPlan::hasChanges() const
{
    return std::any_of(services.begin(), services.end(),
                       [](const PlannedService &p) { return p.action != PlanAction::NoOp; });
}

QJsonObject DeployPlan::toJson() const
{
    QJsonArray items;
    for (const PlannedService &p : services) {
        items.append(QJsonObject{{u"service"_s, p.service},
                                 {u"host"_s, p.host},
                                 {u"from_host"_s, p.fromHost},
                                 {u"action"_s, toString(p.action)},
                                 {u"why"_s, p.why},
                                 {u"wave"_s, p.wave + 1},
                                 {u"release"_s, p.release.id},
                                 {u"source_dir"_s, p.release.sourceDir},
                                 {u"files"_s, p.release.files},
                                 {u"bytes"_s, p.release.bytes},
                                 {u"live_release"_s, p.liveRelease},
                                 {u"release_must_be_on_host"_s, p.releaseMustBeOnHost},
                                 {u"config"_s, p.config},
                                 {u"config_diff"_s, QJsonArray::fromStringList(p.configDiff)}});
    }
    return {{u"format"_s, u"portoser-plan/1"_s},
            {u"fingerprint"_s, fingerprint},
            {u"created_at"_s, createdAt.toString(Qt::ISODateWithMs)},
            {u"services"_s, items}};
}

Result<DeployPlan> DeployPlan::fromJson(const QJsonObject &json)
{
    if (json.value(u"format"_s).toString() != u"portoser-plan/1"_s)
        return Error{ErrorCode::ParseError, u"not a Portoser plan (format portoser-plan/1 expected)"_s};
    DeployPlan plan;
    plan.fingerprint = json.value(u"fingerprint"_s).toString();
    plan.createdAt = QDateTime::fromString(json.value(u"created_at"_s).toString(), Qt::ISODateWithMs);
    static const QHash<QString, PlanAction> actions = {{u"no-op"_s, PlanAction::NoOp}, {u"fresh"_s, PlanAction::Fresh},
                                                       {u"restart"_s, PlanAction::Restart}, {u"update"_s, PlanAction::Update},
                                                       {u"move"_s, PlanAction::Move}};
    for (const QJsonValue &v : json.value(u"services"_s).toArray()) {
        const QJsonObject o = v.toObject();
        PlannedService p;
        p.service = o.value(u"service"_s).toString();
        p.host = o.value(u"host"_s).toString();
        p.fromHost = o.value(u"from_host"_s).toString();
        const QString action = o.value(u"action"_s).toString();
        if (!actions.contains(action) || p.service.isEmpty() || p.host.isEmpty())
            return Error{ErrorCode::ParseError, u"plan entry %1 is incomplete or has an unknown action \"%2\""_s.arg(
                                                    p.service, action)};
        p.action = actions.value(action);
        p.why = o.value(u"why"_s).toString();
        p.wave = o.value(u"wave"_s).toInt(1) - 1;
        p.release.id = o.value(u"release"_s).toString();
        p.release.sourceDir = o.value(u"source_dir"_s).toString();
        p.release.files = o.value(u"files"_s).toInt();
        p.release.bytes = qint64(o.value(u"bytes"_s).toDouble());
        p.liveRelease = o.value(u"live_release"_s).toString();
        p.releaseMustBeOnHost = o.value(u"release_must_be_on_host"_s).toBool();
        p.config = o.value(u"config"_s).toObject();
        for (const QJsonValue &line : o.value(u"config_diff"_s).toArray())
            p.configDiff.append(line.toString());
        plan.services.append(p);
    }
    return plan;
}

DeployEngine::DeployEngine(HostPool &pool, HistoryStore &history)
    : m_pool(pool)
    , m_history(history)
{}

Result<DeployPlan> DeployEngine::plan(const Registry &registry, const QStringList &services, bool force)
{
    const DependencyGraph graph(registry);
    const QList<QStringList> waves = graph.waves(services);
    QStringList ordered;
    for (const QStringList &wave : waves)
        ordered += wave;
    const QMap<QString, ServiceState> live = ServiceObserver(m_pool).observe(registry, ordered);
    const QString registryDir = QFileInfo(registry.path).absolutePath();

    DeployPlan plan;
    plan.createdAt = QDateTime::currentDateTimeUtc();
    for (qsizetype w = 0; w < waves.size(); ++w) {
        for (const QString &name : waves.at(w)) {
            const Service &s = *registry.service(name);
            const Host &h = *registry.host(s.currentHost);
            auto release = ReleaseBuilder::build(registryDir, s.source);
            if (!release)
                return Error{release.error().code, u"service %1: %2"_s.arg(name, release.error().message)};
            PlannedService p;
            p.service = name;
            p.host = h.name;
            p.wave = int(w);
            p.release = *release;
            p.config = snapshot(s, h, *release);
            const ServiceState state = live.value(name);
            p.liveRelease = state.release;
            auto last = m_history.lastSucceeded(name);
            if (!last)
                return last.error();
            if (!last->has_value()) {
                p.action = PlanAction::Fresh;
                p.why = u"no successful deploy recorded"_s;
            } else {
                const DeploymentRecord &r = **last;
                p.configDiff = ConfigDiff::between(r.config, p.config);
                if (r.host != h.name) {
                    p.action = PlanAction::Move;
                    p.fromHost = r.host;
                    p.why = u"moves from %1 to %2"_s.arg(r.host, h.name);
                } else if (state.release != release->id) {
                    p.action = PlanAction::Update;
                    p.why = state.release.isEmpty() ? u"not on the host"_s
                                                    : u"release %1 → %2"_s.arg(state.release, release->id);
                } else if (!p.configDiff.isEmpty()) {
                    p.action = PlanAction::Restart;
                    p.why = u"configuration changed"_s;
                } else if (state.state != u"running"_s || state.health == u"unhealthy"_s) {
                    p.action = PlanAction::Restart;
                    p.why = !state.error.isEmpty()            ? u"host not reachable: %1"_s.arg(state.error)
                            : state.state == u"running"_s ? u"running but unhealthy"_s
                                                          : u"not running (%1)"_s.arg(state.state);
                } else if (force) {
                    p.action = PlanAction::Restart;
                    p.why = u"forced"_s;
                } else {
                    p.why = u"up to date and running"_s;
                }
            }
            plan.services.append(p);
        }
    }
    plan.fingerprint = fingerprintOf(plan.services);
    return plan;
}

Result<QList<DeploymentRecord>> DeployEngine::apply(const Registry &registry, const DeployPlan &plan,
                                                    const DeployOptions &options, const ProgressFn &progress)
{
    if (!plan.hasChanges())
        return QList<DeploymentRecord>(); // nothing to change, nothing to verify
    // Locks first, then a fresh look: the plan must still describe what is there.
    std::vector<std::unique_ptr<ServiceLock>> locks;
    QStringList names;
    for (const PlannedService &p : plan.services) {
        names.append(p.service);
        if (p.action == PlanAction::NoOp)
            continue;
        auto lock = ServiceLock::acquire(p.service, u"deploy by %1"_s.arg(options.actor), options.lockWait);
        if (!lock)
            return lock.error();
        locks.push_back(std::move(*lock));
    }
    auto fresh = this->plan(registry, names, options.force);
    if (!fresh)
        return fresh.error();
    if (fresh->fingerprint != plan.fingerprint)
        return Error{ErrorCode::Conflict, u"the registry or the hosts changed since this plan was made; review "
                                          "the new plan and deploy again"_s};

    QList<DeploymentRecord> records;
    QSet<QString> broken; // failed services, whose dependents must not start
    const DependencyGraph graph(registry);
    int currentWave = -1;
    QList<QPair<qsizetype, QFuture<ServiceRun>>> running;
    const auto collect = [&] {
        for (auto &[index, future] : running) {
            const ServiceRun run = future.result();
            DeploymentRecord &r = records[index];
            r.outcome = run.outcome;
            r.reason = run.reason;
            r.releaseId = run.releaseId;
            r.previousReleaseId = run.previousReleaseId;
            r.steps = run.steps;
            r.endedAt = QDateTime::currentDateTimeUtc();
            if (run.outcome != u"succeeded"_s)
                broken.insert(r.service);
            (void)m_history.finish(r);
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
        const Service &s = *registry.service(p.service);
        const Host &h = *registry.host(p.host);
        DeploymentRecord record;
        record.service = p.service;
        record.host = p.host;
        record.fromHost = p.fromHost;
        record.action = p.action == PlanAction::Move      ? u"move"_s
                        : p.action == PlanAction::Restart ? u"restart"_s
                                                          : u"deploy"_s;
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
        if (!failedDeps.isEmpty()) {
            DeploymentRecord &r = records.last();
            r.outcome = u"skipped"_s;
            r.reason = u"not deployed because its dependency %1 failed"_s.arg(failedDeps.join(u", "_s));
            r.endedAt = QDateTime::currentDateTimeUtc();
            broken.insert(p.service);
            (void)m_history.finish(r);
            if (progress)
                progress({p.service, p.host, u"skipped"_s, r.reason});
            continue;
        }
        running.append({records.size() - 1, m_pool.worker(h).submit<ServiceRun>([h, s, p, progress](Transport &t) {
                             return deployOn(t, h, s, p, progress);
                         })});
    }
    collect();

    // Moves: the new instance passed its gate; now stop the old one.
    for (DeploymentRecord &r : records) {
        if (r.action != u"move"_s || r.outcome != u"succeeded"_s || r.fromHost.isEmpty())
            continue;
        const Host *old = registry.host(r.fromHost);
        const Service *s = registry.service(r.service);
        if (!old) {
            r.steps.append({u"stop old"_s, 0, false, u"host %1 is no longer in the registry"_s.arg(r.fromHost)});
        } else {
            const Host oldHost = *old;
            const QString name = s->name;
            const int timeout = s->stopTimeoutSeconds;
            const Runtime runtime = Runtime::forService(*s);
            QElapsedTimer clock;
            clock.start();
            const auto stopped = m_pool.worker(oldHost)
                                     .submit<Result<CommandResult>>([oldHost, name, runtime, timeout](Transport &t) {
                                         return t.run(RemoteScripts::stop(oldHost, name, runtime, timeout),
                                                      std::chrono::seconds(timeout + 30));
                                     })
                                     .result();
            r.steps.append({u"stop old"_s, clock.elapsed(), stopped.ok(),
                            stopped ? u"stopped on %1"_s.arg(r.fromHost) : stopped.error().message});
        }
        (void)m_history.finish(r);
    }
    return records;
}

Result<DeploymentRecord> DeployEngine::rollback(const Registry &registry, qint64 recordId, const DeployOptions &options,
                                               const ProgressFn &progress)
{
    auto target = m_history.get(recordId);
    if (!target)
        return target.error();
    const DeploymentRecord &x = *target;
    if (x.releaseId.isEmpty() || x.config.isEmpty() || x.action == u"stop"_s)
        return Error{ErrorCode::InvalidInput, u"record %1 (%2 of %3) installed no release to return to"_s.arg(recordId).arg(x.action, x.service)};
    const Service *now = registry.service(x.service);
    if (!now)
        return Error{ErrorCode::NotFound, u"service %1 is no longer in the registry"_s.arg(x.service)};
    if (now->currentHost != x.host)
        return Error{ErrorCode::Conflict, u"%1 runs on %2 now but record %3 was on %4; move it back first"_s.arg(
                                              x.service, now->currentHost, QString::number(recordId), x.host)};
    const Host host = *registry.host(x.host);
    auto lock = ServiceLock::acquire(x.service, u"rollback by %1"_s.arg(options.actor), options.lockWait);
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
    record.action = u"rollback"_s;
    record.actor = options.actor;
    record.releaseId = x.releaseId;
    record.config = x.config;
    record.reason = u"rollback to record %1"_s.arg(recordId);
    if (auto begun = m_history.begin(record); !begun)
        return begun.error();
    const ServiceRun run = m_pool.worker(host)
                               .submit<ServiceRun>([host, service, p, progress](Transport &t) {
                                   return deployOn(t, host, service, p, progress);
                               })
                               .result();
    record.outcome = run.outcome;
    record.reason = run.reason.isEmpty() ? record.reason : run.reason;
    record.previousReleaseId = run.previousReleaseId;
    record.steps = run.steps;
    record.endedAt = QDateTime::currentDateTimeUtc();
    (void)m_history.finish(record);
    return record;
}

Result<DeploymentRecord> DeployEngine::stop(const Registry &registry, const QString &service, const QString &actor)
{
    const Service *s = registry.service(service);
    if (!s)
        return Error{ErrorCode::NotFound, u"no service named %1"_s.arg(service)};
    const Host host = *registry.host(s->currentHost);
    auto lock = ServiceLock::acquire(service, u"stop by %1"_s.arg(actor), ServiceLockWait);
    if (!lock)
        return lock.error();
    DeploymentRecord record;
    record.service = service;
    record.host = host.name;
    record.action = u"stop"_s;
    record.actor = actor;
    if (auto begun = m_history.begin(record); !begun)
        return begun.error();
    const int timeout = s->stopTimeoutSeconds;
    QElapsedTimer clock;
    clock.start();
    const Runtime runtime = Runtime::forService(*s);
    const auto stopped = m_pool.worker(host)
                             .submit<Result<CommandResult>>([host, service, runtime, timeout](Transport &t) {
                                 return t.run(RemoteScripts::stop(host, service, runtime, timeout), std::chrono::seconds(timeout + 30));
                             })
                             .result();
    record.steps.append({u"stop"_s, clock.elapsed(), stopped.ok(), stopped ? QString() : stopped.error().message});
    record.outcome = stopped ? u"succeeded"_s : u"failed"_s;
    record.reason = stopped ? QString() : stopped.error().message;
    record.endedAt = QDateTime::currentDateTimeUtc();
    (void)m_history.finish(record);
    return record;
}

} // namespace Portoser
