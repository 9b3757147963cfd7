# SPDX-License-Identifier: Apache-2.0
# prelude: the shell functions every host script that needs them starts with (the host layout,
# the lock, the process group, the gate). Only function definitions: including it runs nothing.
# Kept POSIX: `kill -0 -PGID`, `sleep 0.1`, `ls -t` and `readlink` (no -f) behave alike on
# GNU/Linux, BusyBox and macOS.
#
# Reads: (when a function is called; the script sets them first)
#   $svc              the service's state dir (<host.path>/.portoser/<service>)
#   $name             the service (its log is $svc/logs/$name.log)
#   $kind             how it runs: process, local, native or docker
#   $pm               local: uv, venv, pip, poetry, system, or empty (uv when it is there)
#   $nt_start $nt_stop $nt_status   native: the service.yml commands
#   $dc_project $dc_service         docker: the compose project, and the service or empty for all
#   $dc_compose_file  docker: the compose file (dc_file prints it; a runtime record wins)
#   $dc_cli           docker: v2 (the `docker compose` plugin), v1 (docker-compose), none, or
#                     empty: found out here (the coordinator asks once per session and says)
#   $envf             the env file to export instead of $svc/env (a new one awaiting its gate)
#
# Sets: (for the script to read after a call)
#   $p                pt_readpid, pt_alive: the pid from the pid file
#   $p_state $p_pgid $p_start  pt_proc: the process's state, group and (Linux) start time
#   $sp               pt_lock_script_running: the pid of the script noted in the lock
#   $rel              pt_release: the release `current` points at
#   $prev             pt_previous: the release a revert would go back to
#   $n                pt_lines: a file's number of lines
#   $dc_ids $dc_states  pt_containers: the service's containers and their states (running, ...)

# The host lock of one service, the one implementation deploys and the healer's prune share: a
# directory made atomically, holding who took it and since when (the coordinator's clock: ages
# are compared by coordinators only).
# pt_lock HOLDER NOW STALE_SECONDS: 0 when taken; 75 (lock_holder=, lock_age=) when another has it.
# A lock is broken when it is older than STALE_SECONDS, or held by an earlier run of the same
# coordinator (its service lock on the coordinator says that run is over) once the script that
# run left here is done: activate runs to its end whatever happens to its coordinator, so a
# restart killed mid-gate would otherwise stop what the next deploy starts. It is waited for up
# to 45 s (the coordinator waits 60 s for prepare); still at work after that, the lock stands.
pt_lock() {
  lt=0; wt=0
  while :; do
    if mkdir "$svc/lock" 2>/dev/null; then
      printf '%s\n' "$1" > "$svc/lock/holder"; printf '%s\n' "$2" > "$svc/lock/since"; return 0
    fi
    since=; read -r since 2>/dev/null < "$svc/lock/since"
    # No time yet: its taker is between mkdir and writing, or it was just let go. Try again;
    # only a lock that stays without one (its taker died there) is judged by age 0.
    [ -z "$since" ] && [ "$lt" -lt 10 ] && { lt=$((lt + 1)); sleep 0.1; continue; }
    case $since in ""|*[!0-9]*) since=0 ;; esac
    old=unknown; read -r old 2>/dev/null < "$svc/lock/holder"
    age=$(( $2 - since ))
    same=; case $old in coord=*) [ "${old%% pid=*}" = "${1%% pid=*}" ] && same=1 ;; esac
    if [ -n "$same" ] && [ "$age" -le "$3" ] && pt_lock_script_running; then
      [ "$wt" -lt 450 ] && { wt=$((wt + 1)); sleep 0.1; continue; }
      echo "lock_holder=$old (its script, pid $sp, is still at work on the host)"; echo "lock_age=$age"; return 75
    fi
    break
  done
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
# pt_lock_mark: the script holding the lock notes itself in it (pid and, on Linux, start time, so
# a pid reused after a reboot is not taken for it). Its own pid, not $$: scripts run in a subshell
# of the session's shell, which outlives them.
pt_lock_mark() {
  [ -d "$svc/lock" ] || return 0
  if [ -d /proc/self ]; then l=; read -r l 2>/dev/null < /proc/self/stat; me=${l%% *}
  else me=$(exec sh -c 'echo "$PPID"'); fi
  pt_proc "$me" && printf '%s %s\n' "$me" "$p_start" > "$svc/lock/script"; :
}
# pt_lock_script_running: the script noted in the lock is still running (sets sp).
pt_lock_script_running() {
  sp=; sst=; read -r sp sst 2>/dev/null < "$svc/lock/script" || [ -n "$sp" ] || return 1
  pt_proc "$sp" || return 1
  case "$p_state" in Z*) return 1 ;; esac
  [ "$sst" = "$p_start" ]
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
# pt_proc PID: sets p_state, p_pgid and p_start, or fails when no such process. /proc on Linux, ps
# elsewhere (no start time there: p_start is empty).
pt_proc() {
  case "$1" in ""|*[!0-9]*) return 1 ;; esac
  if [ -d /proc/self ]; then
    l=; read -r l 2>/dev/null < "/proc/$1/stat" || return 1
    l=${l##*) }; set -- $l; p_state=$1; p_pgid=$3; p_start=${20}; return 0
  fi
  set -- $(ps -o stat= -o pgid= -p "$1" 2>/dev/null); [ -n "$1" ] || return 1
  p_state=$1; p_pgid=$2; p_start=
}
# Alive means running: a zombie (exited, not yet reaped) answers kill -0 but is dead, and a pid
# that now belongs to another process group (reused after a reboot) is not ours.
# pt_env: exports the service's environment: $envf while a new one awaits its health gate.
pt_env() { e=${envf:-$svc/env}; if [ -f "$e" ]; then set -a; . "$e"; set +a; fi; }
pt_native() { ( cd "$svc/current" && pt_env && sh -c "$1" ) </dev/null; }
pt_alive() {
  if [ "$kind" = docker ]; then
    # Every container of the service running (one restarting or exited is not).
    pt_containers || return 1
    [ -n "$dc_states" ] || return 1
    for st in $dc_states; do [ "$st" = running ] || return 1; done
    return 0
  fi
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
# docker: compose through what this host has, the plugin (v2) first. Found out here only when the
# coordinator did not say ($dc_cli): `docker-compose version` costs a Python start-up.
pt_dc_cli() {
  [ -n "$dc_cli" ] && return 0
  if docker compose version >/dev/null 2>&1; then dc_cli=v2
  elif docker-compose version >/dev/null 2>&1; then dc_cli=v1
  else dc_cli=none; fi
}
# docker compose for this service's project; its file is read where `current` points now, with
# the images the current release is pinned to (pt_pin_images) over it.
pt_compose() {
  pt_dc_cli
  if pt_pins "$svc/current"; then set -- -f "$pins" "$@"; fi
  set -- -p "$dc_project" -f "$(dc_file)" "$@"
  case $dc_cli in
    v2) docker compose "$@" ;;
    v1) docker-compose "$@" ;;
    *) echo "neither the docker compose plugin (v2) nor docker-compose (v1) is installed on this host"; return 127 ;;
  esac
}
# pt_docker: docker with a deadline where coreutils or BusyBox give `timeout` (a daemon that hangs
# must not hold a whole host's status pass until its transport gives up).
pt_docker() {
  if command -v timeout >/dev/null 2>&1; then timeout 15 docker "$@"; st=$?
    [ "$st" -eq 124 ] && echo "docker did not answer within 15 s (is its daemon hung?)" >&2
    return "$st"
  fi
  docker "$@"
}
# pt_containers: the service's containers, found by the labels compose v1 and v2 both set (no
# compose start-up: a status pass runs this for every docker service). Sets dc_ids and dc_states;
# fails (dc_error=) when the docker daemon does not answer.
pt_containers() {
  dc_ids=; dc_states=
  # Not one-off containers (`compose run` without --rm): they are not the service.
  set -- --filter "label=com.docker.compose.project=$dc_project" --filter "label=com.docker.compose.oneoff=False"
  [ -n "$dc_service" ] && set -- "$@" --filter "label=com.docker.compose.service=$dc_service"
  dc_out=$(pt_docker ps -a --no-trunc "$@" --format '{{.ID}} {{.State}}' 2>&1) || { dc_error=$dc_out; return 1; }
  # shellcheck disable=SC2086 # id/state words
  set -- $dc_out
  while [ "$#" -ge 2 ]; do dc_ids="$dc_ids $1"; dc_states="$dc_states $2"; shift 2; done
}
# pt_container_facts: what docker says of the service's containers, for observe: the state of the
# first that is not running (or running), its exit code and OOM kill, restarts, and its own
# HEALTHCHECK's verdict (sets dc_unhealthy); or that the daemon does not answer (sets dc_down).
# Sets dc_first: the container whose logs tell most.
pt_container_facts() {
  dc_first=
  if ! pt_containers; then dc_down=1; echo "docker_down=1"; echo "docker_error=$(printf '%s' "$dc_error" | tail -n 1 | cut -c1-200)"; return; fi
  [ -n "$dc_ids" ] || { echo "container_state=missing"; return; }
  # Fields every docker CLI has (an older one reads .State as a struct, a newer as a map).
  # shellcheck disable=SC2086 # ids are words
  dc_facts=$(pt_docker inspect --format '{{.Id}} {{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.RestartCount}}' $dc_ids 2>/dev/null)
  restarts=0; worst=
  # shellcheck disable=SC2086 # fact words
  set -- $dc_facts
  while [ "$#" -ge 5 ]; do
    restarts=$((restarts + $5))
    [ -z "$dc_first" ] && dc_first=$1
    if [ "$2" != running ] && [ -z "$worst" ]; then
      worst=$2; dc_first=$1; echo "container_state=$2"
      case $2 in exited|dead) echo "exit_status=$3" ;; esac
      [ "$4" = true ] && echo "oom_killed=1"
    fi
    shift 5
  done
  [ -n "$worst" ] || echo "container_state=running"
  echo "restarts=$restarts"
  # Its own HEALTHCHECK's verdict, and the last thing that check printed.
  set -- --filter "label=com.docker.compose.project=$dc_project" --filter health=unhealthy
  [ -n "$dc_service" ] && set -- "$@" --filter "label=com.docker.compose.service=$dc_service"
  sick=$(pt_docker ps -q --no-trunc "$@" 2>/dev/null | head -n 1)
  if [ -n "$sick" ]; then
    dc_unhealthy="the container's own HEALTHCHECK says unhealthy: $(pt_docker inspect --format '{{range .State.Health.Log}}{{.Output}}{{end}}' "$sick" 2>/dev/null | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c1-200)"
  fi
}
# pt_pin_key: names what a start resolves image tags from: the compose file and the env file it
# runs with (`image: app:${TAG}`). Pins are kept per release and per key, so a restart, a revert
# or a rollback finds the set its own start made (sets pk).
pt_pin_key() {
  pk=$( { cksum < "$(dc_file)"; cksum < "${envf:-$svc/env}"; } 2>/dev/null | cksum)
  pk=${pk%% *}
}
# pt_pins DIR: the pin override of release DIR for the current key, when it has one (sets pins).
pt_pins() {
  pt_pin_key; pins="$1/.portoser-pins/$pk.yml"
  [ -f "$pins" ]
}
# pt_tag_word TEXT: TEXT as one path component of an image name (lower case, [a-z0-9._-], starting
# and ending with a letter or digit).
pt_tag_word() {
  printf '%s' "$1" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9._-' '-' | sed 's/^[^a-z0-9]*//; s/[^a-z0-9]*$//; s/^$/x/'
}
# pt_pin_images REL: after release REL passed its gate, the image each of its compose services
# runs is tagged portoser/<project>/<service>:<REL>-<key> (an image a release needs is never
# dangling, so no prune removes it) and noted, with a compose override naming those tags, in
# REL's .portoser-pins/<key>.*: every later start of REL with the same compose file and env
# (restart, heal, revert, rollback) runs exactly these images, even after the tag has moved.
# Prints image=<compose service> <image id> lines.
pt_pin_images() {
  pt_containers || return 0
  [ -n "$dc_ids" ] || return 0
  d="$svc/releases/$1/.portoser-pins"
  if pt_pins "$svc/releases/$1"; then
    while read -r cs image _; do echo "image=$cs $image"; done < "$d/$pk.images"; return 0
  fi
  mkdir -p "$d" || return 0
  # One line per compose service (a scaled service has several containers of one image).
  # shellcheck disable=SC2086 # ids are words
  pt_docker inspect --format '{{index .Config.Labels "com.docker.compose.service"}} {{.Image}}' $dc_ids 2>/dev/null | awk '!seen[$1]++' > "$d/$pk.new" || return 0
  # An older docker-compose (before 1.27) merges only files of the same format version.
  sed -n '/^version:/p' "$(dc_file)" 2>/dev/null | head -n 1 > "$d/$pk.yml.new"
  printf 'services:\n' >> "$d/$pk.yml.new"
  : > "$d/$pk.images.new"
  repo=portoser/$(pt_tag_word "$dc_project")
  while read -r cs image; do
    [ -n "$cs" ] || continue
    tag=$repo/$(pt_tag_word "$cs"):$1-$pk
    pt_docker tag "$image" "$tag" 2>/dev/null || continue
    printf '%s %s %s\n' "$cs" "$image" "$tag" >> "$d/$pk.images.new"
    printf '  %s:\n    image: %s\n' "$cs" "$tag" >> "$d/$pk.yml.new"
    echo "image=$cs $image"
  done < "$d/$pk.new"
  rm -f "$d/$pk.new"
  if [ -s "$d/$pk.images.new" ]; then
    mv -f "$d/$pk.images.new" "$d/$pk.images"; mv -f "$d/$pk.yml.new" "$d/$pk.yml"
  else rm -f "$d/$pk.images.new" "$d/$pk.yml.new"; fi # no tag made: nothing to pin
}
# pt_unpin_images DIR: a release being pruned lets go of its image tags. `docker rmi` without -f:
# an image that another tag or a container still uses stays; only the tag goes then.
pt_unpin_images() {
  for f in "$1"/.portoser-pins/*.images; do
    [ -f "$f" ] || continue
    while read -r _ _ tag; do [ -n "$tag" ] && pt_docker rmi "$tag" >/dev/null 2>&1; done < "$f"
  done
  :
}
# dc_file: the compose file as the coordinator sees it. A runtime record on the host (written by
# activate, sourced by stop and observe) defines its own, which then wins.
dc_file() { echo "$dc_compose_file"; }
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
    # What compose says is kept apart too: a start that fails says why (pt_container_exited).
    # shellcheck disable=SC2086 # no service: all of the project's
    # One compose service starts alone (--no-deps): its siblings are Portoser services of their
    # own, started in dependency order and each with its own pinned image, which `up` would
    # otherwise recreate from their tags.
    if [ -n "$dc_service" ]; then pt_compose --env-file "${envf:-$svc/env}" up -d --no-deps "$dc_service" > "$svc/run/up.out" 2>&1; st=$?
    else pt_compose --env-file "${envf:-$svc/env}" up -d > "$svc/run/up.out" 2>&1; st=$?; fi
    cat "$svc/run/up.out" >> "$svc/logs/$name.log"
    echo docker > "$svc/run/pid"; pt_started; return "$st"
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
  now=$(date +%s); started_at=$now; echo "$now" > "$svc/run/started"; echo "$now" >> "$svc/run/starts"
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
  if [ "$kind" = docker ]; then pt_container_exited; return; fi
  x=; [ -f "$svc/run/exits" ] && x=$(tail -n 1 "$svc/run/exits")
  st=${x#* }; up=$(( ${x%% *} - ${s0:-0} ))
  if [ -n "$x" ] && [ "$up" -ge 0 ]; then echo "health_detail=the process exited with status $st after ${up} s"
  else echo "health_detail=the process exited"; fi
  echo "gate_failure=exited"; [ -n "$x" ] && echo "exit_status=$st"
  pt_lastlog
}
# pt_container_exited: why a docker service is not running: compose's own error when it made no
# container, else the first container not running (state, exit code, OOM kill) and its last
# log lines.
pt_container_exited() {
  if ! pt_containers; then
    echo "gate_failure=exited"
    echo "health_detail=the docker daemon does not answer: $(printf '%s' "$dc_error" | tail -n 1 | cut -c1-200)"; return
  fi
  if [ -z "$dc_ids" ]; then
    echo "gate_failure=start"
    if [ -s "$svc/run/up.out" ]; then
      echo "health_detail=docker compose up failed: $(grep -v '^[[:space:]]*$' "$svc/run/up.out" | tail -n 1 | cut -c1-300)"
      grep -v '^[[:space:]]*$' "$svc/run/up.out" | tail -n 4 | cut -c1-300 | sed 's/^/health_log=/'
    else echo "health_detail=compose made no container"; fi
    return
  fi
  echo "gate_failure=exited"
  # The first container not running (one may be between two restarts: then the first one).
  # shellcheck disable=SC2086 # ids are words
  facts=$(pt_docker inspect --format '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.RestartCount}} {{.Id}}' $dc_ids 2>/dev/null)
  # shellcheck disable=SC2086 # fact words
  set -- $facts
  while [ "$#" -ge 12 ] && [ "$2" = running ]; do shift 6; done
  [ "$#" -ge 6 ] || { echo "health_detail=docker says nothing of its containers"; return; }
  if [ "$2" = running ] || [ "$2" = restarting ]; then why="the container ${1#/} keeps restarting"
  else why="the container ${1#/} is $2"; fi
  case $2 in exited|dead) why="$why with status $3"; echo "exit_status=$3" ;; esac
  [ "$4" = true ] && { why="$why (killed for lack of memory)"; echo "oom_killed=1"; }
  [ "$5" -gt 0 ] 2>/dev/null && why="$why ($5 restarts by docker's restart policy)"
  echo "health_detail=$why"
  pt_docker logs --tail 5 "$6" 2>&1 | cut -c1-300 | sed 's/^/health_log=/'
}
# Lines cut to 300 characters: activations sharing one output must each write whole lines.
pt_lastlog() { tail -n 5 "$svc/logs/$name.log" 2>/dev/null | cut -c1-300 | sed 's/^/health_log=/'; }
# pt_gate KIND TARGET TIMEOUT RETRIES INTERVAL START_PERIOD MIN_UPTIME
pt_gate() {
  # Since the start pt_started just noted (one `date` fewer), else since now.
  s0=${started_at:-$(date +%s)}; started_at=
  [ "$6" -gt 0 ] && sleep "$6"
  n=0
  while :; do
    n=$((n + 1))
    if ! pt_alive; then pt_exited; return 1; fi
    if out=$(pt_check "$1" "$2" "$3"); then echo "health_attempts=$n"; break; fi
    # A check that failed because the process died meanwhile: say it exited.
    if ! pt_alive; then pt_exited; return 1; fi
    if [ "$n" -ge "$4" ]; then
      echo "health_attempts=$n"; echo "health_detail=$(printf '%s' "$out" | tail -n 1)"; echo "gate_failure=check"
      pt_lastlog; return 1
    fi
    # Look again soon at first (most services answer within a second), then every interval.
    case $n in 1) sleep 0.1 ;; 2) sleep 0.2 ;; 3) sleep 0.4 ;; 4) sleep 0.8 ;; *) sleep "$5" ;; esac
  done
  # Alive for MIN_UPTIME since its start: a process that dies at once does not count as started.
  i=0; [ "$7" -gt 0 ] && i=$(( ($7 - ($(date +%s) - s0)) * 5 ))
  while [ "$i" -gt 0 ]; do
    if ! pt_alive; then pt_exited; return 1; fi
    sleep 0.2; i=$((i - 1))
  done
  if ! pt_alive; then pt_exited; return 1; fi
}
