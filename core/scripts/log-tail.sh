# SPDX-License-Identifier: Apache-2.0
# log-tail: prints the last $lines lines of the service log, and with $follow what is appended
# after (until the connection ends).
#
# Reads:
#   $name $svc  the service and its state dir
#   $lines      how many lines
#   $follow     non-empty: keep printing what is appended (tail -f)

[ -f "$svc/logs/$name.log" ] || { echo "no log yet for $name" >&2; exit 1; }
if [ -n "$follow" ]; then tail -n "$lines" -f "$svc/logs/$name.log"
else tail -n "$lines" "$svc/logs/$name.log"; fi
