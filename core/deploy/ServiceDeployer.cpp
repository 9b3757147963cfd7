// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ServiceDeployer.h"

#include "core/deploy/RemoteScripts.h"
#include "core/registry/RegistryJson.h"
#include "core/registry/RegistryLoader.h"
#include "core/transport/ShellCommand.h"
#include "core/transport/Transport.h"

#include <QElapsedTimer>
#include <QHostInfo>
#include <QRandomGenerator>

#include <unistd.h>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

constexpr int StaleHostLockSeconds = 15 * 60;
constexpr qsizetype StepOutputTail = 2000;

QString renderEnv(const Service &s, const Release &release, const QMap<QString, QString> &secrets)
{
    QMap<QString, QString> env = s.env;
    env.insert(secrets);
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

/** A service.yml that lives only on the host is fetched and read there. */
Result<Service> withServiceFileFromHost(Transport &t, const Host &host, Service service)
{
    const bool needsFile =
        (service.type == DeploymentType::Native || service.type == DeploymentType::Local)
        && !service.serviceFile && !service.serviceFilePath.isEmpty() && service.command.isEmpty();
    if (!needsFile)
        return service;
    const auto fetched = t.run(RemoteScripts::readServiceFile(host, service.serviceFilePath), 30s);
    if (!fetched)
        return fetched.error();
    if (fetched->exitCode != 0)
        return Error{ErrorCode::NotFound,
                     u"cannot read its service_file: %1"_s.arg(tail(fetched->err))};
    auto parsed = RegistryLoader().parseServiceFile(
        fetched->out, u"%1:%2"_s.arg(host.name, service.serviceFilePath));
    if (!parsed)
        return parsed.error();
    service.serviceFile = *parsed;
    return service;
}

} // namespace

QJsonObject ServiceDeployer::snapshot(const Service &s, const Host &h, const Release &release)
{
    QJsonObject o = RegistryJson::toJson(s);
    o.remove(u"location"_s);
    o.insert(u"host"_s,
             QJsonObject{{u"name"_s, h.name}, {u"address"_s, h.address()}, {u"path"_s, h.path}});
    o.insert(u"release"_s, release.id);
    return o;
}

ServiceRun ServiceDeployer::run(Transport &t, const Host &host, const Service &declared,
                                const PlannedService &planned,
                                const QMap<QString, QString> &secretValues,
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
        return fail(u"prepare"_s,
                    u"%1 on %2: %3"_s.arg(declared.name, host.name, resolved.error().message));
    const Service &service = *resolved;
    const Runtime runtime = Runtime::forService(service);
    const QString command = !service.command.isEmpty() || !service.serviceFile
                                ? service.command
                                : service.serviceFile->start;
    if ((service.type == DeploymentType::Native && runtime.kind != Runtime::Kind::Native
         && command.isEmpty())
        || (service.type == DeploymentType::Local && command.isEmpty()))
        return fail(
            u"prepare"_s,
            u"%1 cannot be deployed yet: its service_file %2 is not beside the registry and "
            "reading it on the host is not supported yet"_s.arg(service.name,
                                                                service.serviceFilePath));
    for (auto it = service.secrets.cbegin(); it != service.secrets.cend(); ++it) {
        if (!secretValues.contains(it.key())) // never start without the secrets it was promised
            return fail(u"prepare"_s, u"%1: secret %2 (%3) was not resolved"_s.arg(
                                          service.name, it.key(), it.value()));
    }

    // 1. Observe and take the host lock, in one round trip.
    report(u"prepare"_s);
    clock.start();
    const QString holder = u"coord=%1 pid=%2"_s.arg(QHostInfo::localHostName()).arg(::getpid());
    const bool uploadIfMissing =
        !planned.release.sourceDir.isEmpty() && !planned.releaseMustBeOnHost;
    const bool detectPlatform = t.platform.isEmpty();
    const auto prepared =
        t.run(RemoteScripts::prepare(host, service.name, planned.release.id, holder,
                                     StaleHostLockSeconds, uploadIfMissing, detectPlatform),
              60s);
    if (!prepared)
        return fail(u"prepare"_s, u"host %1: %2"_s.arg(host.name, prepared.error().message));
    const auto kv = RemoteScripts::parseKeyValues(prepared->out);
    if (prepared->exitCode == 75)
        return fail(u"prepare"_s, u"host %1 is locked for %2 by %3 (for %4 s)"_s.arg(
                                      host.name, service.name, kv.value(u"lock_holder"_s),
                                      kv.value(u"lock_age"_s)));
    if (prepared->exitCode != 0)
        return fail(u"prepare"_s, u"host %1: preparing %2 failed"_s.arg(host.name, service.name),
                    tail(prepared->err));
    run.previousReleaseId = kv.value(u"current"_s);
    if (detectPlatform)
        t.platform = u"%1 %2"_s.arg(kv.value(u"os"_s), kv.value(u"arch"_s));
    QString note = t.platform;
    const QString detected = archOf(t.platform.section(u' ', 0, 0), t.platform.section(u' ', 1));
    run.detectedArch = detected;
    if (!host.arch.isEmpty() && !host.arch.contains(u'/') && host.arch != detected)
        note += u"; registry says arch %1 but the host is %2"_s.arg(host.arch, detected);
    run.steps.append({u"prepare"_s, clock.elapsed(), true, note});

    const auto unlock = [&] { (void)t.run(RemoteScripts::unlock(host, service.name), 30s); };

    // 2. Upload the release unless the host already has this content.
    Activation activation;
    if (kv.value(u"has_release"_s) != u"1"_s && planned.releaseMustBeOnHost) {
        unlock();
        return fail(u"upload"_s,
                    u"release %1 is no longer on host %2 (pruned); it cannot be restored"_s.arg(
                        planned.release.id, host.name));
    }
    if (kv.value(u"has_release"_s) != u"1"_s && !planned.release.sourceDir.isEmpty()) {
        report(u"upload"_s,
               u"%1 files, %2 bytes"_s.arg(planned.release.files).arg(planned.release.bytes));
        clock.restart();
        // A fresh temp dir beside the releases (prepare said where, in its round trip); the
        // upload makes it, activation renames it into releases/.
        const QString parent = kv.value(u"upload_parent"_s);
        const QString uploadDir =
            parent.isEmpty() ? QString()
                             : parent + u"/.tmp-"_s
                                   + QString::number(QRandomGenerator::global()->generate64(), 36);
        if (uploadDir.isEmpty()) {
            unlock();
            return fail(u"upload"_s,
                        u"host %1: cannot create an upload directory"_s.arg(host.name));
        }
        if (auto sent = t.upload(planned.release.sourceDir, uploadDir); !sent) {
            unlock();
            return fail(u"upload"_s,
                        u"host %1: upload failed: %2"_s.arg(host.name, sent.error().message));
        }
        activation.uploadDir = uploadDir;
        run.steps.append(
            {u"upload"_s, clock.elapsed(), true,
             u"%1 files, %2 bytes"_s.arg(planned.release.files).arg(planned.release.bytes)});
    } else {
        activation.emptyRelease = planned.release.sourceDir.isEmpty();
        run.steps.append(
            {u"upload"_s, 0, true, u"release %1 already on the host"_s.arg(planned.release.id)});
    }

    // 3. Activate: env, stop, switch, start, health gate, revert, prune; one script, one round
    // trip.
    activation.releaseId = planned.release.id;
    activation.envFileContent = renderEnv(service, planned.release, secretValues);
    activation.runtime = runtime;
    activation.command =
        runtime.kind == Runtime::Kind::Docker
            ? u"docker compose -p %1 up -d %2"_s.arg(runtime.project, runtime.composeService)
        : runtime.kind == Runtime::Kind::Native ? runtime.start
                                                : command;
    activation.workingDir = service.workingDir;
    activation.stopTimeoutSeconds = service.stopTimeoutSeconds;
    activation.health = HealthProbe::forService(service);
    const auto deadline = std::chrono::seconds(2 * service.stopTimeoutSeconds
                                               + 2 * activation.health.budgetSeconds() + 60);
    QString currentStep;
    QElapsedTimer stepClock;
    QByteArray pending;
    const auto closeStep = [&](bool ok, const QString &output = {}) {
        if (!currentStep.isEmpty())
            run.steps.append({currentStep, stepClock.elapsed(), ok, output});
    };
    const auto activated =
        t.run(RemoteScripts::activate(host, service.name, activation), deadline,
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
        run.reason = u"host %1 during %2: %3"_s.arg(
            host.name, currentStep.isEmpty() ? u"activate"_s : currentStep,
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
        run.reason =
            result.value(u"reason"_s, u"release %1 failed its health check (%2) and there is no "
                                      "previous release to go back to"_s.arg(
                                          planned.release.id, healthDetail.section(u'\n', 0, 0)));
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

} // namespace Portoser
