#!/bin/bash
# The fish completion (`ttp completion fish`, installed as
# fish/vendor_completions.d/ttp.fish) offers what `ttp --help` and every
# `ttp CMD --help` list (tests/lib/complete.sh): fish loads it from a
# directory of its completion path, as an installed one is, when it
# completes the ttp it finds in PATH, and `complete -C LINE` says what
# it offers. Installs fish when missing.
# Needs TTP_BIN and TTP_BUILD (ctest sets them).
set -u
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/harness.sh
. "$LIB/harness.sh"
# shellcheck source=tests/lib/need.sh
. "$LIB/need.sh"
# shellcheck source=tests/lib/complete.sh
. "$LIB/complete.sh"
TTP=${TTP_BIN:?}/ttp
FILE=${TTP_BUILD:?}/completions/ttp.fish
[ -s "$FILE" ] || bail "$FILE is missing: build first (cmake --build build)"
need fish fish

# A home of its own: no user configuration, nothing written to the real one.
F_HOME=$(mktemp -d)
on_exit rm -rf "$F_HOME"
mkdir -p "$F_HOME/completions"
cp "$FILE" "$F_HOME/completions/ttp.fish"

# fish loads a command's completions only for a command it finds: the
# built ttp, first in PATH.
offered() {
	PATH=$TTP_BIN:$PATH HOME=$F_HOME XDG_CONFIG_HOME=$F_HOME/config XDG_DATA_HOME=$F_HOME/data \
	    XDG_CACHE_HOME=$F_HOME/cache fish -c '
		set -p fish_complete_path $argv[1]
		complete -C $argv[2]' "$F_HOME/completions" "$1" | cut -f1
}

check "fish reads the script without an error" \
    fish --no-execute "$FILE"
check "the script is what the built ttp prints" \
    cmp -s "$FILE" <("$TTP" completion fish)
completion_checks
done_testing
