# SPDX-License-Identifier: Apache-2.0
# Shared by the shell tests of the namespace hosts. Exit 77 is CTest's "skipped".
set -eu
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: the namespace test hosts need root (ip netns, veth, sshd); CI runs as root"
    exit 77
fi
DIR=${PORTOSER_TEST_HOSTS_DIR:?PORTOSER_TEST_HOSTS_DIR is not set}
[ -f "$DIR/hosts.env" ] || { echo "FAIL: no test hosts in $DIR (did the setup fixture run?)"; exit 1; }
. "$DIR/hosts.env"
HOSTS_TOOL="$(dirname "$0")/portoser-test-hosts"
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
addr_of() { eval "echo \$$(echo "$1" | tr 'h' 'H')_ADDR"; }

# ssh to a test host the way a careful client does: our key, our known_hosts, strict checking.
host_ssh() {
    h=$1; shift
    ssh -i "$DIR/id_ed25519" -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -o ConnectTimeout="${SSH_TIMEOUT:-5}" -o LogLevel=ERROR \
        "root@$(addr_of "$h")" "$@"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}
