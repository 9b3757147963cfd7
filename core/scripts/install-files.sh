# SPDX-License-Identifier: Apache-2.0
# install-files: makes the directory files are installed into; one install-file.sh block per file
# follows.
#
# Reads:
#   $dir  the directory (under the service's state dir)

mkdir -p "$dir" || exit 1
