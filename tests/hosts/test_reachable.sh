#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every test host answers over a plain ssh client, from its own address, inside its own network
# namespace, with the host key the suite's known_hosts expects, and has its own base path.
. "$(dirname "$0")/common.sh"

for h in $HOSTS; do
    addr=$(addr_of "$h")
    out=$(host_ssh "$h" 'echo "$SSH_CONNECTION"; ip -4 -o addr show dev eth0' 2>&1) || { fail "$h: ssh failed: $out"; continue; }
    server_addr=$(echo "$out" | head -n1 | cut -d' ' -f3)
    [ "$server_addr" = "$addr" ] && pass "$h answers from $addr" || fail "$h answered from '$server_addr', expected $addr"
    echo "$out" | tail -n1 | grep -q "inet $addr/24" && pass "$h has only its own address on eth0" \
        || fail "$h eth0 is not $addr: $out"
    [ -d "$DIR/$h/base" ] && grep -q "path: $DIR/$h/base" "$DIR/hosts.yml" && pass "$h has its base path" \
        || fail "$h base path missing"
done

# The host keys really are checked: with an empty known_hosts, strict checking refuses.
first=$(echo "$HOSTS" | cut -d' ' -f1)
if ssh -i "$DIR/id_ed25519" -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes \
       -o ConnectTimeout=5 "root@$(addr_of "$first")" true 2>/dev/null; then
    fail "an unknown host key was accepted"
else
    pass "an unknown host key is refused"
fi

# The fragment is a valid registry piece: Portoser validates it with a service on each host.
if [ -n "${PORTOSER_BINARY:-}" ]; then
    reg="$DIR/registry-check.yml"
    { cat "$DIR/hosts.yml"; echo "services:"; for h in $HOSTS; do
        printf '  svc-%s:\n    current_host: %s\n    deployment_type: process\n    command: sleep 1\n' "$h" "$h"; done; } > "$reg"
    "$PORTOSER_BINARY" --cli --registry "$reg" validate >/dev/null 2>&1 && pass "hosts.yml validates as a registry" \
        || fail "hosts.yml does not validate: $("$PORTOSER_BINARY" --cli --registry "$reg" validate 2>&1)"
fi
finish
