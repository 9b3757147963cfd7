// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/RemoteScripts.h"

#include "core/transport/ShellCommand.h"

#include <QDateTime>
#include <QRegularExpression>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

QString q(const QString &value)
{
    return ShellCommand::quote(value);
}

/**
 * Shell functions every script starts with. `svc` is the service's state dir, `name` the service.
 * Kept POSIX: `kill -0 -PGID`, `sleep 0.1`, `ls -t` and `readlink` (no -f) behave alike on
 * GNU/Linux, BusyBox and macOS.
 */
const char *const Prelude = R"SH(
# The host lock of one service, the one implementation deploys and the healer's prune share: a
# directory made atomically, holding who took it and since when (the coordinator's clock: ages
# are compared by coordinators only).
# pt_lock HOLDER NOW STALE_SECONDS: 0 when taken; 75 (lock_holder=, lock_age=) when another has it.
# A lock is broken when it is older than STALE_SECONDS, or held by an earlier run of the same
# coordinator (its service lock on the coordinator says that run is over).
pt_lock() {
  lt=0
  while :; do
    if mkdir "$svc/lock" 2>/dev/null; then
      printf '%s\n' "$1" > "$svc/lock/holder"; printf '%s\n' "$2" > "$svc/lock/since"; return 0
    fi
    since=; read -r since 2>/dev/null < "$svc/lock/since"
    # No time yet: its taker is between mkdir and writing, or it was just let go. Try again;
    # only a lock that stays without one (its taker died there) is judged by age 0.
    [ -z "$since" ] && [ "$lt" -lt 10 ] && { lt=$((lt + 1)); sleep 0.1; continue; }
    break
  done
  case $since in ""|*[!0-9]*) since=0 ;; esac
  old=unknown; read -r old 2>/dev/null < "$svc/lock/holder"
  age=$(( $2 - since ))
  same=; case $old in coord=*) [ "${old%% pid=*}" = "${1%% pid=*}" ] && same=1 ;; esac
  if [ -n "$same" ] || [ "$age" -gt "$3" ]; then
    echo "note=broke a stale host lock held by $old for ${age}s"
    rm -rf "$svc/lock"
    if mkdir "$svc/lock" 2>/dev/null; then
      printf '%s\n' "$1" > "$svc/lock/holder"; printf '%s\n' "$2" > "$svc/lock/since"; return 0
    fi
    read -r old 2>/dev/null < "$svc/lock/holder"; age=0
  fi
  echo "lock_holder=$old"; echo "lock_age=$age"; return 75
}
# pt_unlock HOLDER: lets go of the lock only while HOLDER still holds it (one broken as stale
# may belong to someone else by now).
pt_unlock() { h=; read -r h 2>/dev/null < "$svc/lock/holder"; if [ "$h" = "$1" ]; then rm -rf "$svc/lock"; fi; }
pt_current() { if [ -L "$svc/current" ]; then l=$(readlink "$svc/current"); echo "${l##*/}"; fi; }
# Builtins only where it is cheap to do so: a status pass runs these for every service of a host.
# pt_readpid: sets p from the pid file without a subshell.
pt_readpid() { p=; [ -f "$svc/run/pid" ] && read -r p 2>/dev/null < "$svc/run/pid"; :; }
# pt_previous: sets prev to the release a revert would go back to.
pt_previous() { prev=; [ -f "$svc/previous" ] && read -r prev 2>/dev/null < "$svc/previous"; :; }
# pt_proc PID: sets p_state and p_pgid, or fails when no such process. /proc on Linux, ps elsewhere.
pt_proc() {
  case "$1" in ""|*[!0-9]*) return 1 ;; esac
  if [ -d /proc/self ]; then
    l=; read -r l 2>/dev/null < "/proc/$1/stat" || return 1
    l=${l##*) }; p_state=${l%% *}; l=${l#* }; l=${l#* }; p_pgid=${l%% *}; return 0
  fi
  set -- $(ps -o stat= -o pgid= -p "$1" 2>/dev/null); [ -n "$1" ] || return 1
  p_state=$1; p_pgid=$2
}
# Alive means running: a zombie (exited, not yet reaped) answers kill -0 but is dead, and a pid
# that now belongs to another process group (reused after a reboot) is not ours.
# pt_env: exports the service's environment: $envf while a new one awaits its health gate.
pt_env() { e=${envf:-$svc/env}; if [ -f "$e" ]; then set -a; . "$e"; set +a; fi; }
pt_native() { ( cd "$svc/current" && pt_env && sh -c "$1" ) </dev/null; }
pt_alive() {
  if [ "$kind" = docker ]; then [ -n "$(pt_compose ps --status running -q $dc_service 2>/dev/null)" ]; return; fi
  if [ "$kind" = native ]; then
    [ -f "$svc/run/pid" ] || return 1
    [ -n "$nt_status" ] || return 0
    # upstream status commands print running/stopped and often exit 0 either way
    out=$(pt_native "$nt_status" 2>&1) || return 1
    case "$out" in *stopped*|*inactive*|*"not running"*|*dead*) return 1 ;; esac
    return 0
  fi
  pt_readpid
  pt_proc "$p" || return 1
  case "$p_state" in Z*) return 1 ;; esac
  [ "$p_pgid" = "$p" ]
}
# Every process costs here (a deploy runs these for each service on a busy host), hence the
# builtin `kill -0` first: an empty group needs no `ps`; a non-empty one may hold only zombies.
pt_group_alive() {
  kill -0 -"$1" 2>/dev/null || return 1
  ps -A -o pgid= -o stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}
# docker compose for this service's project; its file is read where `current` points now.
pt_compose() { docker compose -p "$dc_project" -f "$(dc_file)" "$@"; }
pt_stop() {
  if [ "$kind" = native ]; then
    [ -n "$nt_stop" ] && [ -f "$svc/run/pid" ] && pt_native "$nt_stop" >>"$svc/logs/$name.log" 2>&1
    pt_forget; return 0
  fi
  if [ "$kind" = docker ]; then
    [ -f "$svc/run/pid" ] && pt_compose stop -t "$1" $dc_service >>"$svc/logs/$name.log" 2>&1
    pt_forget; return 0
  fi
  pt_readpid
  if [ -n "$p" ] && pt_group_alive "$p"; then
    kill -TERM -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
    i=0
    while pt_group_alive "$p" && [ "$i" -lt $(( $1 * 10 )) ]; do sleep 0.1; i=$((i + 1)); done
    if pt_group_alive "$p"; then
      kill -KILL -"$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
      echo "note=stopped with KILL after $1 s"
    fi
  fi
  pt_forget
}
pt_forget() { if [ -f "$svc/run/pid" ] || [ -f "$svc/run/started" ]; then rm -f "$svc/run/pid" "$svc/run/started"; fi; }
pt_switch() {
  if [ ! -L "$svc/current" ] && [ ! -e "$svc/current" ]; then
    ln -s "releases/$1" "$svc/current" || return 1 # the first one: creating it is atomic
  else
    ln -s "releases/$1" "$svc/current.new" || return 1
    # Atomic replace of a symlink: GNU mv -T, BSD/macOS mv -h.
    mv -T -f "$svc/current.new" "$svc/current" 2>/dev/null || mv -h -f "$svc/current.new" "$svc/current" || return 1
  fi
  printf '%s\n' "$1" > "$svc/run/release" # read back with a builtin, where readlink costs a process
}
# pt_release: sets rel to the release `current` points at.
pt_release() {
  rel=; [ -L "$svc/current" ] || return 0
  [ -f "$svc/run/release" ] && read -r rel 2>/dev/null < "$svc/run/release" && [ -d "$svc/releases/$rel" ] && return 0
  rel=$(pt_current)
}
# pt_lines FILE: sets n to its number of lines.
pt_lines() { n=0; [ -f "$1" ] || return 0; while read -r _; do n=$((n + 1)); done < "$1"; }
# Starts the command detached, as the leader of its own session and process group (so a stop
# reaches all its children and nothing of the SSH session reaches it): setsid on Linux, perl's
# setpgrp on macOS. The pid stays the same through every exec, so $! is the group id.
pt_start() {
  [ -d "$svc/run" ] && [ -d "$svc/logs" ] || mkdir -p "$svc/run" "$svc/logs"
  if [ "$kind" = native ]; then
    pt_native "$nt_start" >>"$svc/logs/$name.log" 2>&1 || return 1
    echo native > "$svc/run/pid"; pt_started; return 0
  fi
  if [ "$kind" = docker ]; then
    pt_compose --env-file "${envf:-$svc/env}" up -d $dc_service >>"$svc/logs/$name.log" 2>&1 || return 1
    echo docker > "$svc/run/pid"; pt_started; return 0
  fi
  wd=$1; [ -n "$wd" ] || wd="$svc/current"
  ( cd "$wd" || exit 127
    pt_env
    # The physical release path: a later switch of `current` must not change a running venv.
    if [ "$kind" = local ] && [ -d "$svc/current/.venv/bin" ]; then
      VIRTUAL_ENV="$(cd "$svc/current" && pwd -P)/.venv"; PATH="$VIRTUAL_ENV/bin:$PATH"; export VIRTUAL_ENV PATH
    fi
    # The group leader waits for the command and notes when and how it ended (for the healer).
    # A subshell rather than `sh -c`: one process less to start, the same isolation.
    run='pt_c=$1 pt_x=$2; shift 2; (eval "$pt_c"); s=$?; echo "$(date +%s) $s" >> "$pt_x"; exit $s'
    if command -v setsid >/dev/null 2>&1; then exec setsid sh -c "$run" pt "$2" "$svc/run/exits"
    elif command -v perl >/dev/null 2>&1; then exec perl -e 'setpgrp(0, 0); exec @ARGV or die "exec: $!"' sh -c "$run" pt "$2" "$svc/run/exits"
    else exec sh -c "$run" pt "$2" "$svc/run/exits"; fi ) </dev/null >>"$svc/logs/$name.log" 2>&1 &
  pid=$!
  echo "$pid" > "$svc/run/pid"
  # Until the child has made its own group, it would look like a stranger's process (pt_alive
  # checks the group): wait the few milliseconds that takes (builtins on Linux, one nap elsewhere).
  if [ -d /proc/self ]; then
    i=0; while [ "$i" -lt 5000 ] && pt_proc "$pid" && [ "$p_pgid" != "$pid" ]; do i=$((i + 1)); done
  else sleep 0.05; fi
  pt_started
}
# Notes a start: when (uptime) and how often (restart count; the last 20 are kept).
pt_started() {
  now=$(date +%s); echo "$now" > "$svc/run/started"; echo "$now" >> "$svc/run/starts"
  : > "$svc/run/wanted" # meant to run until an explicit stop: a failed start is "dead", not "stopped"
  [ -f "$svc/run/stopped_by" ] && rm -f "$svc/run/stopped_by"
  pt_lines "$svc/run/starts"
  if [ "$n" -gt 40 ]; then tail -n 20 "$svc/run/starts" > "$svc/run/starts.new" && mv -f "$svc/run/starts.new" "$svc/run/starts"; fi
}
# Builds a Python release once (local services): uv when asked or available, else a venv with pip.
pt_build_python() {
  [ -f "$1/.portoser-built" ] && return 0
  ( cd "$1" || exit 1
    if [ "$pm" = system ]; then exit 0; fi
    if [ "$pm" = uv ] || { [ -z "$pm" ] && [ -f pyproject.toml ] && command -v uv >/dev/null 2>&1; }; then
      uv sync
    elif [ "$pm" = poetry ]; then
      poetry config virtualenvs.in-project true --local && poetry install --no-root
    else
      python3 -m venv .venv || exit 1
      if [ -f requirements.txt ]; then .venv/bin/pip install --disable-pip-version-check --no-input -r requirements.txt; fi
    fi ) </dev/null || return 1
  touch "$1/.portoser-built"
}
pt_http() {
  if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null -m "$2" "$1" 2>&1
  elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T "$2" "$1" 2>&1
  elif command -v python3 >/dev/null 2>&1; then
    # Not piped: a pipeline's status would be tail's, and every check would pass.
    o=$(python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2]))' "$1" "$2" 2>&1) && return 0
    printf '%s\n' "$o" | tail -n 1; return 1
  else echo "no curl, wget or python3 on this host for an http check"; return 2; fi
}
pt_tcp() {
  if command -v nc >/dev/null 2>&1; then nc -z -w "$3" "$1" "$2" 2>&1
  elif command -v python3 >/dev/null 2>&1; then
    o=$(python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), float(sys.argv[3]))' "$1" "$2" "$3" 2>&1) && return 0
    printf '%s\n' "$o" | tail -n 1; return 1
  else echo "no nc or python3 on this host for a tcp check"; return 2; fi
}
pt_check() {
  case "$1" in
    running) pt_alive ;;
    http) pt_http "$2" "$3" ;;
    tcp) set -- $2 "$3"; pt_tcp "$1" "$2" "$3" ;;
    # Always run inside $(...), a subshell already: cd and the env stay there.
    command) { cd "$svc/current" && pt_env && eval "$2"; } </dev/null 2>&1 ;;
  esac
}
# pt_exited: why the process is gone, from the record its group leader left, and its last words.
pt_exited() {
  x=; [ -f "$svc/run/exits" ] && x=$(tail -n 1 "$svc/run/exits")
  st=${x#* }; up=$(( ${x%% *} - ${s0:-0} ))
  if [ -n "$x" ] && [ "$up" -ge 0 ]; then echo "health_detail=the process exited with status $st after ${up} s"
  else echo "health_detail=the process exited"; fi
  echo "gate_failure=exited"; [ -n "$x" ] && echo "exit_status=$st"
  pt_lastlog
}
# Lines cut to 300 characters: activations sharing one output must each write whole lines.
pt_lastlog() { tail -n 5 "$svc/logs/$name.log" 2>/dev/null | cut -c1-300 | sed 's/^/health_log=/'; }
# pt_gate KIND TARGET TIMEOUT RETRIES INTERVAL START_PERIOD MIN_UPTIME
pt_gate() {
  s0=$(date +%s)
  [ "$6" -gt 0 ] && sleep "$6"
  n=0
  while :; do
    n=$((n + 1))
    if ! pt_alive; then pt_exited; return 1; fi
    if out=$(pt_check "$1" "$2" "$3"); then echo "health_attempts=$n"; break; fi
    if [ "$n" -ge "$4" ]; then
      echo "health_attempts=$n"; echo "health_detail=$(printf '%s' "$out" | tail -n 1)"; echo "gate_failure=check"
      pt_lastlog; return 1
    fi
    # Look again soon at first (most services answer within a second), then every interval.
    case $n in 1) sleep 0.1 ;; 2) sleep 0.2 ;; 3) sleep 0.4 ;; 4) sleep 0.8 ;; *) sleep "$5" ;; esac
  done
  # Alive for MIN_UPTIME since its start: a process that dies at once does not count as started.
  i=$(( ($7 - ($(date +%s) - s0)) * 5 ))
  while [ "$i" -gt 0 ]; do
    if ! pt_alive; then pt_exited; return 1; fi
    sleep 0.2; i=$((i - 1))
  done
  if ! pt_alive; then pt_exited; return 1; fi
}
)SH";

QString runtimeVariables(const Host &host, const Runtime &runtime)
{
    if (runtime.kind == Runtime::Kind::Native)
        return u"kind=native\nnt_start=%1\nnt_stop=%2\nnt_status=%3\n"_s.arg(
            q(runtime.start), q(runtime.stop), q(runtime.status));
    if (runtime.kind == Runtime::Kind::Local)
        return u"kind=local\npm=%1\n"_s.arg(
            runtime.pythonManager.isEmpty() ? u"''"_s : q(runtime.pythonManager));
    if (runtime.kind != Runtime::Kind::Docker)
        return u"kind=process\n"_s;
    QString file = runtime.composeFile;
    while (file.startsWith(u'/'))
        file.remove(0, 1);
    const QString location =
        runtime.composeInRelease
            ? QString(u"\"$svc/current\"/"_s + q(file))
            : QString(RemoteScripts::pathExpression(host.path) + u'/' + q(file));
    return u"kind=docker\ndc_project=%1\ndc_service=%2\ndc_file() { echo %3; }\n"_s.arg(
        q(runtime.project), runtime.composeService.isEmpty() ? u"''"_s : q(runtime.composeService),
        location);
}

/** What the last activation recorded on the host wins over the coordinator's view of the service.
 */
const QString RuntimeOnHost = u"if [ -f \"$svc/runtime\" ]; then . \"$svc/runtime\"; fi\n"_s;

QString header(const Host &host, const QString &service, const Runtime &runtime = {})
{
    return u"name=%1\nsvc=%2\n"_s.arg(q(service), RemoteScripts::serviceDir(host, service))
           + runtimeVariables(host, runtime) + QString::fromUtf8(Prelude);
}

QString probeKind(const HealthProbe &p)
{
    static const QString kinds[] = {u"running"_s, u"http"_s, u"tcp"_s, u"command"_s};
    return kinds[int(p.kind)];
}

QString probeWords(const HealthProbe &p)
{
    // One arg() pass: a chained one would also replace a "%3" inside the user's check.
    return u"%1 %2 %3 %4 %5 %6 %7"_s.arg(
        probeKind(p), q(p.target), QString::number(p.timeoutSeconds), QString::number(p.retries),
        QString::number(p.intervalSeconds), QString::number(p.startPeriodSeconds),
        QString::number(p.minUptimeSeconds));
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
        return u"\"$HOME\"/"_s + q(path.mid(2));
    return q(path);
}

QString serviceDir(const Host &host, const QString &service)
{
    return pathExpression(host.path) + u"/.portoser/"_s + q(service);
}

QString installFiles(const Host &host, const QString &service, const QString &folder,
                     const QList<RemoteFile> &files)
{
    QString script =
        u"dir=%1/%2\nmkdir -p \"$dir\" || exit 1\n"_s.arg(serviceDir(host, service), q(folder));
    for (const RemoteFile &f : files) {
        const QString content = QString::fromUtf8(f.content);
        QString delimiter = u"PORTOSER_FILE_EOF"_s;
        while (content.contains(delimiter))
            delimiter += u'_';
        const QString target = u"\"$dir\"/"_s + q(f.name);
        const QString temp = u"\"$dir\"/"_s + q(u".new."_s + f.name);
        script += u"(umask 077; cat > %1 <<'%2'\n%3%4%2\n) && chmod %5 %1 && mv -f %1 %6 && "
                  "echo installed=\"$dir\"/%7 || exit 1\n"_s.arg(
                      temp, delimiter, content, content.endsWith(u'\n') ? QString() : u"\n"_s,
                      f.secret ? u"600"_s : u"644"_s, target, q(f.name));
    }
    return script;
}

QString trustCa(const QByteArray &pem, const QString &fileName)
{
    QString delimiter = u"PORTOSER_CA_EOF"_s;
    while (pem.contains(delimiter.toUtf8()))
        delimiter += u'_';
    return uR"SH(as=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as="sudo -n"
  else echo "changing the system trust store needs root or passwordless sudo" >&2; exit 77; fi
fi
tmp=$(mktemp) || exit 1
cat > "$tmp" <<'%1'
%2%1
name=%3
if [ "$(uname -s)" = Darwin ]; then
  $as security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "$tmp" || { rm -f "$tmp"; exit 1; }
  echo "trusted=/Library/Keychains/System.keychain"
elif command -v update-ca-certificates >/dev/null 2>&1; then
  $as mkdir -p /usr/local/share/ca-certificates && $as cp "$tmp" "/usr/local/share/ca-certificates/$name" && $as chmod 644 "/usr/local/share/ca-certificates/$name" && $as update-ca-certificates >/dev/null || { rm -f "$tmp"; exit 1; }
  echo "trusted=/usr/local/share/ca-certificates/$name"
elif command -v update-ca-trust >/dev/null 2>&1; then
  $as cp "$tmp" "/etc/pki/ca-trust/source/anchors/$name" && $as chmod 644 "/etc/pki/ca-trust/source/anchors/$name" && $as update-ca-trust extract || { rm -f "$tmp"; exit 1; }
  echo "trusted=/etc/pki/ca-trust/source/anchors/$name"
else
  rm -f "$tmp"; echo "no update-ca-certificates, update-ca-trust or macOS security tool here" >&2; exit 78
fi
rm -f "$tmp"
)SH"_s.arg(delimiter, QString::fromUtf8(pem) + (pem.endsWith('\n') ? QString() : u"\n"_s),
           q(fileName));
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
                             : current + u'/' + q(workingDir);
    return base + u'/' + q(envFile);
}

QString prepare(const Host &host, const QString &service, const QString &releaseId,
                const QString &lockHolder, int staleLockSeconds, bool uploadIfMissing,
                bool detectPlatform)
{
    // The upload directory itself is made by SFTP; here only its absolute parent is printed
    // (`pwd -P` is a builtin; `cd` comes last, and the script runs in a subshell).
    const QString uploadDir =
        uploadIfMissing ? u"cd \"$svc\" && printf 'upload_parent=' && pwd -P"_s : QString();
    return header(host, service)
           + uR"SH(
[ -d "$svc/logs" ] && [ -d "$svc/releases" ] || mkdir -p "$svc/releases" "$svc/run" "$svc/logs" || exit 1
holder=%1
pt_lock "$holder" %5 %2 || exit 75
for t in "$svc"/.tmp-*; do [ -e "$t" ] && rm -rf "$t" && echo "note=removed leftover ${t##*/}"; done
[ -e "$svc/current.new" ] || [ -L "$svc/current.new" ] && rm -f "$svc/current.new"
%6
pt_release; pt_previous; echo "current=$rel"; echo "previous=$prev"
if pt_alive; then echo "alive=1"; echo "pid=$p"; else echo "alive=0"; fi
if [ -d "$svc/releases/"%3 ]; then echo "has_release=1"; else echo "has_release=0"; %4; fi
)SH"_s.arg(q(lockHolder), QString::number(staleLockSeconds), q(releaseId),
           uploadDir.isEmpty() ? u":"_s : uploadDir,
           QString::number(QDateTime::currentSecsSinceEpoch()),
           detectPlatform ? u"set -- $(uname -sm); echo \"os=$1\"; echo \"arch=$2\""_s : QString());
}

QString activate(const Host &host, const QString &service, const Activation &a)
{
    QString script = header(host, service, a.runtime);
    // Whatever happens to the coordinator from here on, this script runs to its end.
    script += u"trap '' HUP PIPE\n"_s;
    const QString workingDir = a.workingDir.isEmpty() ? u"''"_s
                               : a.workingDir.startsWith(u'/') || a.workingDir.startsWith(u'~')
                                   ? pathExpression(a.workingDir)
                                   : u"\"$svc/current\"/"_s + q(a.workingDir);
    script += u"rid=%1\nwd=%2\ncmd=%3\nholder=%4\n"_s.arg(q(a.releaseId), workingDir, q(a.command),
                                                          q(a.lockHolder));
    script += a.keepEnv ? u"rerun=1\n"_s : u"rerun=\n"_s;
    if (!a.uploadDir.isEmpty())
        script +=
            u"[ -d \"$svc/releases/$rid\" ] || mv %1 \"$svc/releases/$rid\" || { echo 'result=failed'; echo 'reason=cannot install the release'; pt_unlock \"$holder\"; exit 1; }\n[ -e %1 ] && rm -rf %1\n"_s
                .arg(q(a.uploadDir));
    if (a.emptyRelease)
        script += u"[ -d \"$svc/releases/$rid\" ] || mkdir -p \"$svc/releases/$rid\"\n"_s;
    // Build before anything stops: a release that cannot build never interrupts the running one.
    if (a.runtime.kind == Runtime::Kind::Local)
        script += u"if [ ! -f \"$svc/releases/$rid/.portoser-built\" ]; then echo \"step=build\"\n"
                  "  pt_build_python \"$svc/releases/$rid\" >>\"$svc/logs/$name.log\" 2>&1 || { "
                  "echo 'result=failed'; "
                  "echo \"reason=building the Python environment of release $rid failed; see the "
                  "service log\"; "
                  "pt_unlock \"$holder\"; exit 1; }\nfi\n"_s;
    script += u"[ -d \"$svc/releases/$rid\" ] || { echo 'result=failed'; echo 'reason=release "
              u"missing on host'; pt_unlock \"$holder\"; exit 1; }\n"_s;
    // How the running instance was started (command, working dir), so a revert starts it exactly
    // as it was: a file the shell sources (older hosts kept two plain files).
    script += uR"SH(prevcmd=; prevwd=; prevgate=
if [ -f "$svc/last" ]; then . "$svc/last"
elif [ -f "$svc/command" ]; then prevcmd=$(cat "$svc/command"); prevwd=$(cat "$svc/workdir" 2>/dev/null); fi
)SH"_s;
    // The new environment waits in env.new until the new release passes its gate; the running
    // instance's env stays for a revert. It travels inside this script (stdin of the shell) and
    // is written by a builtin, so it never appears on a command line.
    if (a.keepEnv)
        script +=
            u"if [ -f \"$svc/env\" ]; then (umask 077; cp \"$svc/env\" \"$svc/env.new\") || { "
            "echo 'result=failed'; echo 'reason=cannot copy the env file'; pt_unlock "
            "\"$holder\"; exit 1; }\nelse\n"_s;
    if (a.keepEnv && a.envNeedsSecrets)
        script +=
            u"echo 'result=failed'; echo 'reason=its env file (with its secrets) is gone from "
            "the host; deploy it again'; pt_unlock \"$holder\"; exit 1\n"_s;
    else
        script += u"(umask 077; printf '%s' %1 > \"$svc/env.new\") || { echo 'result=failed'; echo "
                  "'reason=cannot write the env file'; pt_unlock \"$holder\"; exit 1; }\n"_s.arg(
                      q(a.envFileContent));
    if (a.keepEnv)
        script += u"fi\n"_s;
    // The host remembers how this service runs, so status and stop need nothing from the
    // coordinator.
    script += u"printf '%s' %1 > \"$svc/runtime\"\n"_s.arg(q(runtimeVariables(host, a.runtime)));
    script += u"pt_release; old=$rel\n"_s;
    // Prune keeps the most recently used releases (ls -t): a release used again is touched; a
    // fresh upload already is.
    if (a.uploadDir.isEmpty())
        script += u"[ \"$old\" = \"$rid\" ] || touch \"$svc/releases/$rid\"\n"_s;
    script += u"echo \"step=stop\"\npt_stop %1\n"_s.arg(a.stopTimeoutSeconds);
    // How this instance runs and is checked, for a revert to start and gate it as it was.
    const QString remember = u"printf '%s\\n' %1 %2 %3 > \"$svc/last\""_s.arg(
        q(u"prevcmd="_s + q(a.command)), q(u"prevwd="_s + workingDir),
        q(u"prevgate="_s + q(probeWords(a.health))));
    script += uR"SH(
if [ -n "$old" ] && [ "$old" != "$rid" ]; then printf '%s\n' "$old" > "$svc/previous"; fi
echo "step=switch"
pt_switch "$rid" || { echo 'result=failed'; echo 'reason=cannot switch current'; pt_unlock "$holder"; exit 1; }
echo "step=start"
# A new release starts with a clean record of starts and exits; a restart keeps counting.
if [ "$old" != "$rid" ] && { [ -f "$svc/run/starts" ] || [ -f "$svc/run/exits" ]; }; then rm -f "$svc/run/starts" "$svc/run/exits"; fi
envf=$svc/env.new
pt_start "$wd" "$cmd"
pt_readpid; echo "pid=$p"
echo "step=health"
if pt_gate %1; then
  mv -f "$svc/env.new" "$svc/env"; envf=
  %4
  echo "result=ok"
else
  echo "step=revert"
  pt_stop %2
  # Back to what ran before: the previous release, or the same release with its previous env
  # (a config change). A rerun has nothing older to go back to.
  if [ -n "$old" ] && [ -d "$svc/releases/$old" ] && [ -n "$prevcmd" ] \
     && { [ "$old" != "$rid" ] || { [ -z "$rerun" ] && [ -f "$svc/env" ]; }; }; then
    rm -f "$svc/env.new"; envf=
    [ "$old" = "$rid" ] || pt_switch "$old"; printf '%s\n' "$old" > "$svc/reverted_to"
    pt_start "$prevwd" "$prevcmd"
    # Gated by its own check (its port, its URL), not the failed config's.
    if [ -n "$prevgate" ]; then eval "pt_gate $prevgate"; else pt_gate %1; fi
    if [ "$?" -eq 0 ]; then echo "result=rolled_back"; else echo "result=rolled_back_unhealthy"; fi
  else
    # The env that last passed its gate stays (a rerun or heal must not start a failed one);
    # a first deploy has no other.
    if [ -f "$svc/env" ]; then rm -f "$svc/env.new"; else mv -f "$svc/env.new" "$svc/env"; fi; envf=
    # Stopped by Portoser itself: what the healer and diagnose must say, not "killed".
    printf '%s\n' "release $rid failed its start gate at $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$svc/run/stopped_by"
    echo "result=failed"
  fi
fi
echo "step=prune"
pt_release; cur=$rel; pt_previous
n=0; for r in "$svc"/releases/*; do n=$((n + 1)); done
if [ "$n" -gt %3 ]; then
  ls -1t "$svc/releases" | awk -v keep=%3 'NR > keep' | while read -r r; do
    [ "$r" = "$cur" ] || [ "$r" = "$prev" ] || { rm -rf "$svc/releases/$r"; echo "pruned=$r"; }
  done
fi
pt_unlock "$holder"
echo "step=done"
)SH"_s.arg(probeWords(a.health), QString::number(a.stopTimeoutSeconds),
           QString::number(a.keepReleases), remember);
    return script;
}

QString readServiceFile(const Host &host, const QString &declaredPath)
{
    QString relative = declaredPath;
    while (relative.startsWith(u'/'))
        relative.remove(0, 1);
    return u"f=%1/%2\n[ -f \"$f\" ] || { echo \"$f does not exist\" >&2; exit 1; }\nhead -c 1048576 \"$f\"\n"_s
        .arg(pathExpression(host.path), q(relative));
}

QString unlock(const Host &host, const QString &service, const QString &lockHolder)
{
    return header(host, service) + u"pt_unlock %1\n"_s.arg(q(lockHolder));
}

QString prelude()
{
    return QString::fromUtf8(Prelude);
}

QString observe(const Host &host, const QList<StatusQuery> &services, const ObserveScope &scope)
{
    // One round trip for every service on the host: host facts first, then one block per service
    // that starts with "service=<name>", then (with host facts) a block "service=@listeners".
    // Builtins wherever a process can be saved: a watchdog runs this every few seconds.
    QString script = QString::fromUtf8(Prelude) + u"now=$(date +%s)\nports=\n"_s;
    if (scope.hostFacts) {
        script += u"base=%1\n"_s.arg(pathExpression(host.path));
        script += uR"SH(set -- $(uname -sm); echo "os=$1"; echo "arch=$2"
d=$base; while [ ! -d "$d" ] && [ "$d" != / ]; do d=${d%/*}; [ -n "$d" ] || d=/; done
{ df -Pk "$d"; df -Pi "$d"; } 2>/dev/null | awk '
  NR == 2 { sub(/%/, "", $5); print "disk_used_pct=" $5; print "disk_avail_kb=" $4 }
  NR == 3 { for (i = 1; i <= NF; i++) if ($i ~ /IUse%|%iused/) c = i }
  NR == 4 && c { sub(/%/, "", $c); print "inode_used_pct=" $c }'
if [ -r /proc/meminfo ]; then
  while read -r k v _; do
    case $k in MemTotal:) echo "mem_total_kb=$v" ;; MemAvailable:) echo "mem_avail_kb=$v" ;;
      SwapTotal:) echo "swap_total_kb=$v" ;; SwapFree:) echo "swap_free_kb=$v" ;; esac
  done < /proc/meminfo
  read -r l1 _ < /proc/loadavg; echo "load1=$l1"
else
  echo "mem_total_kb=$(( $(sysctl -n hw.memsize 2>/dev/null || echo 0) / 1024 ))"
  vm_stat 2>/dev/null | awk '/page size of/ { ps = $8 } /^Pages (free|inactive|speculative):/ { sub(/\./, "", $NF); n += $NF }
    END { if (ps) print "mem_avail_kb=" int(n * ps / 1024) }'
  # "total = 2048.00M  used = 1024.00M  free = 1024.00M  (encrypted)"
  sysctl -n vm.swapusage 2>/dev/null | awk '{ t = $3; f = $9; sub(/M/, "", t); sub(/M/, "", f); print "swap_total_kb=" int(t * 1024); print "swap_free_kb=" int(f * 1024) }'
  set -- $(sysctl -n vm.loadavg 2>/dev/null); echo "load1=$2"
fi
)SH"_s;
        if (scope.docker)
            script +=
                u"if docker info >/dev/null 2>&1; then echo docker=up; else echo docker=down; fi\n"_s;
    }
    for (const StatusQuery &query : services) {
        script +=
            u"name=%1\nsvc=%2\nport=%3\n"_s.arg(q(query.service), serviceDir(host, query.service),
                                                query.port > 0 ? QString::number(query.port)
                                                               : QString())
            + runtimeVariables(host, query.runtime) + RuntimeOnHost + u"echo \"service=$name\"\n"_s;
        script += uR"SH(if [ ! -d "$svc" ]; then echo "state=not_deployed"
else
  pt_release; echo "current=$rel"
  pt_readpid; echo "pid=$p"
  s=0; [ -f "$svc/run/started" ] && read -r s < "$svc/run/started"; echo "started_at=$s"
  if pt_alive; then
    echo "state=running"; echo "uptime=$(( now - s ))"
    if out=$(pt_check %1 2>&1); then echo "health=healthy"
    else echo "health=unhealthy"; echo "health_detail=$(printf '%s' "$out" | tail -n 1)"; ports="$ports $port"; fi
  elif [ -f "$svc/run/pid" ] || [ -f "$svc/run/wanted" ]; then
    echo "state=dead"; ports="$ports $port"
    if [ -f "$svc/run/stopped_by" ]; then read -r sb < "$svc/run/stopped_by"; echo "stopped_by=$sb"; fi
    if pt_proc "$p" && [ "$p_pgid" != "$p" ]; then echo "stale_pid=1"; fi
    case "$p_state" in Z*) echo "zombie=1" ;; esac
    if [ -f "$svc/run/exits" ]; then
      awk -v since=$(( now - %2 )) '{ last = $0 } $1 >= since { n++ } END { print "recent_exits=" n + 0; split(last, a, " "); print "exit_at=" a[1]; print "exit_status=" a[2] }' "$svc/run/exits"
    fi
    tail -n 3 "$svc/logs/$name.log" 2>/dev/null | awk '{ print "log_" NR "=" $0 }'
  else echo "state=stopped"; fi
  pt_lines "$svc/run/starts"; echo "starts=$n"
fi
%3)SH"_s.arg(u"%1 %2 %3"_s.arg(probeKind(query.probe), q(query.probe.target),
                               QString::number(query.probe.timeoutSeconds)),
             QString::number(scope.exitWindowSeconds),
             scope.allPortHolders ? u"ports=\"$ports $port\"\n"_s : QString());
    }
    if (scope.hostFacts) {
        // Who holds the ports of services that are down or failing: "listen_<port>=<pid> <pgid>
        // <command>". Asked only then, as `ss -p` reads every process's file descriptors.
        script += uR"SH(echo "service=@listeners"
ports=$(echo $ports)
if [ -n "$ports" ]; then
  if command -v ss >/dev/null 2>&1; then
    ss -Htlnp 2>/dev/null | sed -n 's/.*:\([0-9][0-9]*\) .*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 \3 \2/p'
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP -sTCP:LISTEN -F pcn 2>/dev/null | awk '/^p/ { pid = substr($0, 2) } /^c/ { c = substr($0, 2) } /^n/ { n = split($0, a, ":"); print a[n], pid, c }'
  fi | while read -r lp pid cmd; do
    case " $ports " in *" $lp "*) g=; pt_proc "$pid" && g=$p_pgid; echo "listen_$lp=$pid $g $cmd" ;; esac
  done
fi
)SH"_s;
    }
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
    return header(host, service, runtime)
           + u"[ -d \"$svc\" ] || { echo result=not_deployed; exit 0; }\n"_s + RuntimeOnHost
           + u"pt_stop %1\nrm -f \"$svc/run/wanted\"\necho result=ok\n"_s.arg(stopTimeoutSeconds);
}

QString logTail(const Host &host, const QString &service, int lines, bool follow)
{
    return header(host, service)
           + u"[ -f \"$svc/logs/$name.log\" ] || { echo \"no log yet for $name\" >&2; exit 1; }\n"
             "tail -n %1 %2\"$svc/logs/$name.log\"\n"_s.arg(lines)
                 .arg(follow ? u"-f "_s : QString());
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
