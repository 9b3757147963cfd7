#!/bin/sh
# The OS keychain through QtKeychain, for real: a Secret Service (gnome-keyring) on a private
# D-Bus session holds the local store's key and the Vault token; without a keychain the error
# says what to do instead. Usage: test-keychain.sh PORTOSER_BINARY SOURCE_DIR
set -eu
for tool in dbus-run-session gnome-keyring-daemon python3; do
    command -v "$tool" >/dev/null 2>&1 \
        || { echo "FAIL: $tool is not installed: run scripts/setup"; exit 1; }
done
PORTOSER=$1
WORK=$(mktemp -d)
export PORTOSER WORK
vault_pid=
trap '[ -n "$vault_pid" ] && kill "$vault_pid"; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 "$2/tests/vault/vault-test-server.py" >"$WORK/vault.out" &
vault_pid=$!
for _ in $(seq 50); do grep -q listening "$WORK/vault.out" && break; sleep 0.1; done
VAULT_URL="http://127.0.0.1:$(awk '{print $3}' "$WORK/vault.out")"
export VAULT_URL
mkdir -p "$WORK/home" "$WORK/run"
chmod 700 "$WORK/run"

# Portoser with nothing from this environment but the session bus (no passphrase, no token).
cat >"$WORK/portoser" <<'WRAP'
#!/bin/sh
exec env -i PATH="$PATH" HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/run" \
    DBUS_SESSION_BUS_ADDRESS="${DBUS_SESSION_BUS_ADDRESS:-}" VAULT_ADDR="$VAULT_URL" \
    "$PORTOSER" --cli "$@"
WRAP
chmod +x "$WORK/portoser"

# 1. With an unlocked keyring: the store's key is made there on first use, no key file appears;
#    the Vault token saved by vault-login is what Vault then accepts.
cat >"$WORK/with-keyring.sh" <<'STEPS'
set -eu
eval "$(printf 'keyring-pass' | gnome-keyring-daemon --unlock --components=secrets)"
p="$WORK/portoser"
printf 'canary-keychain-1\n' | "$p" secrets put services/api K >/dev/null
[ "$("$p" secrets get services/api#K --reveal)" = canary-keychain-1 ]
printf 'root-token\n' | "$p" secrets vault-login >/dev/null
"$p" secrets backend status --backend vault --json >"$WORK/status.json"
STEPS
XDG_RUNTIME_DIR="$WORK/run" timeout 60 dbus-run-session -- sh "$WORK/with-keyring.sh" \
    || fail "the keychain round trip failed"
[ -f "$WORK/home/.portoser/secrets.enc" ] || fail "no store was written"
[ ! -e "$WORK/home/.portoser/secrets.key" ] || fail "a key file was written beside the keychain"
grep -q '"unlocked": true' "$WORK/status.json" \
    || fail "Vault did not accept the keychain's token: $(cat "$WORK/status.json")"
if grep -q canary-keychain-1 "$WORK/home/.portoser/secrets.enc"; then fail "value in clear"; fi
echo "ok   the keychain holds the store key and the Vault token"

# 2. Without a keychain (no session bus): the store stays closed, the error names the options.
if out=$(DBUS_SESSION_BUS_ADDRESS= "$WORK/portoser" secrets list 2>&1); then
    fail "the store opened without its key: $out"
fi
echo "$out" | grep -q PORTOSER_SECRETS_PASSPHRASE || fail "unclear error: $out"
echo "$out" | grep -qi keychain || fail "the error does not mention the keychain: $out"
echo "ok   without a keychain: $out"
