# SPDX-License-Identifier: Apache-2.0
# heal-kill-port-holder: TERM, then KILL after $grace seconds, to $pid, only while it still listens
# on $port: between observation and now it may have changed. Prints result=gone (it no longer
# listens there) or result=freed.
#
# Reads:
#   $pid    the process
#   $port   the TCP port it holds
#   $grace  seconds between TERM and KILL

listening() {
  if command -v ss >/dev/null 2>&1; then ss -Htlnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"
  else lsof -nP -a -p "$pid" -iTCP:"$port" -sTCP:LISTEN >/dev/null 2>&1; fi
}
listening || { echo "result=gone"; exit 0; }
kill -TERM "$pid" 2>/dev/null
i=0; while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $(( grace * 10 )) ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "note=killed with KILL"; fi
echo "result=freed"
