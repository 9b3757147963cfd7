#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A service that keeps dying after its start: the healer restarts it within its budget, then
# gives up — and `status` says so (text, --json, exit status) until an operator acts.
. "$(dirname "$0")/lib.sh"
uses h5 j4-flaky j4-calm
mkdir -p "$WORK/src/app"
echo app > "$WORK/src/app/README"
registry <<'YML'
  j4-flaky:
    current_host: h5
    deployment_type: process
    source: src/app
    command: "sh -c 'echo up; sleep 4; echo giving up >&2; exit 7'"
    stop_timeout: 2
    heal: {max_restarts: 2, window: 10m}
  j4-calm:
    current_host: h5
    deployment_type: process
    source: src/app
    command: sleep 600
    stop_timeout: 2
YML

pt deploy
expect_rc 0 "deploy (it lives past its 3 s min_uptime)"
dead() { "$BIN" --cli status j4-flaky --json | grep -q '"state": *"dead"'; }
for round in 1 2; do
    wait_for 15 dead && pass "round $round: it died" || fail "round $round: it did not die"
    # Past the backoff (1 s, then 2 s) before the healer may restart it again.
    sleep 2
    pt heal --once j4-flaky --json
    expect_rc 0 "round $round: heal --once"
    expect_in "$OUT" '"outcome": "done"' "round $round: restarted"
done
wait_for 15 dead && pass "it died a third time" || fail "it did not die a third time"
sleep 3
pt heal --once j4-flaky --json
expect_in "$OUT" "given_up" "the third time it is given up"

pt status
expect_rc 3 "status: one of two services in trouble"
expect_in "$OUT" "given up (" "the status table says given up"
pt status j4-flaky --json
expect_rc 1 "status of the given-up service alone"
[ "$(json_get "d[0]['healer']['state']")" = given_up ] && pass "--json carries healer.state given_up" \
    || fail "--json healer: $(cat "$OUT")"
json_get "d[0]['healer']['detail']" | grep -q "2 restarts in" && pass "--json says how many restarts" \
    || fail "detail: $(json_get "d[0]['healer']")"
pt observe j4-flaky
expect_rc 3 "observe: the host answers, the service is dead"

# An operator acts: the healer's hold ends.
pt restart j4-flaky
expect_rc 0 "an operator restarts it"
pt status j4-flaky --json
[ "$(json_get "d[0].get('healer', {}).get('state', '')")" = "" ] && pass "no longer given up after the operator's restart" \
    || fail "still held: $(json_get "d[0]['healer']")"
finish
