#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A service that uses secrets is deployed, killed and healed — by `heal --once` and by the
# watchdog of `heal --watch` — on the same release and with its secret, while the plan still
# sees nothing to deploy. A rotated secret is then deployed with --changed-secrets, touching
# only the service that uses it.
. "$(dirname "$0")/lib.sh"
uses h3 j2-vault j2-plain
mkdir -p "$WORK/src/app"
echo app > "$WORK/src/app/index.html"
registry <<'YML'
  j2-vault:
    current_host: h3
    deployment_type: process
    source: src/app
    command: "sh -c 'echo token set=$${API_TOKEN:+yes}; exec sleep 600'"
    secrets:
      API_TOKEN: services/j2#API_TOKEN
    stop_timeout: 2
  j2-plain:
    current_host: h3
    deployment_type: process
    source: src/app
    command: sleep 600
    stop_timeout: 2
YML
printf 's3cret-one\n' | "$BIN" --cli secrets put services/j2 API_TOKEN >/dev/null 2>&1 || fail "secrets put"

pt deploy
expect_rc 0 "deploy of a service with secrets"
release=$(state_of j2-vault release)
pt deploy --dry-run --json
[ "$(json_get "[s['action'] for s in d['services'] if s['service'] == 'j2-vault'][0]")" = no-op ] \
    && pass "the plan sees nothing to do" || fail "the plan wants to change j2-vault"

kill_service h3 j2-vault
wait_for 10 sh -c "\"$BIN\" --cli status j2-vault --json | grep -q '\"state\": *\"dead\"'" || fail "not seen dead"
pt heal --once --json
expect_rc 0 "heal --once"
expect_not_in "$OUT" "differs from what is" "the healer does not call it changed"
[ "$(state_of j2-vault state)" = running ] && pass "healed by heal --once" || fail "not healed by heal --once: $(cat "$OUT")"
[ "$(state_of j2-vault release)" = "$release" ] && pass "on the same release" || fail "release changed"
grep -Eq "^API_TOKEN='?s3cret-one'?$" "$(svc_dir h3 j2-vault)/env" && pass "its env still holds the secret" \
    || fail "the secret is gone from its env"
tail -n 1 "$(svc_dir h3 j2-vault)/logs/j2-vault.log" | grep -q "token set=yes" \
    && pass "the restarted process got its secret" || fail "the restarted process has no secret"

# The watchdog: heal --watch in the foreground, killed once it has healed.
kill_service h3 j2-vault
wait_for 10 sh -c "\"$BIN\" --cli status j2-vault --json | grep -q '\"state\": *\"dead\"'" || fail "not seen dead again"
"$BIN" --cli heal --watch --interval 1 j2-vault >"$WORK/watch.out" 2>&1 &
watcher=$!
if wait_for 40 sh -c "\"$BIN\" --cli status j2-vault --json | grep -q '\"state\": *\"running\"'"; then
    pass "healed by heal --watch"
else
    fail "heal --watch did not heal it"; sed 's/^/    | /' "$WORK/watch.out" | tail -n 20
fi
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true

printf 's3cret-two\n' | "$BIN" --cli secrets put services/j2 API_TOKEN >/dev/null 2>&1 || fail "secrets put (rotation)"
pt deploy --changed-secrets
expect_rc 0 "deploy --changed-secrets"
expect_in "$OUT" "j2-vault" "it deploys the service using the rotated secret"
pt history list j2-plain --json
[ "$(json_get "len(d)")" = 1 ] && pass "the service without secrets was not touched" || fail "j2-plain got another record"
grep -Eq "^API_TOKEN='?s3cret-two'?$" "$(svc_dir h3 j2-vault)/env" && pass "the env has the new secret" \
    || fail "the env does not have the new secret"
pt status
expect_rc 0 "status: all well"
finish
