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
#   json_is PATH=VALUE...           stdin is JSON where each PATH has that
#                                   value (as json_get prints it)
#   done_testing                    the plan, the summary, the exit status
#   in_child CMD...                 run CMD, a bash script that sources
#                                   "$H_LIB" (this file) in another process,
#                                   often in namespaces of its own: its
#                                   checks become this file's checks, its
#                                   other output diagnostics, and an exit
#                                   status other than 0 one more failure
#   relay                           the same for a child's output saved in
#                                   a file (stdin), when the child ran in
#                                   the background
#
# Counters are global: H_PASS, H_FAIL, H_SKIP, H_TODO.

[ -n "${H_LOADED:-}" ] && return 0
H_LOADED=1
H_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/harness.sh
H_CHILD=${H_CHILD:-0}	# 1: results go to the parent's in_child as @@ lines
H_NAME=${H_NAME:-$(basename "$0" .sh)}
H_N=0 H_PASS=0 H_FAIL=0 H_SKIP=0 H_TODO=0 H_DONE=0 H_T0=$EPOCHREALTIME
H_CLEANUP=()
H_PY=/usr/bin/python3

[ "$H_CHILD" = 1 ] || echo "TAP version 13"

h_line() {	# h_line ok|not ok WHAT [DIRECTIVE]
	H_N=$((H_N + 1))
	if [ "$H_CHILD" = 1 ]; then
		printf '@@%s\t%s\t%s\n' "$1" "$2" "${3:-}"
		return
	fi
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
	if [ "$H_CHILD" = 1 ]; then h_line "not ok" "$*" ""; exit 1; fi
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

# One reader for json_get and json_is: MODE get PATH [FILE] | is PATH=V...
H_JSON='
import json, sys
def at(doc, path):
    for k in path.split(".") if path else []:
        if isinstance(doc, list) and k.lstrip("-").isdigit() and -len(doc) <= int(k) < len(doc):
            doc = doc[int(k)]
        elif isinstance(doc, dict) and k in doc:
            doc = doc[k]
        else:
            return None
    if doc is None:
        return None
    return json.dumps(doc) if isinstance(doc, (bool, dict, list)) else str(doc)
mode, args = sys.argv[1], sys.argv[2:]
if mode == "get":
    doc = json.load(open(args[1]) if len(args) > 1 else sys.stdin)
    v = at(doc, args[0])
    if v is None:
        sys.exit(1)
    print(v)
else:
    doc = json.load(sys.stdin)
    for a in args:
        path, _, want = a.partition("=")
        if at(doc, path) != want:
            print("%s is %s, not %s" % (path, at(doc, path), want), file=sys.stderr)
            sys.exit(1)
'
json_get() { "$H_PY" -c "$H_JSON" get "$@" 2>/dev/null; }
json_is() { "$H_PY" -c "$H_JSON" is "$@"; }

relay() {
	local line ok what dir
	while IFS= read -r line; do
		case $line in
		@@*)
			IFS=$'\t' read -r ok what dir <<<"${line#@@}"
			case $ok:$dir in
			ok:SKIP*) H_SKIP=$((H_SKIP + 1)); h_line ok "$what" "$dir" ;;
			ok:*) pass "$what" ;;
			"not ok:TODO"*) H_TODO=$((H_TODO + 1)); h_line "not ok" "$what" "$dir" ;;
			*) H_FAIL=$((H_FAIL + 1)); h_line "not ok" "$what" ;;
			esac ;;
		"#"*) printf '%s\n' "$line" ;;
		*) note "$line" ;;
		esac
	done
}

in_child() {
	local rc pid
	relay < <(H_CHILD=1 H_LOADED='' H_LIB="$H_LIB" "$@" 2>&1)
	pid=$!
	wait "$pid"; rc=$?
	[ "$rc" -eq 0 ] || fail "the child process exits 0" "it exited $rc: $*"
	return "$rc"
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
	[ "$H_CHILD" = 1 ] && exit "$([ "$H_FAIL" -eq 0 ] && echo 0 || echo 1)"
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
	if [ "$H_DONE" = 0 ] && [ "$H_CHILD" != 1 ]; then
		note "$H_NAME ended (status $rc) before done_testing"
		h_summary
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}
trap h_exit EXIT
trap 'exit 130' INT TERM HUP PIPE
