# SPDX-License-Identifier: Apache-2.0
# activate: installs the release, writes the env file, stops the old instance, switches `current`,
# starts the new one, runs the health gate, reverts to the previous release on failure, prunes,
# unlocks. Prints step=, pid=, health_*=, image= (docker: what the release runs) and result= (ok,
# rolled_back, rolled_back_unhealthy, failed with reason=) lines. Runs after the prelude, with
# the lock prepare took.
#
# Reads:
#   $name $svc          the service and its state dir
#   $kind $pm $nt_start $nt_stop $nt_status   how it runs (the prelude's functions read them)
#   $dc_project $dc_service $dc_compose_file $dc_cli
#   $rid                the release to activate
#   $wd                 its working dir (absolute, or under "$svc/current"), or empty: the release
#   $cmd                the command that starts it
#   $holder             who holds the host lock (prepare took it; this script lets it go)
#   $upload             a temp dir to rename into releases/$rid, or empty when it is there already
#   $empty_release      non-empty: the service ships no source, the release is an empty dir
#   $rerun              non-empty: keep the host's env file ($env_content when it has none)
#   $env_needs_secrets  non-empty, with $rerun: no env file on the host is a failure
#   $env_content        the env file: KEY='value' lines (may hold secrets: it travels in this
#                       script, the shell's stdin, and is written by a builtin, never on a
#                       command line)
#   $runtime            the runtime record the host keeps (how this service runs, for status and
#                       stop), shell assignments sourced by them
#   $last               the record of how this instance runs and is checked (prevcmd=, prevwd=,
#                       prevgate= lines), for a revert to start and gate it as it was
#   $gate               the health gate's words for pt_gate (kind, quoted target, timeout,
#                       retries, interval, start period, min uptime)
#   $stop_timeout       seconds between TERM and KILL
#   $keep               how many releases prune keeps (and always current and previous)

# Whatever happens to the coordinator from here on, this script runs to its end.
trap '' HUP PIPE
# So that a later run of this coordinator waits for this script before it breaks the lock.
pt_lock_mark
if [ -n "$upload" ]; then
  [ -d "$svc/releases/$rid" ] || mv "$upload" "$svc/releases/$rid" || { echo 'result=failed'; echo 'reason=cannot install the release'; pt_unlock "$holder"; exit 1; }
  [ -e "$upload" ] && rm -rf "$upload"
fi
if [ -n "$empty_release" ]; then [ -d "$svc/releases/$rid" ] || mkdir -p "$svc/releases/$rid"; fi
# Build before anything stops: a release that cannot build never interrupts the running one.
if [ "$kind" = local ] && [ ! -f "$svc/releases/$rid/.portoser-built" ]; then echo "step=build"
  pt_build_python "$svc/releases/$rid" >>"$svc/logs/$name.log" 2>&1 || { echo 'result=failed'; echo "reason=building the Python environment of release $rid failed; see the service log"; pt_unlock "$holder"; exit 1; }
fi
[ -d "$svc/releases/$rid" ] || { echo 'result=failed'; echo 'reason=release missing on host'; pt_unlock "$holder"; exit 1; }
# How the running instance was started (command, working dir), so a revert starts it exactly
# as it was: a file the shell sources (older hosts kept two plain files).
prevcmd=; prevwd=; prevgate=
if [ -f "$svc/last" ]; then . "$svc/last"
elif [ -f "$svc/command" ]; then prevcmd=$(cat "$svc/command"); prevwd=$(cat "$svc/workdir" 2>/dev/null); fi
# The new environment waits in env.new until the new release passes its gate; the running
# instance's env stays for a revert.
if [ -n "$rerun" ] && [ -f "$svc/env" ]; then
  (umask 077; cp "$svc/env" "$svc/env.new") || { echo 'result=failed'; echo 'reason=cannot copy the env file'; pt_unlock "$holder"; exit 1; }
elif [ -n "$rerun" ] && [ -n "$env_needs_secrets" ]; then
  echo 'result=failed'; echo 'reason=its env file (with its secrets) is gone from the host; deploy it again'; pt_unlock "$holder"; exit 1
else
  (umask 077; printf '%s' "$env_content" > "$svc/env.new") || { echo 'result=failed'; echo 'reason=cannot write the env file'; pt_unlock "$holder"; exit 1; }
fi
# The host remembers how this service runs, so status and stop need nothing from the coordinator.
# How the running instance runs stays beside it until the new one passes: the old instance is
# stopped, and a revert started, as they run (another compose project, another kind).
if [ -f "$svc/runtime" ]; then cp -f "$svc/runtime" "$svc/runtime.prev"; else rm -f "$svc/runtime.prev"; fi
printf '%s' "$runtime" > "$svc/runtime"
pt_release; old=$rel
# Prune keeps the most recently used releases (ls -t): a release used again is touched; a fresh
# upload already is.
if [ -z "$upload" ]; then [ "$old" = "$rid" ] || touch "$svc/releases/$rid"; fi
echo "step=stop"
( if [ -f "$svc/runtime.prev" ]; then . "$svc/runtime.prev"; fi; pt_stop "$stop_timeout" )
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
if eval "pt_gate $gate"; then
  mv -f "$svc/env.new" "$svc/env"; envf=
  # How this instance runs and is checked, for a revert to start and gate it as it was.
  printf '%s\n' "$last" > "$svc/last"
  if [ "$kind" = docker ]; then
    # The images this release runs, pinned for its later starts (a restart keeps its pins).
    pt_pin_images "$rid"
  fi
  echo "result=ok"
else
  echo "step=revert"
  pt_stop "$stop_timeout"
  # Back to what ran before: the previous release, or the same release with its previous env
  # (a config change). A rerun has nothing older to go back to.
  if [ -n "$old" ] && [ -d "$svc/releases/$old" ] && [ -n "$prevcmd" ] \
     && { [ "$old" != "$rid" ] || { [ -z "$rerun" ] && [ -f "$svc/env" ]; }; }; then
    rm -f "$svc/env.new"; envf=
    [ "$old" = "$rid" ] || pt_switch "$old"; printf '%s\n' "$old" > "$svc/reverted_to"
    # Started as it ran before (its runtime record), and gated by its own check (its port, its
    # URL), not the failed config's.
    if [ -f "$svc/runtime.prev" ]; then mv -f "$svc/runtime.prev" "$svc/runtime"; fi
    ( if [ -f "$svc/runtime" ]; then . "$svc/runtime"; fi
      pt_start "$prevwd" "$prevcmd"
      if [ -n "$prevgate" ]; then eval "pt_gate $prevgate"; else eval "pt_gate $gate"; fi )
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
if [ "$n" -gt "$keep" ]; then
  ls -1t "$svc/releases" | awk -v keep="$keep" 'NR > keep' | while read -r r; do
    [ "$r" = "$cur" ] || [ "$r" = "$prev" ] || { pt_unpin_images "$svc/releases/$r"; rm -rf "$svc/releases/$r"; echo "pruned=$r"; }
  done
fi
pt_unlock "$holder"
echo "step=done"
