# SPDX-License-Identifier: Apache-2.0
# observe-listeners: the last block of an observation with host facts, "service=@listeners": who
# holds the ports of services that are down or failing, "listen_<port>=<pid> <pgid> <command>".
# Asked only then, as `ss -p` reads every process's file descriptors.
#
# Reads: no variables of its own; $ports, the ports observe.sh and observe-service.sh gathered.

echo "service=@listeners"
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
