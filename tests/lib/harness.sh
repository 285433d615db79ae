# shellcheck shell=bash
# The one harness of the shell test layers (netns, cli, lab), sourced by
# each layer's library. A test file is a list of checks; every check prints
# one TAP line, and the file's exit status is ctest's verdict.
#
# Output (TAP version 13):
#   ok 3 - WHAT                     the check held
#   not ok 4 - WHAT                 it did not; "# ..." lines below say why
#   ok 5 - WHAT # SKIP WHY          it was not run, and why
#   not ok 6 - WHAT # TODO ID       a known open bug, still there
#   1..6                            the plan, printed last
# followed by one summary line. The exit status is 0 only when at least one
# check ran, none failed and (with TTP_STRICT=1, which ctest sets for every
# shell test) none was skipped: a test that needs something installs it.
#
#   pass WHAT | fail WHAT [WHY...]  one check's result
#   check WHAT CMD...               pass when CMD succeeds
#   skip WHAT WHY                   a check that could not run here
#   known_bug ID WHAT CMD...        a check of a bug not yet fixed: CMD is
#                                   expected to fail. The day it succeeds
#                                   the check FAILS, saying the bug is
#                                   fixed and the marker must become check
#   bail WHY                        stop the file now (a failure)
#   note TEXT...                    a diagnostic line
#   wait_for SECONDS CMD...         poll CMD ten times a second, bounded
#   on_exit CMD...                  cleanup: run in reverse order on every
#                                   way out (end, error, bail, INT, TERM)
#   json_get PATH [FILE]            one value of a JSON document (stdin or
#                                   FILE), read with a JSON parser; PATH is
#                                   dot-separated keys and list indexes
#   done_testing                    the plan, the summary, the exit status
#
# Counters are global: H_PASS, H_FAIL, H_SKIP, H_TODO.

[ -n "${H_LOADED:-}" ] && return 0
H_LOADED=1
H_NAME=${H_NAME:-$(basename "$0" .sh)}
H_N=0 H_PASS=0 H_FAIL=0 H_SKIP=0 H_TODO=0 H_DONE=0 H_T0=$EPOCHREALTIME
H_CLEANUP=()
H_PY=/usr/bin/python3

echo "TAP version 13"

h_line() {	# h_line ok|not ok WHAT [DIRECTIVE]
	H_N=$((H_N + 1))
	printf '%s %d - %s%s\n' "$1" "$H_N" "$2" "${3:+ # $3}"
}

pass() { H_PASS=$((H_PASS + 1)); h_line ok "$*"; }

fail() {
	local what=$1; shift
	H_FAIL=$((H_FAIL + 1))
	h_line "not ok" "$what"
	[ $# -eq 0 ] || note "$*"
}

check() {
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

skip() {
	H_SKIP=$((H_SKIP + 1))
	h_line ok "$1" "SKIP ${2:-no reason given}"
}

known_bug() {
	local id=$1 what=$2; shift 2
	if "$@"; then
		H_FAIL=$((H_FAIL + 1))
		h_line "not ok" "$what"
		note "known bug $id is fixed: this check passes now; turn 'known_bug $id' into 'check'"
	else
		H_TODO=$((H_TODO + 1))
		h_line "not ok" "$what" "TODO known bug $id"
	fi
}

bail() {
	H_FAIL=$((H_FAIL + 1))
	echo "Bail out! $*"
	exit 1
}

note() { printf '%s\n' "$*" | sed 's/^/# /'; }

wait_for() {
	local n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

on_exit() { H_CLEANUP+=("$(printf '%q ' "$@")"); }

json_get() {
	"$H_PY" -c '
import json, sys
doc = json.load(open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin)
for k in sys.argv[1].split(".") if sys.argv[1] else []:
    if isinstance(doc, list) and k.lstrip("-").isdigit() and -len(doc) <= int(k) < len(doc):
        doc = doc[int(k)]
    elif isinstance(doc, dict) and k in doc:
        doc = doc[k]
    else:
        sys.exit(1)
if doc is None:
    sys.exit(1)
print(json.dumps(doc) if isinstance(doc, (bool, dict, list)) else doc)
' "$@" 2>/dev/null
}

h_summary() {
	local secs
	secs=$(awk -v a="$H_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	echo "1..$H_N"
	echo "# $H_NAME: $H_PASS passed, $H_FAIL failed, $H_SKIP skipped, $H_TODO known bugs (${secs}s)"
}

# The verdict: 0, or 1 with what made it so.
h_verdict() {
	if [ "$H_FAIL" -gt 0 ]; then return 1; fi
	if [ "$H_N" -eq 0 ]; then note "no check ran"; return 1; fi
	if [ "$H_SKIP" -gt 0 ] && [ "${TTP_STRICT:-0}" = 1 ]; then
		note "$H_SKIP check(s) skipped under TTP_STRICT=1: install what they need"
		return 1
	fi
	return 0
}

done_testing() {
	H_DONE=1
	h_summary
	h_verdict
	exit
}

h_exit() {
	local rc=$? i
	trap - EXIT INT TERM HUP PIPE
	for ((i = ${#H_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${H_CLEANUP[i]}" >/dev/null 2>&1 </dev/null
	done
	if [ "$H_DONE" = 0 ]; then
		note "$H_NAME ended (status $rc) before done_testing"
		h_summary
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}
trap h_exit EXIT
trap 'exit 130' INT TERM HUP PIPE
