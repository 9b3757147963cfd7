#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Deploy → update → roll back → restart a dependent → stop → start with dependencies → kill →
# heal → status: a rollback stays rolled back whatever is done to what depends on it, and
# status tells the truth at every step.
. "$(dirname "$0")/lib.sh"
uses h1 j1-web
uses h2 j1-api
mkdir -p "$WORK/src/web" "$WORK/src/api"
echo v1 > "$WORK/src/web/index.html"
echo api > "$WORK/src/api/index.html"
registry <<'YML'
  j1-web:
    current_host: h1
    deployment_type: process
    source: src/web
    command: python3 -m http.server 18301 --bind 0.0.0.0
    port: 18301
    stop_timeout: 3
  j1-api:
    current_host: h2
    deployment_type: process
    source: src/api
    command: python3 -m http.server 18302 --bind 0.0.0.0
    port: 18302
    dependencies: [j1-web]
    stop_timeout: 3
YML

pt deploy
expect_rc 0 "first deploy of web and api"
pt status
expect_rc 0 "status with everything running"
r1=$(state_of j1-web release)

echo v2 > "$WORK/src/web/index.html"
pt deploy j1-web
expect_rc 0 "web updated to v2"
r2=$(state_of j1-web release)
[ "$r1" != "$r2" ] && pass "v2 is a new release ($r2)" || fail "v2 kept release $r1"

pt history list j1-web --json
first=$(json_get "[r['id'] for r in d if r['action'] == 'deploy' and r['release'] == '$r1'][-1]")
pt history rollback "$first"
expect_rc 0 "rollback of web to record $first"
[ "$(state_of j1-web release)" = "$r1" ] && pass "web runs $r1 again" || fail "web does not run $r1 after the rollback"

pt history list j1-web --json
web_records=$(json_get "len(d)")
pt restart j1-api
expect_rc 0 "restart of api"
[ "$(state_of j1-web release)" = "$r1" ] && pass "web still on the rolled-back release after restarting api" \
    || fail "restarting api changed web's release (rollback undone)"
pt history list j1-web --json
[ "$(json_get "len(d)")" = "$web_records" ] && pass "no new record for web" || fail "restart of api wrote a record for web"
pt history list j1-api --json
[ "$(json_get "d[0]['action'] + ' ' + d[0]['outcome']")" = "restart succeeded" ] && pass "api's record is a restart" \
    || fail "api's last record: $(json_get "d[0]['action'] + ' ' + d[0]['outcome']")"

pt deploy --dry-run
expect_in "$OUT" "release $r1" "the plan shows web's rollback as a difference to deploy"

pt stop j1-web
expect_rc 0 "stop web"
expect_in "$ERR" "j1-api depends on j1-web" "stopping web warns that api depends on it"
[ "$(state_of j1-web state)" = stopped ] && pass "web is stopped" || fail "web is not stopped"

pt restart j1-api
expect_rc 0 "restart api with web stopped"
expect_in "$ERR" "--with-dependencies" "the restart names the stopped dependency"
[ "$(state_of j1-web state)" = stopped ] && pass "web left stopped without --with-dependencies" || fail "web was started"

pt start j1-api --with-dependencies
expect_rc 0 "start api --with-dependencies"
[ "$(state_of j1-web state)" = running ] && pass "web started as a dependency" || fail "web not started"
[ "$(state_of j1-web release)" = "$r1" ] && pass "web started on its rolled-back release" \
    || fail "web was re-released when started as a dependency"

kill_service h2 j1-api
wait_for 10 sh -c "[ \"\$(\"$BIN\" --cli status j1-api --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"state\"])')\" = dead ]" \
    && pass "api seen dead after kill -9" || fail "api not seen dead"
pt status
expect_rc 3 "status with one of two services dead"
pt status j1-api
expect_rc 1 "status of the dead service alone"
pt heal --once
expect_rc 0 "heal --once"
[ "$(state_of j1-api state)" = running ] && pass "api healed" || fail "api not healed"
[ "$(state_of j1-web release)" = "$r1" ] && pass "healing api left web's rollback alone" || fail "web's release changed"
pt history list j1-api --json
[ "$(json_get "d[0]['actor']")" = healer ] && pass "the heal is credited to the healer" || fail "heal record actor: $(json_get "d[0]['actor']")"
pt status
expect_rc 0 "status after healing"
finish
