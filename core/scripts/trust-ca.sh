# SPDX-License-Identifier: Apache-2.0
# trust-ca: adds a CA certificate to the host's system trust store, so every program there trusts
# what it signed: update-ca-certificates (Debian, Ubuntu, Alpine) or update-ca-trust (Fedora,
# RHEL) with the file under their anchors directory as $ca_name, or the System keychain on macOS
# (security add-trusted-cert). As root, or through passwordless sudo. Prints trusted=<where>;
# exit 77 when it lacks the rights, 78 when the host has none of these tools.
#
# Reads:
#   $pem      the certificate (PEM, ending in a newline)
#   $ca_name  its file name in the anchors directory

as=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as="sudo -n"
  else echo "changing the system trust store needs root or passwordless sudo" >&2; exit 77; fi
fi
tmp=$(mktemp) || exit 1
printf '%s' "$pem" > "$tmp"
if [ "$(uname -s)" = Darwin ]; then
  $as security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "$tmp" || { rm -f "$tmp"; exit 1; }
  echo "trusted=/Library/Keychains/System.keychain"
elif command -v update-ca-certificates >/dev/null 2>&1; then
  $as mkdir -p /usr/local/share/ca-certificates && $as cp "$tmp" "/usr/local/share/ca-certificates/$ca_name" && $as chmod 644 "/usr/local/share/ca-certificates/$ca_name" && $as update-ca-certificates >/dev/null || { rm -f "$tmp"; exit 1; }
  echo "trusted=/usr/local/share/ca-certificates/$ca_name"
elif command -v update-ca-trust >/dev/null 2>&1; then
  $as cp "$tmp" "/etc/pki/ca-trust/source/anchors/$ca_name" && $as chmod 644 "/etc/pki/ca-trust/source/anchors/$ca_name" && $as update-ca-trust extract || { rm -f "$tmp"; exit 1; }
  echo "trusted=/etc/pki/ca-trust/source/anchors/$ca_name"
else
  rm -f "$tmp"; echo "no update-ca-certificates, update-ca-trust or macOS security tool here" >&2; exit 78
fi
rm -f "$tmp"
