# SPDX-License-Identifier: Apache-2.0
# heal-prune: frees disk under the host's base path: releases other than each service's current
# and previous one (with their docker image pins), logs over $limit bytes cut to their last
# $limit bytes (in place, so a writer keeps its file). Docker images are not pruned host-wide:
# another workload's, or an older host's unpinned release, may need them. Prints pruned=,
# trimmed=, skipped= and freed_kb= lines. Runs after the
# prelude: the deploys' own lock functions, with a holder of its own, so a deploy of the same
# coordinator never takes a live prune for an earlier run of itself.
#
# Reads:
#   $base    the host's base path
#   $limit   the largest a log may stay, in bytes
#   $holder  who takes each service's lock: "healer-prune coord=<host> pid=<pid>"
#   $now     the coordinator's clock, for the lock's age
#   $stale   a lock older than this many seconds is taken for one whose holder died

before=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
for svc in "$base"/.portoser/*; do
  [ -d "$svc/releases" ] || continue
  # A deploy in progress holds the service's lock: its new release is not pruned under it.
  pt_lock "$holder" "$now" "$stale" >/dev/null || { echo "skipped=${svc##*/}"; continue; }
  cur=; [ -L "$svc/current" ] && { l=$(readlink "$svc/current"); cur=${l##*/}; }
  prev=$(cat "$svc/previous" 2>/dev/null)
  for r in "$svc"/releases/*; do
    [ -d "$r" ] || continue
    n=${r##*/}
    [ "$n" = "$cur" ] || [ "$n" = "$prev" ] || { pt_unpin_images "$r"; rm -rf "$r"; echo "pruned=${svc##*/}/$n"; }
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
