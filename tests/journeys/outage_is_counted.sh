#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A service is deployed, updated, killed and healed by the watchdog; what the watchdog observed
# meanwhile is there afterwards: the outage in its uptime and MTTR (metrics, status --json), its
# "up" series with the pass that saw it down, its host's series. A rollback after that keeps them.
. "$(dirname "$0")/lib.sh"
uses h2 jm-app
mkdir -p "$WORK/src/app"
echo one > "$WORK/src/app/index.html"
registry <<'YML'
  jm-app:
    current_host: h2
    deployment_type: process
    source: src/app
    command: sleep 600
    stop_timeout: 2
YML

pt deploy
expect_rc 0 "deploy"
echo two > "$WORK/src/app/index.html"
pt deploy
expect_rc 0 "update"
first=$("$BIN" --cli history list jm-app --json | python3 -c 'import json,sys; print(min(r["id"] for r in json.load(sys.stdin)))')

"$BIN" --cli heal --watch --interval 1 jm-app >"$WORK/watch.out" 2>&1 &
watcher=$!
wait_for 20 sh -c "\"$BIN\" --cli metrics jm-app --since 5m --json | grep -q '\"up\"'" \
    && pass "the watchdog keeps its observations" || fail "no up series from the watchdog"
kill_service h2 jm-app
if wait_for 40 sh -c "\"$BIN\" --cli heal events jm-app --json | grep -q '\"recovered\"'"; then
    pass "killed, then healed by the watchdog"
else
    fail "not healed"; sed 's/^/    | /' "$WORK/watch.out" | tail -n 20
fi
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true

pt metrics jm-app --since 10m --json
expect_rc 0 "metrics of the service"
[ "$(json_get "d['availability']['outages_30d']")" = 1 ] && pass "one outage counted" \
    || fail "outages: $(json_get "d['availability']")"
[ "$(json_get "d['availability']['mttr_seconds'] >= 0 and not d['availability']['down_now']")" = True ] \
    && pass "its MTTR is known and it is up now" || fail "availability: $(json_get "d['availability']")"
[ "$(json_get "d['availability']['uptime_pct_24h'] < 100")" = True ] && pass "uptime below 100 %" \
    || fail "uptime: $(json_get "d['availability']")"
[ "$(json_get "0 in [p[1] for s in d['series'] if s['name'] == 'up' for p in s['points']]")" = True ] \
    && pass "the up series has the pass that saw it down" || fail "no down sample: $(cat "$OUT")"
pt status jm-app --json
[ "$(json_get "d[0]['availability']['outages_30d']")" = 1 ] && pass "status --json says the same" \
    || fail "status: $(cat "$OUT")"
pt metrics h2 --since 10m --json
[ "$(json_get "'load1' in [s['name'] for s in d['series']]")" = True ] && pass "its host's series are kept" \
    || fail "host series: $(cat "$OUT")"

pt history rollback "$first"
expect_rc 0 "rollback to the first release"
pt metrics jm-app --since 10m --json
[ "$(json_get "d['availability']['outages_30d']")" = 1 ] && pass "the rollback keeps the record" \
    || fail "after rollback: $(json_get "d['availability']")"
pt status
expect_rc 0 "status: all well"
finish
