# SPDX-License-Identifier: Apache-2.0
# install-file: writes one file into $dir (after install-files.sh) atomically, temp + rename; its
# content travels inside the script (the shell's stdin, written by a builtin: never a command
# line). Prints installed=<path>; exits 1 when it cannot.
#
# Reads:
#   $file     its name in $dir
#   $content  its content
#   $mode     600 (only the owner may read it) or 644
# and $dir from install-files.sh.

(umask 077; printf '%s' "$content" > "$dir/.new.$file") && chmod "$mode" "$dir/.new.$file" && mv -f "$dir/.new.$file" "$dir/$file" && echo "installed=$dir/$file" || exit 1
