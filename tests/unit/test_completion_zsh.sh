#!/bin/bash
# The zsh completion (`ttp completion zsh`, installed as _ttp in zsh's
# completion directory) offers what `ttp --help` and every `ttp CMD
# --help` list (tests/lib/complete.sh): an interactive zsh on a
# pseudo-terminal, with compinit and _ttp first in $fpath, completes each
# line as at a TAB, and tests/lib/zsh_complete.zsh reads back every match
# it adds. Installs zsh when missing. Needs TTP_BIN and TTP_BUILD (ctest
# sets them).
set -u
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/harness.sh
. "$LIB/harness.sh"
# shellcheck source=tests/lib/need.sh
. "$LIB/need.sh"
# shellcheck source=tests/lib/complete.sh
. "$LIB/complete.sh"
TTP=${TTP_BIN:?}/ttp
FILE=${TTP_BUILD:?}/completions/_ttp
[ -s "$FILE" ] || bail "$FILE is missing: build first (cmake --build build)"
need zsh zsh

Z_DIR=$(mktemp -d)
on_exit rm -rf "$Z_DIR"
cp "$FILE" "$Z_DIR/_ttp"

offered() {
	local out
	out=$(HOME=$Z_DIR timeout 30 zsh -f "$LIB/zsh_complete.zsh" "$Z_DIR" "$1" \
	    "$Z_DIR/zcompdump") ||
	    note "zsh_complete '$1' failed ($?)"
	printf '%s\n' "$out"
}

check "zsh reads the script without an error" zsh -n "$FILE"
check "the script is what the built ttp prints" \
    cmp -s "$FILE" <("$TTP" completion zsh)
check "compinit binds _ttp to ttp" zsh -fc '
	fpath=($1 $fpath); autoload -Uz compinit && compinit -u -D
	[[ $_comps[ttp] == _ttp ]]' zsh "$Z_DIR"
completion_checks
done_testing
