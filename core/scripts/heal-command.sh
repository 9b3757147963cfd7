# SPDX-License-Identifier: Apache-2.0
# heal-command: the start of an operator playbook's command: it runs in the host's base path (or
# the home dir when that is gone). The command itself follows, its {placeholders} replaced by
# quoted words on the coordinator (ShellCommand::fill).
#
# Reads:
#   $base  the host's base path

cd "$base" 2>/dev/null || cd || exit 1
# The operator's command sees no variable of ours.
unset base
