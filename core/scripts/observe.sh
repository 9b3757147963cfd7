# SPDX-License-Identifier: Apache-2.0
# observe: the start of an observation of a host, in one round trip for every service on it: with
# $host_facts the host's own state first (os=, arch=, disk_*=, inode_used_pct=, mem_*=, swap_*=,
# load1=, and with $docker docker=up|down), then one observe-service.sh block per service, then
# (with host facts) observe-listeners.sh. Builtins wherever a process can be saved: a watchdog
# runs this every few seconds. Runs after the prelude.
#
# Reads:
#   $base        the host's base path (disk and inodes are those of its file system)
#   $host_facts  non-empty: print the host's own state
#   $docker      non-empty, with $host_facts: whether the docker daemon answers
#   $http_checks the services' http checks, one "TIMEOUT URL" line each (their $check_index is
#                the line's number): one curl runs them all at once (--parallel) before the
#                service blocks, which then read their results instead of starting a curl each.
#                One check, or a curl without %{exitcode} (before 7.75), or none: each block
#                runs its own check as before.
#   $curl_batch  "1" or "0" when the coordinator knows whether this host's curl can (from an
#                earlier observation's "curl_batch=" line), else empty: asked here.
#
# Sets, for the blocks after it: $now (the host's clock), $ports and $holders (the empty starts
# of the lists of ports whose holders observe-listeners.sh names, and of the services' pids to
# ask first), $hc_out (the batch's results) and
# pt_batched (a check's result from it).

now=$(date +%s)
ports=
holders=
hc_out=
# Two checks or more, and a curl that knows %{exitcode} (7.75+; an older one would run every check
# in the batch and then again one by one). Asked of a local file (no network) the first time a
# session needs it; "curl_batch=" tells the coordinator, which passes it back as $curl_batch.
hc_batch=
case $http_checks in (*"
"*) [ "$curl_batch" != 0 ] && command -v curl >/dev/null 2>&1 && hc_batch=1 ;; esac
if [ -n "$hc_batch" ] && [ -z "$curl_batch" ]; then
  curl_batch=0
  [ "$(curl -s -o /dev/null -w '%{exitcode}' file:///dev/null 2>/dev/null)" = 0 ] && curl_batch=1
  echo "curl_batch=$curl_batch"
fi
if [ -n "$hc_batch" ] && [ "$curl_batch" = 1 ]; then
  set --
  i=0
  while read -r t u; do
    i=$((i + 1))
    [ "$i" -gt 1 ] && set -- "$@" --next
    set -- "$@" -fsS -o /dev/null -m "$t" -w "hc_$i %{exitcode} %{errormsg}\n" --url "$u"
  done <<EOF
$http_checks
EOF
  # A line for each check, in the order they finish; the leading newline anchors each key.
  # --parallel-immediate: each check its own connection, so one that hangs does not hold back
  # the others to the same host and port (curl would wait to multiplex them on it).
  hc_out="
$(curl --parallel --parallel-immediate --parallel-max 16 "$@" 2>/dev/null)"
fi
# pt_batched INDEX: the batch's result for the check on that line: sets $hc_ok (non-empty when
# it passed) and $out (what curl said); fails when the batch has no such line.
pt_batched() {
  [ -n "$1" ] || return 1
  case $hc_out in *"
hc_$1 "[0-9]*) ;; *) return 1 ;; esac
  r=${hc_out#*"
hc_$1 "}
  r=${r%%"
"*}
  x=${r%% *}
  hc_ok=; [ "$x" = 0 ] && hc_ok=1
  out="curl: ($x) ${r#"$x" }"
}
if [ -n "$host_facts" ]; then
  set -- $(uname -sm); echo "os=$1"; echo "arch=$2"
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
  if [ -n "$docker" ]; then
    if pt_docker info >/dev/null 2>&1; then echo docker=up; else echo docker=down; fi
  fi
fi
