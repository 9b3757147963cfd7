#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fault injection works and is reversible: a killed sshd refuses connections, a downed link
# times out, and both come back.
. "$(dirname "$0")/common.sh"
h=$(echo "$HOSTS" | cut -d' ' -f2)
[ -n "$h" ] || h=$(echo "$HOSTS" | cut -d' ' -f1)

"$HOSTS_TOOL" kill-sshd "$h"
if SSH_TIMEOUT=3 host_ssh "$h" true 2>/dev/null; then fail "$h still answers after kill-sshd"; else pass "$h refuses after kill-sshd"; fi
"$HOSTS_TOOL" start-sshd "$h"
host_ssh "$h" true && pass "$h answers after start-sshd" || fail "$h does not answer after start-sshd"

"$HOSTS_TOOL" link-down "$h"
start=$(date +%s)
if SSH_TIMEOUT=2 host_ssh "$h" true 2>/dev/null; then fail "$h still answers with its link down"; else pass "$h unreachable with its link down"; fi
echo "  (failed after $(( $(date +%s) - start ))s)"
"$HOSTS_TOOL" link-up "$h"
host_ssh "$h" true && pass "$h answers after link-up" || fail "$h does not answer after link-up"

# Other hosts were never disturbed.
for other in $HOSTS; do
    [ "$other" = "$h" ] && continue
    host_ssh "$other" true && pass "$other unaffected" || fail "$other disturbed by faults on $h"
done
finish
