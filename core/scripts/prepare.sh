# SPDX-License-Identifier: Apache-2.0
# prepare: takes the service's host lock, cleans temp dirs left by interrupted deploys, and
# reports os and arch (with $detect_platform), current/previous release, whether $release is
# present, and process state. When the release is missing and $upload_parent is set, it also
# prints `upload_parent=<absolute service dir>`, where an upload makes its temp dir, so the upload
# needs no round trip of its own. Exit 75 (lock_holder=, lock_age=) when another holds the lock.
# Runs after the prelude.
#
# Reads:
#   $svc              the service's state dir
#   $kind $pm $nt_start $nt_stop $nt_status   how it runs (pt_alive reads them)
#   $dc_project $dc_service $dc_compose_file $dc_cli
#   $holder           who takes the lock: "coord=<host> pid=<pid>"
#   $now              the coordinator's clock, for the lock's age
#   $stale            a lock older than this many seconds is taken for one whose holder died
#   $release          the release the deploy wants on the host
#   $upload_parent    non-empty: print upload_parent= when the release is missing
#   $detect_platform  non-empty: print os= and arch=
#   $detect_compose   non-empty: print compose_cli= (v2, v1 or none)

[ -d "$svc/logs" ] && [ -d "$svc/releases" ] || mkdir -p "$svc/releases" "$svc/run" "$svc/logs" || exit 1
pt_lock "$holder" "$now" "$stale" || exit 75
for t in "$svc"/.tmp-*; do [ -e "$t" ] && rm -rf "$t" && echo "note=removed leftover ${t##*/}"; done
[ -e "$svc/current.new" ] || [ -L "$svc/current.new" ] && rm -f "$svc/current.new"
if [ -n "$detect_platform" ]; then set -- $(uname -sm); echo "os=$1"; echo "arch=$2"; fi
if [ -n "$detect_compose" ]; then dc_cli=; pt_dc_cli; echo "compose_cli=$dc_cli"; fi
pt_release; pt_previous; echo "current=$rel"; echo "previous=$prev"
if pt_alive; then echo "alive=1"; echo "pid=$p"; else echo "alive=0"; fi
if [ -d "$svc/releases/$release" ]; then echo "has_release=1"
else
  echo "has_release=0"
  # The upload directory itself is made by SFTP; here only its absolute parent is printed
  # (`pwd -P` is a builtin; `cd` comes last, and the script runs in a subshell).
  if [ -n "$upload_parent" ]; then cd "$svc" && printf 'upload_parent=' && pwd -P; fi
fi
