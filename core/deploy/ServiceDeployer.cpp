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

#include <array>

#include <unistd.h>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

const std::array<std::pair<DeployStep, QStringView>, 19> StepNames = {{
    {DeployStep::Prepare, u"prepare"},     {DeployStep::Upload, u"upload"},
    {DeployStep::Build, u"build"},         {DeployStep::Stop, u"stop"},
    {DeployStep::Switch, u"switch"},       {DeployStep::Start, u"start"},
    {DeployStep::Health, u"health"},       {DeployStep::Revert, u"revert"},
    {DeployStep::Prune, u"prune"},         {DeployStep::Done, u"done"},
    {DeployStep::Failed, u"failed"},       {DeployStep::RolledBack, u"rolled back"},
    {DeployStep::Skipped, u"skipped"},     {DeployStep::Cancelled, u"cancelled"},
    {DeployStep::Plan, u"plan"},           {DeployStep::Heal, u"heal"},
    {DeployStep::Diagnosis, u"diagnosis"}, {DeployStep::Proxy, u"proxy"},
    {DeployStep::Note, u"note"},
}};

} // namespace

QString toString(DeployStep step)
{
    for (const auto &[s, name] : StepNames) {
        if (s == step)
            return name.toString();
    }
    return {};
}

std::optional<DeployStep> deployStepFromString(QStringView name)
{
    for (const auto &[s, n] : StepNames) {
        if (n == name)
            return s;
    }
    return std::nullopt;
}

DeployStep endStep(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Succeeded:
        return DeployStep::Done;
    case Outcome::RolledBack:
        return DeployStep::RolledBack;
    case Outcome::Skipped:
        return DeployStep::Skipped;
    case Outcome::Cancelled:
        return DeployStep::Cancelled;
    case Outcome::Running:
    case Outcome::Failed:
    case Outcome::Interrupted:
        break;
    }
    return DeployStep::Failed;
}

namespace {

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

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

ServiceDeployer::Staged ServiceDeployer::stage(Transport &t, const Host &host,
                                               const Service &declared,
                                               const PlannedService &planned,
                                               const QMap<QString, QString> &secretValues,
                                               const ProgressFn &progress)
{
    Staged staged;
    staged.host = host;
    staged.service = declared.name;
    staged.planned = planned;
    staged.progress = progress;
    ServiceRun &run = staged.run;
    run.releaseId = planned.release.id;
    const auto report = [&](DeployStep step, const QString &detail = {}) {
        if (progress)
            progress({declared.name, host.name, step, detail});
    };
    const auto fail = [&](const QString &step, const QString &reason, const QString &output = {}) {
        run.steps.append({step, 0, false, output});
        run.outcome = Outcome::Failed;
        run.reason = reason;
        report(DeployStep::Failed, reason);
        staged.ready = false;
        return staged;
    };
    QElapsedTimer clock;

    const auto resolved = withServiceFileFromHost(t, host, declared);
    if (!resolved)
        return fail(u"prepare"_s,
                    u"%1 on %2: %3"_s.arg(declared.name, host.name, resolved.error().message));
    const Service &service = *resolved;
    Runtime runtime = Runtime::forService(service);
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
    for (auto it = service.secrets.cbegin(); !planned.rerun && it != service.secrets.cend(); ++it) {
        if (!secretValues.contains(it.key())) // never start without the secrets it was promised
            return fail(u"prepare"_s, u"%1: secret %2 (%3) was not resolved"_s.arg(
                                          service.name, it.key(), it.value()));
    }

    // 1. Observe and take the host lock, in one round trip.
    report(DeployStep::Prepare);
    clock.start();
    const QString holder = u"coord=%1 pid=%2"_s.arg(QHostInfo::localHostName()).arg(::getpid());
    const bool uploadIfMissing =
        !planned.release.sourceDir.isEmpty() && !planned.releaseMustBeOnHost;
    const bool detectPlatform = t.platform.isEmpty();
    const bool detectCompose = runtime.kind == Runtime::Kind::Docker && t.composeCli.isEmpty();
    const auto prepared =
        t.run(RemoteScripts::prepare(host, service.name, planned.release.id, holder,
                                     RemoteScripts::StaleHostLockSeconds, uploadIfMissing,
                                     detectPlatform, detectCompose),
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
    const auto unlock = [&] {
        (void)t.run(RemoteScripts::unlock(host, service.name, holder), 30s);
    };
    if (detectCompose) {
        const QString cli = kv.value(u"compose_cli"_s);
        if (cli != u"v2"_s && cli != u"v1"_s) {
            unlock();
            return fail(
                u"prepare"_s,
                u"host %1 cannot run docker service %2: neither the docker compose plugin "
                "(v2) nor docker-compose (v1) is installed there (Debian and Raspberry Pi "
                "OS: apt install docker-compose; Docker's packages: docker-compose-plugin)"_s.arg(
                    host.name, service.name));
        }
        t.composeCli = cli;
    }
    runtime.composeCli = t.composeCli;
    QString note = t.platform;
    const QString detected = archOf(t.platform.section(u' ', 0, 0), t.platform.section(u' ', 1));
    run.detectedArch = detected;
    if (!host.arch.isEmpty() && !host.arch.contains(u'/') && host.arch != detected)
        note += u"; registry says arch %1 but the host is %2"_s.arg(host.arch, detected);
    if (runtime.kind == Runtime::Kind::Docker)
        note += u"; compose "_s + t.composeCli;
    run.steps.append({u"prepare"_s, clock.elapsed(), true, note});

    // 2. Upload the release unless the host already has this content.
    Activation &activation = staged.activation;
    if (kv.value(u"has_release"_s) != u"1"_s && planned.releaseMustBeOnHost) {
        unlock();
        return fail(u"upload"_s,
                    u"release %1 is no longer on host %2 (pruned); it cannot be restored"_s.arg(
                        planned.release.id, host.name));
    }
    if (kv.value(u"has_release"_s) != u"1"_s && !planned.release.sourceDir.isEmpty()) {
        report(DeployStep::Upload,
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
                        u"upload failed: %1"_s.arg(sent.error().message)); // names the host
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
    activation.lockHolder = holder;
    activation.envFileContent = renderEnv(service, planned.release, secretValues);
    // A rerun keeps the env its deploy wrote; one rendered without secrets stands in only for a
    // service that has none (a host that lost its env file).
    activation.keepEnv = planned.rerun;
    activation.envNeedsSecrets = !service.secrets.isEmpty();
    activation.runtime = runtime;
    activation.command =
        runtime.kind == Runtime::Kind::Docker ? u"%1 -p %2 up -d %3"_s.arg(
            runtime.composeCli == u"v1"_s ? u"docker-compose"_s : u"docker compose"_s,
            runtime.project, runtime.composeService)
        : runtime.kind == Runtime::Kind::Native ? runtime.start
                                                : command;
    activation.workingDir = service.workingDir;
    activation.stopTimeoutSeconds = service.stopTimeoutSeconds;
    activation.health = HealthProbe::forService(service);
    staged.deadline = std::chrono::seconds(2 * service.stopTimeoutSeconds
                                           + 2 * activation.health.budgetSeconds() + 60);
    staged.rerun = planned.rerun;
    staged.ready = true;
    return staged;
}

void ServiceDeployer::Staged::closeStep(bool ok, const QString &stepOutput)
{
    if (!currentStep.isEmpty())
        run.steps.append({currentStep, stepClock.elapsed(), ok, stepOutput});
}

void ServiceDeployer::Staged::onLine(const QByteArray &line)
{
    output += line + '\n';
    if (!line.startsWith("step="))
        return;
    closeStep(true); // step lines are timed here, as they arrive, in milliseconds
    currentStep = QString::fromUtf8(line.mid(5).split(' ').value(0));
    stepClock.restart();
    if (currentStep != u"done"_s && progress) {
        const auto step = deployStepFromString(currentStep);
        progress(
            {service, host.name, step.value_or(DeployStep::Note), step ? QString() : currentStep});
    }
}

void ServiceDeployer::Staged::finish()
{
    const auto report = [&](DeployStep step, const QString &detail = {}) {
        if (progress)
            progress({service, host.name, step, detail});
    };
    const auto result = RemoteScripts::parseKeyValues(output);
    const QString outcome = result.value(u"result"_s);
    // Why the new release did not pass comes before a revert, whose own gate says more.
    const qsizetype revertAt = output.indexOf("\nstep=revert");
    const QByteArray gateOutput = revertAt < 0 ? output : output.left(revertAt);
    const auto gate = RemoteScripts::parseKeyValues(gateOutput);
    QString healthDetail = gate.value(u"health_detail"_s);
    QStringList logLines;
    for (const QByteArray &line : gateOutput.split('\n')) {
        if (line.startsWith("health_log="))
            logLines.append(QString::fromUtf8(line.mid(11)));
    }
    if (!logLines.isEmpty())
        healthDetail += u'\n' + logLines.join(u'\n');
    // One line that says what happened: the exit status or the check's answer, and the last
    // thing the service wrote (what an operator looks for first).
    const QString failure = gate.value(u"gate_failure"_s);
    QString why = failure == u"start"_s
                      ? u"could not start: %1"_s.arg(gate.value(u"health_detail"_s))
                  : failure == u"exited"_s
                      ? u"did not stay up: %1"_s.arg(gate.value(u"health_detail"_s))
                      : u"failed its health check (%1)"_s.arg(gate.value(u"health_detail"_s));
    if (!logLines.isEmpty())
        why += u"; last log: %1"_s.arg(
            logLines.mid(std::max<qsizetype>(0, logLines.size() - 2)).join(u" | "_s).left(300));
    // docker: the image each compose service runs (pinned on the host for this release).
    for (const QByteArray &line : output.split('\n')) {
        if (line.startsWith("image=")) {
            const QList<QByteArray> words = line.mid(6).split(' ');
            if (words.size() == 2)
                run.images.insert(QString::fromUtf8(words.at(0)), QString::fromUtf8(words.at(1)));
        }
    }
    if (outcome == u"ok"_s) {
        run.outcome = Outcome::Succeeded;
        report(DeployStep::Done,
               u"release %1, pid %2"_s.arg(planned.release.id, result.value(u"pid"_s)));
    } else if (outcome.startsWith(u"rolled_back"_s)) {
        run.outcome = Outcome::RolledBack;
        run.reason = u"release %1 %2; reverted to %3%4"_s.arg(
            planned.release.id, why, run.previousReleaseId,
            outcome == u"rolled_back_unhealthy"_s ? u", which is not healthy either"_s : QString());
        report(DeployStep::RolledBack, run.reason);
    } else {
        run.outcome = Outcome::Failed;
        run.reason = result.value(
            u"reason"_s,
            planned.rerun ? u"release %1 %2"_s.arg(planned.release.id, why)
                          : u"release %1 %2, and there is no previous release to go back to"_s.arg(
                              planned.release.id, why));
        report(DeployStep::Failed, run.reason);
    }
    const bool stepOk = run.outcome == Outcome::Succeeded;
    if (currentStep == u"done"_s)
        currentStep.clear();
    closeStep(stepOk, healthDetail);
    if (!stepOk && !healthDetail.isEmpty()) {
        for (StepRecord &step : run.steps) {
            if (step.name == u"health"_s) {
                step.ok = false;
                step.output = healthDetail;
            }
        }
    }
}

void ServiceDeployer::activateTogether(Transport &t, const QList<Staged *> &batch)
{
    QList<Staged *> ready;
    for (Staged *s : batch) {
        if (s->ready)
            ready.append(s);
    }
    if (ready.isEmpty())
        return;
    // One script, one round trip: each activation runs in a subshell of its own, at the same
    // time, its lines tagged with its index. The gates of one host's services then cost the
    // wall time of the slowest, not the sum.
    QString script;
    std::chrono::seconds deadline{0};
    for (qsizetype i = 0; i < ready.size(); ++i) {
        const Staged &s = *ready.at(i);
        // Concatenated, not arg()ed: the activation may hold a user's "%2".
        script += u"(\n"_s + RemoteScripts::activate(s.host, s.service, s.activation)
                  + u"\n) </dev/null 2>&1 | while IFS= read -r pt_line; do printf '%s %.400s\\n' "_s
                  + QString::number(i) + u" \"$pt_line\"; done &\n"_s;
        deadline = std::max(deadline, s.deadline);
    }
    script += u"wait\n"_s;
    for (Staged *s : ready)
        s->stepClock.start();
    QByteArray pending;
    const auto activated = t.run(script, deadline, [&](const QByteArray &chunk, bool isStderr) {
        if (isStderr)
            return;
        pending += chunk;
        qsizetype nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(nl);
            pending.remove(0, nl + 1);
            const qsizetype space = line.indexOf(' ');
            bool ok = false;
            const int index = line.left(space).toInt(&ok);
            if (ok && index >= 0 && index < ready.size())
                ready.at(index)->onLine(line.mid(space + 1));
        }
    });
    for (Staged *s : ready) {
        // A service whose activation ended before the link broke has its outcome: keep it.
        if (!activated && !s->output.contains("\nresult=") && !s->output.startsWith("result=")) {
            s->closeStep(false, activated.error().message);
            s->run.outcome = Outcome::Failed;
            s->run.reason = u"host %1 during %2: %3"_s.arg(
                s->host.name, s->currentStep.isEmpty() ? u"activate"_s : s->currentStep,
                activated.error().message);
            if (s->progress)
                s->progress({s->service, s->host.name, DeployStep::Failed, s->run.reason});
            continue;
        }
        s->finish();
    }
}

ServiceRun ServiceDeployer::run(Transport &t, const Host &host, const Service &declared,
                                const PlannedService &planned,
                                const QMap<QString, QString> &secretValues,
                                const ProgressFn &progress)
{
    Staged staged = stage(t, host, declared, planned, secretValues, progress);
    activateTogether(t, {&staged});
    return staged.run;
}

} // namespace Portoser
