#!/bin/bash
# Two session commands at once. A `ttp start` is held in its exit check
# (the TransPort stand-in answers the check URL after 2 s) while a second
# command runs. Whatever the CLI chooses (refuse, or wait its turn), two
# things must hold:
#   - a second `ttp start` must not take the running start's lock for an
#     orphan and tear its firewall down: it exits 1 and says a session is
#     already running or starting; the first start's firewall stays;
#   - the lock and the kernel agree at the end: a session that `ttp status`
#     calls active has its firewall loaded (an ordinary user cannot reach
#     the far side), and an inactive one left nothing behind.
# Harness: lib.sh (BYOD, real packets, private namespaces). Needs root.
# shellcheck disable=SC2086
# shellcheck disable=SC2015  # pass/fail never fail: A && pass || fail is fine
set -u
BYOD_ARGS="--http-delay 2"
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces)"
[ -x "$TTP" ] || bail "no $TTP; build first"

cli_setup || { cat "$LIB_TMP"/*.log; bail "harness setup"; }
U=$USER_UID:$USER_UID

# slow_start: a BYOD start in the background, held in its exit check.
api_checks() { grep -c '^HTTP /api/ip' "$LIB_TMP/trans.log"; }
more_checks() { [ "$(api_checks)" -gt "$1" ]; }
slow_start() {
	local before
	before=$(api_checks)
	rm -f "$LIB_TMP/first.log"
	nsenter --target "$HOLDER" --net --mount -- env TTP_CONFIG="$CONF" \
	    timeout 40 "$TTP" start "${TTP_START_ARGS[@]}" >"$LIB_TMP/first.log" 2>&1 &
	FIRST=$!
	LIB_PIDS+=("$FIRST")
	wait_for 5 more_checks "$before"
}

# agree NAME: the lock (status) and the kernel tell the same story.
agree() {
	local st state
	state=$(ttp_as $USER_UID status --json | json_get state)
	st=$(host_state)
	if [ "$state" = active ]; then
		probe_check "$1: status says active, so the far side is unreachable" 0 \
		    '^(STANDIN|FAIL)' $U tcp $F4 $FAR_PORT
		[ "$(table_kind)" = session ] && pass "$1: active and the session table is loaded" ||
		    fail "$1: status says active but the firewall is '$(table_kind)' ($st)"
	elif [ "$state" = inactive ]; then
		[ "$st" = "$CLEAN" ] && pass "$1: inactive and clean" ||
		    fail "$1: inactive but $st"
	else
		pass "$1: status '$state' ($st)"
	fi
}

note "--- a second start while the first is in its exit check"
slow_start || fail "the first start did not reach its exit check"
[ "$(table_kind)" = session ] || fail "the first start has no firewall yet: $(host_state)"
far_reset
loop_start during 3
ttp start "${TTP_START_ARGS[@]}" >"$LIB_TMP/second.log" 2>&1; rc=$?
wait "$FIRST"; rc1=$?
loop_wait during
n=$(far_count)
if [ $rc = 1 ] && grep -Eqi 'already running|in progress|starting' "$LIB_TMP/second.log"; then
	pass "second start refused (exit 1): $(head -n 1 "$LIB_TMP/second.log")"
else
	fail "second start: exit $rc: $(tr '\n' '|' < "$LIB_TMP/second.log")"
fi
[ "$n" = 0 ] && pass "no packet reached the far side meanwhile" ||
    fail "$n packets reached the far side while two starts ran"
[ $rc1 = 0 ] && pass "the first start finished (exit 0)" || fail "first start: exit $rc1"
agree "two starts"
ttp stop >/dev/null 2>&1
[ "$(host_state)" = "$CLEAN" ] || fail "cleanup: $(host_state)"

note "--- stop while a start is in its exit check"
slow_start || fail "the start did not reach its exit check"
ttp stop >"$LIB_TMP/stop.log" 2>&1; rc=$?
wait "$FIRST"; rc1=$?
echo "    stop: exit $rc, start: exit $rc1"
agree "stop during start"
ttp stop >/dev/null 2>&1
[ "$(host_state)" = "$CLEAN" ] && pass "cleanup: clean" || fail "cleanup: $(host_state)"
done_testing
