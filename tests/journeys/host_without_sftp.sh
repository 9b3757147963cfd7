#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A host whose sshd offers no SFTP (Dropbear, a hardened sshd): deploy, update and restart work
# through the resident shell, with the files and their modes intact.
. "$(dirname "$0")/lib.sh"
uses h4 j6-app
restore() { "$HOSTS_TOOL" sftp h4 >/dev/null 2>&1 || true; }
trap 'restore; cleanup' EXIT
"$HOSTS_TOOL" no-sftp h4
mkdir -p "$WORK/src/app/bin"
printf '#!/bin/sh\necho "serving $1"\nexec sleep 600\n' > "$WORK/src/app/bin/run"
chmod 755 "$WORK/src/app/bin/run"
echo v1 > "$WORK/src/app/VERSION"
registry <<'YML'
  j6-app:
    current_host: h4
    deployment_type: process
    source: src/app
    command: bin/run v1
    stop_timeout: 2
YML

pt deploy
expect_rc 0 "deploy to a host without SFTP"
expect_not_in "$OUT" "Channel request subsystem failed" "no SFTP error"
[ -x "$(svc_dir h4 j6-app)/current/bin/run" ] && pass "the executable kept its mode" || fail "bin/run lost its mode"
[ "$(cat "$(svc_dir h4 j6-app)/current/VERSION")" = v1 ] && pass "content arrived intact" || fail "VERSION differs"

echo v2 > "$WORK/src/app/VERSION"
pt deploy
expect_rc 0 "an update to the same host"
[ "$(cat "$(svc_dir h4 j6-app)/current/VERSION")" = v2 ] && pass "the update arrived" || fail "VERSION is not v2"
pt restart j6-app
expect_rc 0 "restart"
pt status
expect_rc 0 "status: all well"
finish
