// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/RemoteScripts.h"

#include "core/deploy/HostScript.h"
#include "core/transport/ShellCommand.h"

#include <QDateTime>
#include <QRegularExpression>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

/** A docker service's compose file as a shell expression: under the release, or host.path. */
QString composeLocation(const Host &host, const Runtime &runtime)
{
    QString file = runtime.composeFile;
    while (file.startsWith(u'/'))
        file.remove(0, 1);
    return runtime.composeInRelease ? QString(u"\"$svc/current\"/"_s + ShellCommand::quote(file))
                                    : QString(RemoteScripts::pathExpression(host.path) + u'/'
                                              + ShellCommand::quote(file));
}

/**
 * The runtime record an activation leaves on the host ($svc/runtime), sourced by stop and observe:
 * what the last activation ran wins over the coordinator's view. Hosts keep these records across
 * versions, so their format stays: a kind's variables, and for docker a function dc_file.
 */
QString runtimeRecord(const Host &host, const Runtime &runtime)
{
    if (runtime.kind == Runtime::Kind::Native)
        return u"kind=native\nnt_start="_s + ShellCommand::quote(runtime.start) + u"\nnt_stop="_s
               + ShellCommand::quote(runtime.stop) + u"\nnt_status="_s
               + ShellCommand::quote(runtime.status) + u'\n';
    if (runtime.kind == Runtime::Kind::Local)
        return u"kind=local\npm="_s + ShellCommand::quote(runtime.pythonManager) + u'\n';
    if (runtime.kind != Runtime::Kind::Docker)
        return u"kind=process\n"_s;
    return u"kind=docker\ndc_project="_s + ShellCommand::quote(runtime.project) + u"\ndc_service="_s
           + ShellCommand::quote(runtime.composeService) + u"\ndc_file() { echo "_s
           + composeLocation(host, runtime) + u"; }\n"_s;
}

/** How the service runs as the coordinator sees it: every kind's variables, others' empty. */
void setRuntime(HostScript &script, const Host &host, const Runtime &runtime)
{
    static const QString kinds[] = {u"process"_s, u"docker"_s, u"native"_s, u"local"_s};
    const bool native = runtime.kind == Runtime::Kind::Native;
    const bool docker = runtime.kind == Runtime::Kind::Docker;
    script.setValue(u"kind"_s, kinds[int(runtime.kind)])
        .setValue(u"pm"_s, runtime.kind == Runtime::Kind::Local ? runtime.pythonManager : QString())
        .setValue(u"nt_start"_s, native ? runtime.start : QString())
        .setValue(u"nt_stop"_s, native ? runtime.stop : QString())
        .setValue(u"nt_status"_s, native ? runtime.status : QString())
        .setValue(u"dc_project"_s, docker ? runtime.project : QString())
        .setValue(u"dc_service"_s, docker ? runtime.composeService : QString())
        .setValue(u"dc_cli"_s, docker ? runtime.composeCli : QString())
        .set(u"dc_compose_file"_s, docker ? composeLocation(host, runtime) : u"''"_s);
}

/** A script about one service: `name` and its state dir `svc` first (later expressions read it). */
HostScript serviceScript(const QString &script, const Host &host, const QString &service,
                         HostScript::PreludeUse prelude = HostScript::WithPrelude)
{
    HostScript s(script, prelude);
    s.setValue(u"name"_s, service).set(u"svc"_s, RemoteScripts::serviceDir(host, service));
    return s;
}

QString probeKind(const HealthProbe &p)
{
    static const QString kinds[] = {u"running"_s, u"http"_s, u"tcp"_s, u"command"_s};
    return kinds[int(p.kind)];
}

/** pt_gate's words: kind, quoted target, timeout, retries, interval, start period, min uptime. */
QString probeWords(const HealthProbe &p)
{
    return QStringList{probeKind(p),
                       ShellCommand::quote(p.target),
                       QString::number(p.timeoutSeconds),
                       QString::number(p.retries),
                       QString::number(p.intervalSeconds),
                       QString::number(p.startPeriodSeconds),
                       QString::number(p.minUptimeSeconds)}
        .join(u' ');
}

} // namespace

HealthProbe HealthProbe::forService(const Service &s)
{
    HealthProbe p;
    const HealthCheck &h = s.health;
    p.timeoutSeconds = std::max(1, h.timeoutSeconds);
    p.retries = std::max(1, h.retries);
    p.intervalSeconds = std::max(1, h.intervalSeconds);
    p.startPeriodSeconds = h.startPeriodSeconds;
    p.minUptimeSeconds = h.minUptimeSeconds.value_or(0);
    const auto port = h.port ? h.port : s.effectivePort();
    switch (h.type) {
    case HealthCheck::Type::Http:
        p.kind = Kind::Http;
        p.target = u"http://127.0.0.1:%1%2"_s.arg(port.value_or(80)).arg(h.path);
        return p;
    case HealthCheck::Type::Tcp:
        p.kind = Kind::Tcp;
        p.target = u"127.0.0.1 %1"_s.arg(port.value_or(0));
        return p;
    case HealthCheck::Type::Command:
        p.kind = Kind::Command;
        p.target = h.command;
        return p;
    case HealthCheck::Type::Auto:
        break;
    }
    // Upstream settings (registry, then service.yml), then the port, then "it keeps running".
    const QString fileCheck = s.serviceFile ? s.serviceFile->healthcheck : QString();
    if (s.healthcheckUrl.isEmpty() && s.healthcheckCommand.isEmpty() && !fileCheck.isEmpty()) {
        p.kind = Kind::Command;
        p.target = fileCheck;
    } else if (!s.healthcheckUrl.isEmpty()) {
        p.kind = Kind::Http;
        p.target = s.healthcheckUrl;
    } else if (!s.healthcheckCommand.isEmpty()) {
        p.kind = Kind::Command;
        p.target = s.healthcheckCommand;
    } else if (port) {
        p.kind = Kind::Tcp;
        p.target = u"127.0.0.1 %1"_s.arg(*port);
    } else {
        // Nothing to ask it: staying alive for min_uptime is the only sign it started well.
        p.kind = Kind::Running;
        p.retries = 1;
        p.minUptimeSeconds = h.minUptimeSeconds.value_or(HealthCheck::DefaultMinUptimeSeconds);
    }
    return p;
}

Runtime Runtime::forService(const Service &s)
{
    Runtime r;
    if (s.type == DeploymentType::Native && s.serviceFile && !s.serviceFile->start.isEmpty()) {
        r.kind = Kind::Native; // a service manager does the supervising (brew services, systemctl)
        r.start = s.serviceFile->start;
        r.stop = s.serviceFile->stop;
        r.status = s.serviceFile->status;
        return r;
    }
    if (s.type == DeploymentType::Local) {
        r.kind = Kind::Local;
        r.pythonManager = s.pythonManager;
        return r;
    }
    if (s.type != DeploymentType::Docker)
        return r; // process, or native with a plain `command`: supervised like a process
    r.kind = Kind::Docker;
    r.composeFile = s.dockerCompose.isEmpty() ? s.serviceFilePath : s.dockerCompose;
    r.composeInRelease = !s.source.isEmpty();
    r.composeService = s.serviceName;
    // Services sharing a compose file share its project, as `docker compose` itself would name it.
    QString dir = r.composeFile.section(u'/', -2, -2).toLower();
    dir.remove(QRegularExpression(u"[^a-z0-9_-]"_s));
    r.project = u"portoser-"_s + (dir.isEmpty() ? s.name.toLower() : dir);
    return r;
}

int HealthProbe::budgetSeconds() const
{
    return startPeriodSeconds + retries * (timeoutSeconds + intervalSeconds) + minUptimeSeconds + 5;
}

namespace RemoteScripts {

QString pathExpression(const QString &path)
{
    if (path == u"~"_s)
        return u"\"$HOME\""_s;
    if (path.startsWith(u"~/"_s))
        return u"\"$HOME\"/"_s + ShellCommand::quote(path.mid(2));
    return ShellCommand::quote(path);
}

QString serviceDir(const Host &host, const QString &service)
{
    return pathExpression(host.path) + u"/.portoser/"_s + ShellCommand::quote(service);
}

QString installFiles(const Host &host, const QString &service, const QString &folder,
                     const QList<RemoteFile> &files)
{
    QString script =
        HostScript(u"install-files"_s)
            .set(u"dir"_s, serviceDir(host, service) + u'/' + ShellCommand::quote(folder))
            .render();
    for (const RemoteFile &f : files) {
        const QString content = QString::fromUtf8(f.content);
        script += HostScript(u"install-file"_s)
                      .setValue(u"file"_s, f.name)
                      .setValue(u"content"_s, content.endsWith(u'\n') ? content : content + u'\n')
                      .setValue(u"mode"_s, f.secret ? u"600"_s : u"644"_s)
                      .render();
    }
    return script;
}

QString trustCa(const QByteArray &pem, const QString &fileName)
{
    const QString text = QString::fromUtf8(pem);
    return HostScript(u"trust-ca"_s)
        .setValue(u"pem"_s, text.endsWith(u'\n') ? text : text + u'\n')
        .setValue(u"ca_name"_s, fileName)
        .render();
}

QString envFilePath(const Host &host, const QString &service, const QString &envFile,
                    const QString &workingDir)
{
    if (envFile.startsWith(u'/') || envFile.startsWith(u'~'))
        return pathExpression(envFile);
    const QString current = serviceDir(host, service) + u"/current"_s;
    const QString base = workingDir.isEmpty() ? current
                         : workingDir.startsWith(u'/') || workingDir.startsWith(u'~')
                             ? pathExpression(workingDir)
                             : current + u'/' + ShellCommand::quote(workingDir);
    return base + u'/' + ShellCommand::quote(envFile);
}

QString prepare(const Host &host, const QString &service, const QString &releaseId,
                const QString &lockHolder, int staleLockSeconds, bool uploadIfMissing,
                bool detectPlatform, bool detectCompose)
{
    HostScript script(u"prepare"_s, HostScript::WithPrelude);
    script.set(u"svc"_s, serviceDir(host, service));
    setRuntime(script, host, {});
    return script.setValue(u"holder"_s, lockHolder)
        .setValue(u"now"_s, QDateTime::currentSecsSinceEpoch())
        .setValue(u"stale"_s, staleLockSeconds)
        .setValue(u"release"_s, releaseId)
        .setFlag(u"upload_parent"_s, uploadIfMissing)
        .setFlag(u"detect_platform"_s, detectPlatform)
        .setFlag(u"detect_compose"_s, detectCompose)
        .render();
}

QString activate(const Host &host, const QString &service, const Activation &a)
{
    const QString workingDir = a.workingDir.isEmpty() ? u"''"_s
                               : a.workingDir.startsWith(u'/') || a.workingDir.startsWith(u'~')
                                   ? pathExpression(a.workingDir)
                                   : u"\"$svc/current\"/"_s + ShellCommand::quote(a.workingDir);
    const QString gate = probeWords(a.health);
    // How this instance runs and is checked, for a revert to start and gate it as it was.
    const QString last = u"prevcmd="_s + ShellCommand::quote(a.command) + u"\nprevwd="_s
                         + workingDir + u"\nprevgate="_s + ShellCommand::quote(gate);
    HostScript script = serviceScript(u"activate"_s, host, service);
    setRuntime(script, host, a.runtime);
    return script.setValue(u"rid"_s, a.releaseId)
        .set(u"wd"_s, workingDir)
        .setValue(u"cmd"_s, a.command)
        .setValue(u"holder"_s, a.lockHolder)
        .setValue(u"upload"_s, a.uploadDir)
        .setFlag(u"empty_release"_s, a.emptyRelease)
        .setFlag(u"rerun"_s, a.keepEnv)
        .setFlag(u"env_needs_secrets"_s, a.envNeedsSecrets)
        .setValue(u"env_content"_s, a.envFileContent)
        .setValue(u"runtime"_s, runtimeRecord(host, a.runtime))
        .setValue(u"last"_s, last)
        .setValue(u"gate"_s, gate)
        .setValue(u"stop_timeout"_s, a.stopTimeoutSeconds)
        .setValue(u"keep"_s, a.keepReleases)
        .render();
}

QString readServiceFile(const Host &host, const QString &declaredPath)
{
    QString relative = declaredPath;
    while (relative.startsWith(u'/'))
        relative.remove(0, 1);
    return HostScript(u"read-service-file"_s)
        .set(u"file"_s, pathExpression(host.path) + u'/' + ShellCommand::quote(relative))
        .render();
}

QString unlock(const Host &host, const QString &service, const QString &lockHolder)
{
    return HostScript(u"unlock"_s, HostScript::WithPrelude)
        .set(u"svc"_s, serviceDir(host, service))
        .setValue(u"holder"_s, lockHolder)
        .render();
}

QString prelude()
{
    return HostScript::body(u"prelude"_s);
}

QString observe(const Host &host, const QList<StatusQuery> &services, const ObserveScope &scope)
{
    // One round trip for every service on the host: host facts first, then one block per service
    // that starts with "service=<name>", then (with host facts) a block "service=@listeners".
    // The http checks run together, in one curl on the host (observe.sh), not a curl each.
    QStringList httpChecks;
    QList<int> checkIndex;
    for (const StatusQuery &query : services) {
        const bool http =
            query.probe.kind == HealthProbe::Kind::Http && !query.probe.target.contains(u'\n');
        if (http)
            httpChecks.append(QString::number(query.probe.timeoutSeconds) + u' '
                              + query.probe.target);
        checkIndex.append(http ? int(httpChecks.size()) : 0);
    }
    QString script = HostScript(u"observe"_s, HostScript::WithPrelude)
                         .set(u"base"_s, pathExpression(host.path))
                         .setFlag(u"host_facts"_s, scope.hostFacts)
                         .setFlag(u"docker"_s, scope.docker)
                         .setValue(u"http_checks"_s, httpChecks.join(u'\n'))
                         .setValue(u"curl_batch"_s, scope.curlBatch)
                         .render();
    for (qsizetype i = 0; i < services.size(); ++i) {
        const StatusQuery &query = services.at(i);
        HostScript block =
            serviceScript(u"observe-service"_s, host, query.service, HostScript::WithoutPrelude);
        setRuntime(block, host, query.runtime);
        block.setValue(u"check_index"_s,
                       checkIndex.at(i) > 0 ? QString::number(checkIndex.at(i)) : QString());
        script +=
            block.setValue(u"port"_s, query.port > 0 ? QString::number(query.port) : QString())
                .setValue(u"check_kind"_s, probeKind(query.probe))
                .setValue(u"check_target"_s, query.probe.target)
                .setValue(u"check_timeout"_s, query.probe.timeoutSeconds)
                .setValue(u"exit_window"_s, scope.exitWindowSeconds)
                .setFlag(u"all_port_holders"_s, scope.allPortHolders)
                .render();
    }
    if (scope.hostFacts)
        script += HostScript(u"observe-listeners"_s).render();
    return script;
}

QMap<QString, QMap<QString, QString>> parseSections(const QByteArray &output, const QString &key)
{
    QMap<QString, QMap<QString, QString>> sections;
    const QByteArray marker = key.toUtf8() + '=';
    const QByteArray lineMarker = '\n' + marker;
    qsizetype start = output.startsWith(marker) ? 0 : output.indexOf(lineMarker);
    while (start >= 0) {
        if (output.at(start) == '\n')
            ++start;
        const qsizetype lineEnd = output.indexOf('\n', start);
        const QString name = QString::fromUtf8(
            output.mid(start + marker.size(), lineEnd < 0 ? -1 : lineEnd - start - marker.size()));
        const qsizetype next = lineEnd < 0 ? -1 : output.indexOf(lineMarker, lineEnd);
        sections.insert(name,
                        parseKeyValues(output.mid(lineEnd + 1, next < 0 ? -1 : next - lineEnd)));
        start = next;
    }
    return sections;
}

QString stop(const Host &host, const QString &service, const Runtime &runtime,
             int stopTimeoutSeconds)
{
    HostScript script = serviceScript(u"stop"_s, host, service);
    setRuntime(script, host, runtime);
    return script.setValue(u"stop_timeout"_s, stopTimeoutSeconds).render();
}

QString logTail(const Host &host, const QString &service, int lines, bool follow)
{
    return serviceScript(u"log-tail"_s, host, service)
        .setValue(u"lines"_s, lines)
        .setFlag(u"follow"_s, follow)
        .render();
}

QMap<QString, QString> parseKeyValues(const QByteArray &output)
{
    QMap<QString, QString> values;
    for (const QByteArray &line : output.split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq <= 0)
            continue;
        const QByteArray key = line.left(eq);
        if (std::all_of(key.begin(), key.end(),
                        [](char c) { return std::isalnum(uchar(c)) || c == '_'; }))
            values.insert(QString::fromUtf8(key), QString::fromUtf8(line.mid(eq + 1)));
    }
    return values;
}

} // namespace RemoteScripts

} // namespace Portoser
