# SPDX-License-Identifier: Apache-2.0
# Shared by the journey tests: an operator's day on the namespace test hosts, driven through the
# real binary exactly as a person types it. Each journey gets its own home, database, secrets
# store and registry; its services carry its own prefix so journeys never meet on a host.
. "$(dirname "$0")/../hosts/common.sh"
HOSTS_TOOL="$(dirname "$0")/../hosts/portoser-test-hosts"
BIN=${PORTOSER_BINARY:?PORTOSER_BINARY is not set}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portoser-journey.XXXXXX")
export PORTOSER_HOME="$WORK/home" PORTOSER_DB="$WORK/portoser.db" PORTOSER_REGISTRY="$WORK/registry.yml"
export PORTOSER_SECRETS_FILE="$WORK/secrets.json" PORTOSER_SECRETS_PASSPHRASE="journey passphrase"
OUT="$WORK/out" ERR="$WORK/err"
JOURNEY_SERVICES=""

# pt ARGS...: runs `portoser --cli ARGS`, keeping stdout in $OUT, stderr in $ERR and the exit
# status in $RC (never aborting the journey: each step checks what it expects).
pt() {
    RC=0
    "$BIN" --cli "$@" >"$OUT" 2>"$ERR" || RC=$?
    printf '$ portoser --cli %s  -> %s\n' "$*" "$RC"
}

# expect_rc N WHAT: the last pt ended with status N.
expect_rc() {
    if [ "$RC" -eq "$1" ]; then pass "$2 (exit $RC)"
    else fail "$2: exit $RC, expected $1"; sed 's/^/    out: /' "$OUT" | tail -n 20; sed 's/^/    err: /' "$ERR" | tail -n 20; fi
}

# expect_in FILE TEXT WHAT: the last pt's stdout/stderr ($OUT/$ERR) contains TEXT.
expect_in() {
    if grep -qF -- "$2" "$1"; then pass "$3"
    else fail "$3: \"$2\" not in $(basename "$1")"; sed 's/^/    | /' "$1" | tail -n 20; fi
}
expect_not_in() {
    if grep -qF -- "$2" "$1"; then fail "$3: \"$2\" found in $(basename "$1")"; sed 's/^/    | /' "$1" | tail -n 20
    else pass "$3"; fi
}

# json_get EXPR: evaluates a Python expression on the last pt's JSON output (`d`).
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$OUT" "$1"; }

# state_of SERVICE FIELD: one field of `status SERVICE --json`.
state_of() {
    pt status "$1" --json >/dev/null
    json_get "[s for s in d if s['service'] == '$1'][0].get('$2', '')"
}

# registry SERVICES_YAML: the test hosts plus these services.
registry() {
    { cat "$DIR/hosts.yml"; printf 'services:\n'; cat; } > "$PORTOSER_REGISTRY"
}

svc_dir() { echo "$DIR/$1/base/.portoser/$2"; }

# kill_service HOST SERVICE: what a crash looks like: SIGKILL to its whole process group.
kill_service() {
    pid=$(cat "$(svc_dir "$1" "$2")/run/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -9 "-$pid" 2>/dev/null || true
}

# uses HOST SERVICE...: services this journey deploys (cleaned before and after).
uses() {
    h=$1; shift
    for s in "$@"; do JOURNEY_SERVICES="$JOURNEY_SERVICES $h:$s"; kill_service "$h" "$s"; rm -rf "$(svc_dir "$h" "$s")"; done
}

cleanup() {
    for hs in $JOURNEY_SERVICES; do kill_service "${hs%%:*}" "${hs#*:}"; rm -rf "$(svc_dir "${hs%%:*}" "${hs#*:}")"; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_for() {
    limit=$1; shift; i=0
    while [ "$i" -lt $((limit * 5)) ]; do "$@" && return 0; sleep 0.2; i=$((i + 1)); done
    return 1
}
