# SPDX-License-Identifier: Apache-2.0
# heal-reset-failed: `systemctl reset-failed` for a unit that hit its start limit (Linux with
# systemd only). Prints reset=1 when it did.
#
# Reads:
#   $unit  the systemd unit

if command -v systemctl >/dev/null 2>&1 && systemctl is-failed --quiet "$unit"; then
  systemctl reset-failed "$unit" && echo reset=1
fi
