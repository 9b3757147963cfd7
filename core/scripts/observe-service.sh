# SPDX-License-Identifier: Apache-2.0
# observe-service: one service's block of an observation (after observe.sh, once per service):
# "service=<name>", then its state (not_deployed, running, dead, stopped), release, pid, uptime,
# one health check, and for a dead one its exits and last log lines.
#
# Reads:
#   $name $svc         the service and its state dir
#   $port              its port, whose holder to name when it is down or failing (empty: none)
#   $kind $pm $nt_start $nt_stop $nt_status   how it runs, as the coordinator sees it
#   $dc_project $dc_service $dc_compose_file $dc_cli
#   (docker: container_state=, exit_status=, oom_killed=, restarts=, docker_down= lines too)
#   $check_kind        the health check: running, http, tcp or command
#   $check_target      its URL, "host port" or command
#   $check_timeout     its timeout in seconds
#   $check_index       an http check's line in observe.sh's $http_checks (its batch); else empty
#   $exit_window       exits within this many seconds count for crash-loop detection
#   $all_port_holders  non-empty: name the holder of its port even when it is healthy
# and $now, $ports, $holders and pt_batched from observe.sh (it adds its port to $ports and its
# pid to $holders).

# The compose file is this service's (a record sourced for the one before may have replaced it);
# what the last activation recorded on the host wins over the coordinator's view.
dc_file() { echo "$dc_compose_file"; }
if [ -f "$svc/runtime" ]; then . "$svc/runtime"; fi
echo "service=$name"
if [ ! -d "$svc" ]; then echo "state=not_deployed"
else
  pt_release; echo "current=$rel"
  pt_readpid; echo "pid=$p"; holders="$holders $p"
  s=0; [ -f "$svc/run/started" ] && read -r s < "$svc/run/started"; echo "started_at=$s"
  dc_unhealthy=; dc_down=
  if [ "$kind" = docker ]; then pt_container_facts; fi
  if [ -z "$dc_down" ] && pt_alive; then
    echo "state=running"; echo "uptime=$(( now - s ))"
    if [ -n "$dc_unhealthy" ]; then echo "health=unhealthy"; echo "health_detail=$dc_unhealthy"; ports="$ports $port"
    else
      if pt_batched "$check_index"; then ok=$hc_ok
      elif out=$(pt_check "$check_kind" "$check_target" "$check_timeout" 2>&1); then ok=1
      else ok=; fi
      if [ -n "$ok" ]; then echo "health=healthy"
      else echo "health=unhealthy"; echo "health_detail=$(printf '%s' "$out" | tail -n 1)"; ports="$ports $port"; fi
    fi
  elif [ -f "$svc/run/pid" ] || [ -f "$svc/run/wanted" ]; then
    echo "state=dead"; ports="$ports $port"
    if [ -f "$svc/run/stopped_by" ]; then read -r sb < "$svc/run/stopped_by"; echo "stopped_by=$sb"; fi
    if pt_proc "$p" && [ "$p_pgid" != "$p" ]; then echo "stale_pid=1"; fi
    case "$p_state" in Z*) echo "zombie=1" ;; esac
    if [ -f "$svc/run/exits" ]; then
      awk -v since=$(( now - exit_window )) '{ last = $0 } $1 >= since { n++ } END { print "recent_exits=" n + 0; split(last, a, " "); print "exit_at=" a[1]; print "exit_status=" a[2] }' "$svc/run/exits"
    fi
    if [ "$kind" = docker ]; then
      [ -n "$dc_first" ] && pt_docker logs --tail 3 "$dc_first" 2>&1 | cut -c1-300 | awk '{ print "log_" NR "=" $0 }'
    else tail -n 3 "$svc/logs/$name.log" 2>/dev/null | awk '{ print "log_" NR "=" $0 }'; fi
  else echo "state=stopped"; fi
  pt_lines "$svc/run/starts"; echo "starts=$n"
fi
if [ -n "$all_port_holders" ]; then ports="$ports $port"; fi
