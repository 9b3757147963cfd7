# SPDX-License-Identifier: Apache-2.0
# stop: stops the service (process group: TERM, then KILL after $stop_timeout seconds; native: its
# stop command; docker: compose stop) and forgets that it should run. Prints result=ok, or
# result=not_deployed when the host has no trace of it. Runs after the prelude.
#
# Reads:
#   $name $svc      the service and its state dir
#   $kind $pm $nt_start $nt_stop $nt_status   how it runs, as the coordinator sees it
#   $dc_project $dc_service $dc_compose_file $dc_cli
#   $stop_timeout   seconds between TERM and KILL

[ -d "$svc" ] || { echo result=not_deployed; exit 0; }
# What the last activation recorded on the host wins over the coordinator's view of the service.
if [ -f "$svc/runtime" ]; then . "$svc/runtime"; fi
pt_stop "$stop_timeout"
rm -f "$svc/run/wanted"
echo result=ok
