#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The default gate: a process that exits 1.5 s after its start, or whose declared port never
# opens, is not "succeeded": the deploy fails and its summary line carries the exit status or
# the check's answer, with the last thing the service wrote. A service that stays up passes.
. "$(dirname "$0")/lib.sh"
uses h4 j3-quitter j3-deaf j3-steady j3-ported
mkdir -p "$WORK/src/app"
echo app > "$WORK/src/app/README"
registry <<'YML'
  j3-quitter:
    current_host: h4
    deployment_type: process
    source: src/app
    command: "sh -c 'echo starting up; sleep 1.5; echo fatal: cannot open config.toml >&2; exit 3'"
    stop_timeout: 2
  j3-deaf:
    current_host: h4
    deployment_type: process
    source: src/app
    command: sh -c 'echo "will listen later"; exec sleep 600'
    port: 18331
    stop_timeout: 2
  j3-steady:
    current_host: h4
    deployment_type: process
    source: src/app
    command: "sh -c 'if [ \"$$MODE\" = broken ]; then echo bad mode; exit 9; fi; exec sleep 600'"
    env: {MODE: ok}
    stop_timeout: 2
  j3-ported:
    current_host: h4
    deployment_type: process
    source: src/app
    command: python3 -m http.server 18341 --bind 127.0.0.1
    port: ${J3_PORT:-18341}
    health: {type: tcp, retries: 3, interval: 1}
    stop_timeout: 2
YML

start=$(date +%s)
pt deploy j3-quitter
expect_rc 1 "a process that exits after 1.5 s fails its deploy"
expect_in "$OUT" "exited with status 3" "the summary carries the exit status"
expect_in "$OUT" "fatal: cannot open config.toml" "the summary carries its last log line"
expect_not_in "$OUT" "health check" "no health check is blamed for a service that has none"
pt status j3-quitter --json
[ "$(json_get "d[0]['state']")" != running ] && pass "it is not running" || fail "it runs"

pt deploy j3-deaf
expect_rc 1 "a declared port that never opens fails the deploy"
expect_in "$OUT" "failed its health check" "the summary names the failed check"
expect_in "$OUT" "will listen later" "the summary carries its last log line"

pt deploy j3-steady
expect_rc 0 "a process that stays up passes the default gate"
pt history list j3-steady --json
ms=$(json_get "d[0]['duration_ms']")
[ "$ms" -ge 3000 ] && pass "it was held to min_uptime (${ms} ms)" || fail "passed after ${ms} ms, under min_uptime"

# The failed record is no place to roll back to without saying so.
pt history list j3-quitter --json
failed=$(json_get "d[0]['id']")
pt history rollback "$failed"
expect_rc 1 "rollback to a failed record is refused"
expect_in "$ERR" "--force" "the refusal names --force"
pt history list --outcome bogus
expect_rc 2 "an unknown --outcome is a usage error"
pt history list --outcome failed --json
[ "$(json_get "len(d)")" = 2 ] && pass "--outcome failed lists the two failed deploys" || fail "--outcome failed: $(cat "$OUT")"

# Every read command takes --json, logs and unit too.
pt logs j3-deaf -n 5 --json
expect_rc 0 "logs --json"
[ "$(json_get "d['lines'][-1]")" = "will listen later" ] && pass "logs --json has the log's lines" || fail "logs --json: $(cat "$OUT")"
pt unit j3-steady --json
expect_rc 0 "unit --json"
json_get "d['content']" | grep -q ExecStart && pass "unit --json has the unit" || fail "unit --json: $(cat "$OUT")"

# A config change that fails its gate goes back to the config that ran (same release, its env),
# and a later restart runs that one — not the config that failed.
sed -i 's/MODE: ok/MODE: broken/' "$PORTOSER_REGISTRY"
pt deploy j3-steady
expect_rc 1 "a config change that fails its gate"
expect_in "$OUT" "rolled_back" "it is rolled back to the config that ran"
[ "$(state_of j3-steady state)" = running ] && pass "the previous config runs again" || fail "j3-steady is not running"
grep -q "MODE=.*ok" "$(svc_dir h4 j3-steady)/env" && pass "the env that passed its gate stays" || fail "env: $(cat "$(svc_dir h4 j3-steady)/env")"
pt restart j3-steady
expect_rc 0 "a restart runs what is deployed, the good config"
expect_in "$ERR" "registry differs from what is deployed" "the restart says the registry has an undeployed change"

# A revert is gated by the previous instance's own check: its port, not the failed config's.
pt deploy j3-ported
expect_rc 0 "a service checked on its port"
export J3_PORT=18342; pt deploy j3-ported; unset J3_PORT
expect_rc 1 "a config naming a port the service never opens"
expect_in "$OUT" "rolled_back" "it goes back to what ran"
expect_not_in "$OUT" "not healthy either" "the previous instance is checked on its own port"
[ "$(state_of j3-ported health)" = healthy ] && pass "the previous instance serves" || fail "j3-ported is not healthy"

# A saved plan runs what this coordinator plans, not what the file says.
pt deploy j3-steady --dry-run --save-plan "$WORK/plan.json"
python3 - "$WORK/plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
for s in plan["services"]:
    s["rerun"] = True
    s["config"]["command"] = "touch /tmp/portoser-journey-tampered; exec sleep 600"
json.dump(plan, open(sys.argv[1], "w"))
PY
rm -f /tmp/portoser-journey-tampered
pt deploy --plan "$WORK/plan.json"
[ -e /tmp/portoser-journey-tampered ] && fail "a command written into the plan file ran" \
    || pass "a command written into the plan file never runs"
sed -i 's/MODE: broken/MODE: ok/' "$PORTOSER_REGISTRY"
echo "  (journey took $(( $(date +%s) - start )) s)"
finish
