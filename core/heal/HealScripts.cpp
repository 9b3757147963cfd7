// SPDX-License-Identifier: Apache-2.0
#include "core/heal/HealScripts.h"

#include "core/deploy/HostScript.h"
#include "core/deploy/RemoteScripts.h"
#include "core/transport/ShellCommand.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QRegularExpression>

namespace Portoser::HealScripts {

using namespace Qt::Literals::StringLiterals;

QString clearPid(const Host &host, const QString &service)
{
    return HostScript(u"heal-clear-pid"_s)
        .set(u"svc"_s, RemoteScripts::serviceDir(host, service))
        .render();
}

QString resetFailed(const QString &unit)
{
    return HostScript(u"heal-reset-failed"_s).setValue(u"unit"_s, unit).render();
}

QString killPortHolder(qint64 pid, int port, int graceSeconds)
{
    return HostScript(u"heal-kill-port-holder"_s)
        .setValue(u"pid"_s, pid)
        .setValue(u"port"_s, port)
        .setValue(u"grace"_s, graceSeconds)
        .render();
}

QString prune(const Host &host, qint64 logLimitBytes)
{
    // The deploys' own lock functions (the prelude), with a holder of its own: a deploy of the
    // same coordinator never takes a live prune for an earlier run of itself.
    const QString holder = u"healer-prune coord=%1 pid=%2"_s.arg(QHostInfo::localHostName())
                               .arg(QCoreApplication::applicationPid());
    return HostScript(u"heal-prune"_s, HostScript::WithPrelude)
        .set(u"base"_s, RemoteScripts::pathExpression(host.path))
        .setValue(u"limit"_s, logLimitBytes)
        .setValue(u"holder"_s, holder)
        .setValue(u"now"_s, QDateTime::currentSecsSinceEpoch())
        .setValue(u"stale"_s, RemoteScripts::StaleHostLockSeconds)
        .render();
}

QString command(const Host &host, const QString &service, const QString &templ,
                const QMap<QString, QString> &values)
{
    // The operator's command is theirs, shell already: only its {placeholders} are filled, each
    // with a quoted word (or a path expression of ours).
    const QString script = ShellCommand::fill(templ, [&](const QString &name) {
        if (name == u"service_dir"_s)
            return RemoteScripts::serviceDir(host, service);
        if (name == u"base"_s)
            return RemoteScripts::pathExpression(host.path);
        return ShellCommand::quote(values.value(name));
    });
    return HostScript(u"heal-command"_s)
               .set(u"base"_s, RemoteScripts::pathExpression(host.path))
               .render()
           + script + u'\n';
}

QString systemdUnitOf(const Service &service)
{
    static const QRegularExpression systemctl(
        u"systemctl\\s+(?:--user\\s+)?(?:re)?start\\s+([A-Za-z0-9@._-]+)"_s);
    const QString start = service.serviceFile ? service.serviceFile->start : QString();
    if (const auto m = systemctl.match(start); m.hasMatch())
        return m.captured(1);
    const QString name = service.serviceName.isEmpty() ? service.name : service.serviceName;
    return name.endsWith(u".service"_s) ? name : name + u".service"_s;
}

} // namespace Portoser::HealScripts
