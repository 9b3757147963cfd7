# SPDX-License-Identifier: Apache-2.0
# heal-clear-pid: removes a pid file that names a process Portoser did not start. Prints cleared=1
# when there was one.
#
# Reads:
#   $svc  the service's state dir

if [ -f "$svc/run/pid" ]; then rm -f "$svc/run/pid"; echo cleared=1; fi
