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
#
# Sets, for the blocks after it: $now (the host's clock) and $ports (the empty start of the list
# of ports whose holders observe-listeners.sh names).

now=$(date +%s)
ports=
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
