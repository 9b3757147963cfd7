// SPDX-License-Identifier: Apache-2.0
#include "core/heal/HealScripts.h"

#include "core/deploy/RemoteScripts.h"
#include "core/transport/ShellCommand.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QRegularExpression>

namespace Portoser::HealScripts {

using namespace Qt::Literals::StringLiterals;

namespace {

QString q(const QString &value)
{
    return ShellCommand::quote(value);
}

} // namespace

QString clearPid(const Host &host, const QString &service)
{
    return u"svc=%1\nif [ -f \"$svc/run/pid\" ]; then rm -f \"$svc/run/pid\"; echo cleared=1; fi\n"_s
        .arg(RemoteScripts::serviceDir(host, service));
}

QString resetFailed(const QString &unit)
{
    return u"unit=%1\n"
           "if command -v systemctl >/dev/null 2>&1 && systemctl is-failed --quiet \"$unit\"; "
           "then\n"
           "  systemctl reset-failed \"$unit\" && echo reset=1\n"
           "fi\n"_s.arg(q(unit));
}

QString killPortHolder(qint64 pid, int port, int graceSeconds)
{
    // The pid must still be the listener: between observation and now it may have changed.
    return uR"SH(pid=%1; port=%2
listening() {
  if command -v ss >/dev/null 2>&1; then ss -Htlnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"
  else lsof -nP -a -p "$pid" -iTCP:"$port" -sTCP:LISTEN >/dev/null 2>&1; fi
}
listening || { echo "result=gone"; exit 0; }
kill -TERM "$pid" 2>/dev/null
i=0; while kill -0 "$pid" 2>/dev/null && [ "$i" -lt %3 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "note=killed with KILL"; fi
echo "result=freed"
)SH"_s.arg(pid)
        .arg(port)
        .arg(graceSeconds * 10);
}

QString prune(const Host &host, qint64 logLimitBytes)
{
    // The deploys' own lock functions (the prelude), with a holder of its own: a deploy of the
    // same coordinator never takes a live prune for an earlier run of itself.
    const QString holder = u"healer-prune coord=%1 pid=%2"_s.arg(QHostInfo::localHostName())
                               .arg(QCoreApplication::applicationPid());
    return RemoteScripts::prelude()
           + u"base=%1\nlimit=%2\nholder=%3\nnow=%4\n"_s
                 .arg(RemoteScripts::pathExpression(host.path))
                 .arg(logLimitBytes)
                 .arg(q(holder))
                 .arg(QDateTime::currentSecsSinceEpoch())
           + uR"SH(before=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
for svc in "$base"/.portoser/*; do
  [ -d "$svc/releases" ] || continue
  # A deploy in progress holds the service's lock: its new release is not pruned under it.
  pt_lock "$holder" "$now" %1 >/dev/null || { echo "skipped=${svc##*/}"; continue; }
  cur=; [ -L "$svc/current" ] && { l=$(readlink "$svc/current"); cur=${l##*/}; }
  prev=$(cat "$svc/previous" 2>/dev/null)
  for r in "$svc"/releases/*; do
    [ -d "$r" ] || continue
    n=${r##*/}
    [ "$n" = "$cur" ] || [ "$n" = "$prev" ] || { rm -rf "$r"; echo "pruned=${svc##*/}/$n"; }
  done
  for log in "$svc"/logs/*.log; do
    [ -f "$log" ] || continue
    if [ "$(wc -c < "$log")" -gt "$limit" ]; then
      tail -c "$limit" "$log" > "$log.tail" && cat "$log.tail" > "$log"; rm -f "$log.tail"
      echo "trimmed=${log#"$base"/}"
    fi
  done
  pt_unlock "$holder"
done
after=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
echo "freed_kb=$(( after - before ))"
)SH"_s.arg(RemoteScripts::StaleHostLockSeconds);
}

QString command(const Host &host, const QString &service, const QString &templ,
                const QMap<QString, QString> &values)
{
    const QString script = ShellCommand::fill(templ, [&](const QString &name) {
        if (name == u"service_dir"_s)
            return RemoteScripts::serviceDir(host, service);
        if (name == u"base"_s)
            return RemoteScripts::pathExpression(host.path);
        return q(values.value(name));
    });
    return u"cd %1 2>/dev/null || cd || exit 1\n"_s.arg(RemoteScripts::pathExpression(host.path)) + script
           + u'\n';
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
