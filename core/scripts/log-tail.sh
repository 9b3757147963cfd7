# SPDX-License-Identifier: Apache-2.0
# log-tail: prints the last $lines lines of the service log (docker: of its containers), and with
# $follow what is appended after (until the connection ends). Runs after the prelude.
#
# Reads:
#   $name $svc  the service and its state dir
#   $lines      how many lines
#   $follow     non-empty: keep printing what is appended (tail -f)

# A docker service's own output is its containers' (docker logs); the service log holds only
# what compose said. The host's runtime record says how it runs (these defaults: an older host).
kind=process; dc_cli=''; dc_error=''; dc_ids=''; dc_project=''; dc_service=''
if [ -f "$svc/runtime" ]; then . "$svc/runtime"; fi
if [ "$kind" = docker ]; then
  pt_containers || { echo "$dc_error" >&2; exit 1; }
  [ -n "$dc_ids" ] || { echo "no container of $name on this host" >&2; exit 1; }
  # shellcheck disable=SC2086 # ids are words
  set -- $dc_ids
  if [ "$#" -eq 1 ]; then
    if [ -n "$follow" ]; then exec docker logs --tail "$lines" -f "$1" 2>&1; fi
    pt_docker logs --tail "$lines" "$1" 2>&1; exit
  fi
  # shellcheck disable=SC2086 # no service: all of the project's
  if [ -n "$follow" ]; then pt_compose logs --no-color --tail "$lines" -f $dc_service; else pt_compose logs --no-color --tail "$lines" $dc_service; fi
  exit
fi
[ -f "$svc/logs/$name.log" ] || { echo "no log yet for $name" >&2; exit 1; }
if [ -n "$follow" ]; then tail -n "$lines" -f "$svc/logs/$name.log"
else tail -n "$lines" "$svc/logs/$name.log"; fi
