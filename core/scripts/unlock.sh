# SPDX-License-Identifier: Apache-2.0
# unlock: releases the host lock $holder took (after a failure before activation), only while it
# still holds it. Runs after the prelude.
#
# Reads:
#   $svc     the service's state dir
#   $holder  who took the lock: "coord=<host> pid=<pid>"

pt_unlock "$holder"
