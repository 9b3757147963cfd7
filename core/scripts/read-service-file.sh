# SPDX-License-Identifier: Apache-2.0
# read-service-file: prints a service.yml kept on the host, at most 1 MiB.
#
# Reads:
#   $file  its path (under the host's base path)

[ -f "$file" ] || { echo "$file does not exist" >&2; exit 1; }
head -c 1048576 "$file"
