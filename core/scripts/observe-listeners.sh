# SPDX-License-Identifier: Apache-2.0
# observe-listeners: the last block of an observation with host facts, "service=@listeners": who
# holds the ports of services that are down or failing (or of every service, when asked),
# "listen_<port>=<pid> <pgid> <command>".
# On Linux the services' own processes are asked first: the listening sockets' inodes from
# /proc/net/tcp{,6}, and the file descriptors of each service's process and its children (two
# levels) from one `ls`, so a service that holds its own port is named without `ss -p`, which
# reads every process's file descriptors. Ports still unnamed are asked of ss (or lsof). (A second
# listener on a port a service holds, e.g. a stranger on IPv4 beside an IPv6-only service, is not
# looked for then.)
#
# Reads: no variables of its own; $ports and $holders (the services' pids), which observe.sh and
# observe-service.sh gathered.

echo "service=@listeners"
# shellcheck disable=SC2086 # the words of the list, without the spaces of empty entries
set -- $ports; ports=$*
named=
if [ -n "$ports" ] && [ -n "$holders" ] && [ -r /proc/net/tcp ]; then
  socks=
  # Only the listening sockets (state 0A): a busy host has thousands of others.
  listening=$(awk '$4 == "0A" { print $2, $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  while read -r local inode; do
    [ -n "$local" ] || continue
    lp=$((0x${local##*:}))
    case " $ports " in *" $lp "*) socks="$socks $inode:$lp" ;; esac
  done <<EOF
$listening
EOF
  dirs=
  for h in $holders; do
    kids=; read -r kids 2>/dev/null < "/proc/$h/task/$h/children"
    grand=
    for k in $kids; do g=; read -r g 2>/dev/null < "/proc/$k/task/$k/children"; grand="$grand $g"; done
    for q in $h $kids $grand; do dirs="$dirs /proc/$q/fd"; done
  done
  if [ -n "$socks" ]; then
    # /proc/self/fd too, so that ls heads every folder's list with its name however many there are.
    # shellcheck disable=SC2086 # one word per folder
    # Patterns in parentheses: bash 3.2 (macOS's sh) ends $( at a bare pattern's ")".
    found=$(ls -ln $dirs /proc/self/fd 2>/dev/null | while read -r line; do
      case $line in
        (/proc/*/fd:) q=${line#/proc/}; q=${q%/fd:} ;;
        (*"socket:["*"]")
          i=${line##*socket:\[}; i=${i%\]}
          case "$socks " in (*" $i:"*) lp=${socks#* "$i":}; echo "${lp%% *} $q" ;; esac ;;
      esac
    done)
    while read -r lp q; do
      [ -n "$lp" ] || continue
      case " $named " in *" $lp "*) continue ;; esac
      named="$named $lp"
      cmd=; read -r cmd 2>/dev/null < "/proc/$q/comm"
      g=; pt_proc "$q" && g=$p_pgid; echo "listen_$lp=$q $g $cmd"
    done <<EOF
$found
EOF
  fi
fi
rest=
for lp in $ports; do case " $named " in *" $lp "*) ;; *) rest="$rest $lp" ;; esac; done
if [ -n "$rest" ]; then
  if command -v ss >/dev/null 2>&1; then
    ss -Htlnp 2>/dev/null | sed -n 's/.*:\([0-9][0-9]*\) .*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 \3 \2/p'
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP -sTCP:LISTEN -F pcn 2>/dev/null | awk '/^p/ { pid = substr($0, 2) } /^c/ { c = substr($0, 2) } /^n/ { n = split($0, a, ":"); print a[n], pid, c }'
  fi | while read -r lp pid cmd; do
    case " $rest " in *" $lp "*) g=; pt_proc "$pid" && g=$p_pgid; echo "listen_$lp=$pid $g $cmd" ;; esac
  done
fi
