#!/bin/bash
# End-to-end, crashes: the ttp CLI killed (SIGKILL, via the TTP_TEST_CRASH_AT
# hook) right after each step of `ttp start` and of `ttp stop`, and kill -9
# of ttp-torctl, ttp-privd and the CLI itself from outside during bootstrap.
# After each: the host is never open (once the firewall is in, a direct
# UDP datagram and a direct HTTP request put zero packets on the far side)
# and `ttp stop` (or `ttp stop --restore-only`, or the next `ttp start`)
# brings the client back to clean. One lab for the file (about 1.5 min).
# one TAP line per check; exit 0 iff all passed.
set -u
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

START_STEPS=(validated lock FW_APPLY DNS_OVERLAY tor bootstrap)
STOP_STEPS=(FW_LOCKDOWN tor_stopped SOCK_KILL CT_FLUSH FW_REMOVE DNS_RESTORE)

# crashed_ttp STEP ARGS...: ttp ARGS with the CLI killed after STEP.
crashed_ttp() {
	local step=$1; shift
	OUT=$(cli env TTP_TEST_CRASH_AT="$step" timeout -k 5 "$E2E_CMD_TIMEOUT" \
	    "$TTP" "$@" 2>&1)
}

# closed WHAT: an application's direct UDP and HTTP put nothing on the far
# side (HTTP may be answered through Tor if tor is up: that is not a leak).
closed() {
	probe udp "$TTPLAB_WEB_IP4" 9999 >/dev/null
	probe http "$TTPLAB_WEB_IP4" 80 /?tag=closed >/dev/null
	probe --root udp "$TTPLAB_WEB_IP6" 9999 >/dev/null
	no_leak "$1: host fail-closed"
}

# recover HOW WHAT: `ttp stop` or `ttp stop --restore-only` cleans up.
recover() {
	local how=$1 what=$2 rc
	# shellcheck disable=SC2086
	ttp_quiet $how; rc=$?
	if [ $rc -eq 0 ]; then pass "$what: 'ttp $how' exits 0"
	else printf '%s\n' "$OUT" | indent; fail "$what: 'ttp $how' exits $rc"; fi
	nothing_left "$what: after 'ttp $how'"
}

# expect_fw WHAT WANT: ttp's table in the client is WANT (none, session,
# lockdown).
expect_fw() {
	local got
	got=$(fw_table)
	if [ "$got" = "$2" ]; then pass "$1: firewall: $got"
	else fail "$1: firewall is '$got', expected '$2'"; fi
}

e2e_up

note "--- the CLI killed after each step of ttp start"
i=0
for step in "${START_STEPS[@]}"; do
	what="start killed after $step"
	far_arm
	crashed_ttp "$step" start; rc=$?
	check "$what: the CLI died by SIGKILL (status $rc)" [ $rc -eq 137 ]
	case $step in
	validated|lock) expect_fw "$what" none ;;	# nothing applied yet
	*) expect_fw "$what" session; closed "$what" ;;
	esac
	# Alternate the two ways back; once, the next start cleans up.
	if [ "$step" = DNS_OVERLAY ]; then
		ttp_quiet start; rc=$?
		check "$what: the next 'ttp start' cleans up and starts (exit $rc)" \
		    rc_and_out $rc 'cleaning it up first'
		recover stop "$what"
	elif [ $((i % 2)) -eq 0 ]; then
		recover stop "$what"
	else
		recover "stop --restore-only" "$what"
	fi
	i=$((i + 1))
done

note "($(elapsed "$E2E_T0")s so far)"
note "--- the CLI killed after each step of ttp stop"
for step in "${STOP_STEPS[@]}"; do
	what="stop killed after $step"
	ttp_quiet start; rc=$?
	check "$what: ttp start exits 0" [ $rc -eq 0 ]
	far_arm
	crashed_ttp "$step" stop; rc=$?
	check "$what: the CLI died by SIGKILL (status $rc)" [ $rc -eq 137 ]
	case $step in
	FW_REMOVE|DNS_RESTORE)
		# The firewall was already removed, as stop intends; tor is
		# gone, so nothing may be sending by itself.
		expect_fw "$what" none
		no_leak "$what: nothing sent after the crash" ;;
	*)	expect_fw "$what" lockdown; closed "$what" ;;
	esac
	if [ "$step" = SOCK_KILL ]; then recover "stop --restore-only" "$what"
	else recover stop "$what"; fi
done

note "($(elapsed "$E2E_T0")s so far)"
note "--- kill -9 of ttp's processes during bootstrap"
# A cold bootstrap (no cached consensus) leaves time to catch each process.
has_proc() { [ -n "$(ns_procs "$1")" ]; }
# start_and_kill COMM: `ttp start` in the background; kill -9 the first
# process named COMM in the client once ttp-torctl (bootstrap) runs.
start_and_kill() {
	local comm=$1 pid
	rm -rf "$TTPLAB_DIR/client/tor-data"
	bg_start "${CLI[@]}" timeout -k 5 "$E2E_CMD_TIMEOUT" "$TTP" start \
	    >"$E2E_TMP/start-$comm.out" 2>&1
	START_PID=$BG_PID
	KILLED=""
	if wait_for 30 has_proc ttp-torctl; then
		pid=$(ns_procs "$comm" | head -n 1)
		if [ -n "$pid" ]; then
			kill -KILL "$pid" && KILLED=$pid
		fi
	fi
	bg_wait "$START_PID" 60
	START_RC=$?
	if [ -n "$KILLED" ]; then
		pass "kill -9 $comm (pid $KILLED) during bootstrap; start exited $START_RC"
	else
		fail "kill -9 $comm: never saw it during bootstrap"
	fi
	indent <"$E2E_TMP/start-$comm.out"
}

far_arm
start_and_kill ttp-torctl
check "torctl killed: ttp start fails (exit $START_RC)" [ "$START_RC" -eq 1 ]
check "torctl killed: start says it undid everything" \
    grep -q 'the host is as it was before' "$E2E_TMP/start-ttp-torctl.out"
no_leak "torctl killed"
nothing_left "torctl killed"

far_arm
start_and_kill ttp-privd
closed "privd killed"
if [ "$START_RC" -eq 0 ]; then
	expect_fw "privd killed, start went on" session
else
	note "start exited $START_RC after privd was killed"
fi
recover stop "privd killed"

far_arm
start_and_kill ttp
check "CLI killed: it died by SIGKILL (status $START_RC)" [ "$START_RC" -eq 137 ]
expect_fw "CLI killed" session
closed "CLI killed"
recover stop "CLI killed"
direct_ok "at the end"

e2e_finish
