#!/bin/bash
# The session watchdog (docs/watchdog.md) against a real BYOD session in namespaces:
# `ttp start --external-daemon` with lib.sh's stand-ins playing Tor, in the
# client namespace of lib.sh plus a private mount namespace (a holder
# process keeps it: /run is a tmpfs there and /etc/resolv.conf a test
# file), the far side counting and capturing what arrives.
#
# Each tampering runs under continuous traffic from an ordinary uid
# (standin.py loop) with a capture on the far side, and is timed by
# nft_tamper from the tampering commit to the watchdog's lockdown commit:
#   - flush filter_out, flush the nat chain, unmount the overlay: no gap
#     is opened by the tampering itself; zero packets on the far side;
#   - delete the table, insert an accept rule: the kernel opens the gap
#     at the tampering commit and only the lockdown closes it; zero
#     packets after the lockdown commit, and the gap under 100 ms.
# Then: repaired, or left locked down when the same fault recurs within
# the window; link down/up locks nothing down; kill -9 of the guard or of
# the monitor leaves the rules in place and ends the watchdog's privd.
# tor's death (a supervised tor) is tests/lab/test_watchdog.sh.
set -u
export NS_PREFIX=ttpwd
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=session_lib.sh
source "$(dirname "$0")/session_lib.sh"
TESTS=${TTP_TESTS:-$(cd "$(dirname "$0")/../.." && pwd)/build/tests}
TAMPER=$TESTS/nft_tamper
MAX_GAP_MS=100

[ "$(id -u)" -eq 0 ] || bail "needs root"
[ -x "$TTP" ] && [ -x "$TAMPER" ] || bail "build first"
ns_create || bail "namespaces"
session_pin_neighbours || bail "neighbour entries"
standins_start || bail "stand-ins"
session_holder_start || bail "holder"

# The watchdog detaches from us: end it (and the session) before lib.sh
# removes the namespaces, or it would outlive them.
test_cleanup() {
	local p
	ttp stop >/dev/null 2>&1
	for p in $(cat "$LIB_TMP/wd.pids" 2>/dev/null); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$TTP" ] && kill "$p"
	done
}
on_exit test_cleanup

# ---- helpers ---------------------------------------------------------------

wd_json() { ttp watchdog status --json; }
wd_field() { wd_json | json_get "$1"; }
wd_pid() {
	local p
	p=$(ttp status --json | json_get watchdog_pid)
	[ -n "$p" ] && [ "$p" != 0 ] && echo "$p" >>"$LIB_TMP/wd.pids" &&
	    echo "$p"
}
children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
faults() { wd_field faults; }

# Continuous traffic that must never reach the far side, from an ordinary
# uid, until stop_traffic; waits until it demonstrably runs (the kill
# switch's counter moves).
TRAFFIC_PID=
# The kill switch's counters: ttp's table and the anchor's (whichever of
# the two sees a rejected packet first counts it).
ks_count() {
	cli nft list ruleset 2>/dev/null |
	    sed -n 's/.*counter packets \([0-9]*\).*/\1/p' |
	    awk '{ n += $1 } END { print n + 0 }'
}
ks_moved() { local c; c=$(ks_count); [ "${c:-0}" -gt "$KS0" ]; }
start_traffic() {
	KS0=$(ks_count)
	KS0=${KS0:-0}
	ip netns exec "$NS_C" setpriv --reuid="$USER_UID" --regid="$USER_UID" \
	    --clear-groups "$PY" "$STANDIN" loop 2 "$F4" "$F6" "lan:$F4LAN" \
	    >"$LIB_TMP/loop.log" 2>&1 &
	TRAFFIC_PID=$!
	LIB_PIDS+=("$TRAFFIC_PID")
	wait_for 5 ks_moved
}
# The loop ends by itself after 2 s and says how many rounds it made.
stop_traffic() {
	local i
	for ((i = 0; i < 30; i++)); do
		kill -0 "$TRAFFIC_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$TRAFFIC_PID" 2>/dev/null
	wait "$TRAFFIC_PID" 2>/dev/null
	TRAFFIC_PID=
}
rounds() { sed -n 's/^LOOP \([0-9]*\)$/\1/p' "$LIB_TMP/loop.log"; }

# Capture on the far side what arrives from the client.
CAP_PID=
start_capture() {
	rm -f "$LIB_TMP/cap.pcap" "$LIB_TMP/cap.err"
	# IP from the client's own addresses; neighbour discovery (and ARP)
	# is the link working, not traffic.
	# Not through a shell function: $! must be tcpdump itself.
	ip netns exec "$NS_F" tcpdump -n -U --immediate-mode -Q in -i "$IF_F" \
	    -w "$LIB_TMP/cap.pcap" \
	    "(ip or (ip6 and not icmp6)) and (src host $C4 or src host $C4LAN or src host $C6 or src host $C6LAN)" \
	    >/dev/null 2>"$LIB_TMP/cap.err" &
	CAP_PID=$!
	LIB_PIDS+=("$CAP_PID")
	wait_for 5 grep -q listening "$LIB_TMP/cap.err"
}
stop_capture() {
	sleep 0.2
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
}
# Packets captured (after the epoch time $1, when given).
captured() {
	tcpdump -n -tt -r "$LIB_TMP/cap.pcap" 2>/dev/null |
	    awk -v after="${1:-0}" '$1 > after { n++ } END { print n + 0 }'
}

# tamper NAME GAP CMD: tamper under traffic. GAP=0: the tampering itself
# opens no gap, nothing may arrive; GAP=1: nothing may arrive after the
# lockdown commit, which must come within MAX_GAP_MS.
tamper() {
	local name=$1 gap=$2 cmd=$3 out t0 t1 t2 ms n late
	mark
	far_reset
	start_capture || { fail "$name: no capture"; return; }
	start_traffic || { fail "$name: traffic did not start"; stop_capture; return; }
	out=$(cli "$TAMPER" -a 1 -t 3000 "$cmd")
	stop_traffic
	stop_capture
	t0=$(echo "$out" | awk '$1 == "tamper" { print $2 }')
	t1=$(echo "$out" | awk '$1 == "answer" { print $2; exit }')
	ms=$(echo "$out" | awk '$1 == "answer" { print substr($4, 2); exit }')
	if [ -z "$t1" ]; then
		fail "$name: no lockdown within 3 s ($out)"
		return
	fi
	n=$(captured 0)
	# 2 ms: what was already on the wire when the lockdown committed.
	t2=$(awk -v t="$t1" 'BEGIN { printf "%.6f", t + 0.002 }')
	# Every packet counts, loopback-addressed ones too: a flow caught
	# half-way by the table going away sends its RSTs to [::1]:TransPort,
	# and the rulesets' filter_post chain must drop those at the wire.
	late=$(captured "$t2")
	note "$name: lockdown committed $ms ms after the tampering; traffic: $(rounds) rounds in 2 s; far side: $n packet(s) in all, $late after the lockdown"
	if [ "$n" != 0 ]; then
		tcpdump -n -tt -r "$LIB_TMP/cap.pcap" 2>/dev/null | awk -v t0="$t0" \
		    '{ $1 = sprintf("%+.2fms", ($1 - t0) * 1000); print "    " $0 }' |
		    sed -n '1,4p;$p'
	fi
	if [ "$gap" = 0 ] && [ "$n" != 0 ]; then
		fail "$name: $n packet(s) reached the far side"
	elif [ "$late" != 0 ]; then
		tcpdump -n -tt -r "$LIB_TMP/cap.pcap" 2>/dev/null |
		    awk -v t0="$t0" -v t1="$t1" \
		    '$1 > t1 + 0.002 { $1 = sprintf("%+.2fms", ($1 - t0) * 1000); print "    late: " $0 }' |
		    sort | uniq -c | sort -rn | head -8
		fail "$name: $late packet(s) reached the far side after the lockdown"
	elif awk -v m="$ms" -v max=$MAX_GAP_MS 'BEGIN { exit !(m >= max) }'; then
		fail "$name: lockdown took $ms ms (goal < $MAX_GAP_MS)"
	else
		pass "$name: locked down in $ms ms, nothing leaked after"
	fi
	: "$t0"
}

# mark, then await ACTION: a report after the mark, and the last action
# starts with ACTION.
N0=0
reports() { wd_field reports; }
mark() { N0=$(reports); N0=${N0:-0}; }
await() {
	local i j r
	for ((i = 0; i < 50; i++)); do
		j=$(wd_json)
		r=$(echo "$j" | json_get reports)
		[ "${r:-0}" -gt "$N0" ] &&
		    case $(echo "$j" | json_get last_action) in "$1"*) true ;; *) false ;; esac &&
		    return 0
		sleep 0.1
	done
	return 1
}


# ---- A: ttp start -w, the default window -----------------------------------

note "== A: ttp start -w (recurrence window 60 s)"
if start_session -w && grep -q "watchdog started" "$LIB_TMP/start.log"; then
	pass "start -w: the watchdog is started"
else
	fail "start -w: $(cat "$LIB_TMP/start.log")"
fi
WD=$(wd_pid)
[ "$(wd_field state)" = active ] && [ -n "$WD" ] && alive "$WD" &&
    ttp status | grep -q "watchdog *guarding" &&
    pass "status: watchdog active (pid $WD), ttp status says guarded" ||
    fail "status: $(wd_json)"
# Once set up, no process of the watchdog keeps root but its ttp-privd
# (seccomp-confined): the monitor and the guard are _ttp, no capabilities.
proc_rights() { awk '/^Uid:/ { u = $2 } /^CapEff:/ { c = $2 } END { print u ":" c }' "/proc/$1/status" 2>/dev/null; }
TTP_UID=$(id -u _ttp)
rooted=
for p in $WD $(children "$WD"); do
	grep -q ttp-privd "/proc/$p/cmdline" 2>/dev/null && continue
	[ "$(proc_rights "$p")" = "$TTP_UID:0000000000000000" ] ||
	    rooted="$rooted $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null): $(proc_rights "$p"))"
done
[ -n "$WD" ] && [ -z "$rooted" ] && [ -n "$(children "$WD")" ] &&
    pass "the monitor and the guard run as _ttp with no capabilities; only ttp-privd keeps root" ||
    fail "watchdog processes with root or capabilities:$rooted"
cli test -r /run/ttp/watchdog.json && [ "$(cli stat -c %a /run/ttp/watchdog.json)" = 644 ] &&
    cli setpriv --reuid="$USER_UID" --regid="$USER_UID" --clear-groups \
    "$TTP" watchdog status --json | json_is state=active &&
    pass "watchdog status works without root" || fail "watchdog status as a user"
cli setpriv --reuid="$USER_UID" --regid="$USER_UID" --clear-groups \
    "$TTP" watchdog stop >/dev/null 2>&1
[ $? = 2 ] && pass "watchdog stop needs root (exit 2)" || fail "watchdog stop as a user"

tamper "delete table" 1 "delete table inet ttp"
await "locked down, then repaired" && fw_intact &&
    [ "$(lock_state)" = active ] &&
    pass "delete table: repaired (session ruleset, same hash)" ||
    fail "delete table: not repaired: $(wd_json) / $(ttp status --json)"

tamper "flush chain filter_out (recurs)" 0 "flush chain inet ttp filter_out"
await "locked down for good: the fault recurred" &&
    [ "$(fw_state)" = lockdown ] && [ "$(lock_state)" = lockdown ] &&
    [ "$(wd_field mode)" = lockdown ] &&
    pass "recurrence within 60 s: the host stays in lockdown, lock says so" ||
    fail "recurrence: $(wd_json) / $(ttp status --json)"
grep -q "LOCKDOWN" <(cli cat /run/ttp/ttp.log) &&
    pass "the user is told (session log)" || fail "no lockdown message in the log"

tamper "accept rule into the lockdown table" 1 "insert rule inet ttp filter_out accept"
await "lockdown ruleset re-applied" && [ "$(fw_state)" = lockdown ] &&
    pass "lockdown table tampered with: re-applied, still locked down" ||
    fail "relock: $(wd_json)"

# restart -w out of the lockdown: the old watchdog is stopped first (it
# must not take the restart's own changes for tampering), a new one guards.
if ttp restart -w --external-daemon --tor-uid "$TOR_UID" >"$LIB_TMP/restart.log" 2>&1 &&
    gone_within 30 "$WD"; then
	WD2=$(wd_pid)
	[ -n "$WD2" ] && [ "$WD2" != "$WD" ] && [ "$(lock_state)" = active ] &&
	    fw_intact && [ "$(wd_field faults)" = 0 ] &&
	    pass "restart -w: old watchdog stopped, new one guards, no false alarm" ||
	    fail "restart -w: $(wd_json)"
	WD=$WD2
else
	fail "restart -w: $(cat "$LIB_TMP/restart.log")"
fi

stop_session
gone_within 30 "$WD" && ! rules_present && [ "$(lock_state)" = inactive ] &&
    pass "ttp stop stops the watchdog first and tears down cleanly" ||
    fail "stop: $(cat "$LIB_TMP/stop.log")"

# ---- B: one repair of each kind (short window), links, kills -----------------

note "== B: ttp watchdog run --recur-window 2"
start_session || fail "start: $(cat "$LIB_TMP/start.log")"
cli "$TTP" watchdog run --recur-window 2 >"$LIB_TMP/wd.log" 2>&1 &
LIB_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [ "$(wd_field state)" = active ] && break; sleep 0.1; done
WD=$(wd_pid)
[ -n "$WD" ] && pass "watchdog run: guarding (pid $WD)" || fail "watchdog run: $(cat "$LIB_TMP/wd.log")"

tamper "flush the nat chain" 0 "flush chain inet ttp output"
await "locked down, then repaired" && fw_intact &&
    pass "flush nat chain: repaired" || fail "flush nat chain: $(wd_json)"
sleep 2.2
tamper "insert accept rule" 1 "insert rule inet ttp filter_out accept"
await "locked down, then repaired" && fw_intact &&
    pass "accept rule: repaired" || fail "accept rule: $(wd_json)"

# The overlay: no gap (DNS is redirected by the ruleset anyway), but it is
# tampering: lockdown, then DNS_OVERLAY and FW_APPLY.
mark
far_reset
start_capture
start_traffic || fail "unmount: traffic did not start"
cli umount /etc/resolv.conf
await "locked down, then repaired"
stop_traffic
stop_capture
cli grep -qx "nameserver 127.0.0.1" /etc/resolv.conf &&
    fw_intact && [ "$(captured)" = 0 ] &&
    pass "unmount the overlay: locked down, overlay and ruleset back, 0 packets" ||
    fail "unmount: $(wd_json); $(cli cat /etc/resolv.conf); $(captured) packets"

# Something else mounted over it.
sleep 2.2
mark
cli mount --bind "$LIB_TMP/resolv.conf" /etc/resolv.conf
await "locked down, then repaired" &&
    cli grep -qx "nameserver 127.0.0.1" /etc/resolv.conf && fw_intact &&
    pass "another resolv.conf mounted over: repaired" ||
    fail "mount over: $(wd_json); $(cli cat /etc/resolv.conf)"

# Link down and up: repairs suspended, no lockdown.
sleep 2.2
n0=$(faults)
in_client ip link set "$IF_C" down
for ((i = 0; i < 30; i++)); do [ "$(wd_field mode)" = suspended ] && break; sleep 0.1; done
m_down=$(wd_field mode)
in_client ip link set "$IF_C" up
for ((i = 0; i < 30; i++)); do [ "$(wd_field mode)" = guarding ] && break; sleep 0.1; done
in_client ip route replace default via $F4 2>/dev/null
[ "$m_down" = suspended ] && [ "$(wd_field mode)" = guarding ] &&
    [ "$(faults)" = "$n0" ] && fw_intact && [ "$(fw_state)" = session ] &&
    pass "link down/up: suspended then guarding, no lockdown" ||
    fail "link down/up: mode was '$m_down', now $(wd_json)"

# Tampering while the link is down: locked down at once, repaired when the
# link is back.
in_client ip link set "$IF_C" down
for ((i = 0; i < 30; i++)); do [ "$(wd_field mode)" = suspended ] && break; sleep 0.1; done
mark
cli "$TAMPER" -a 1 "delete table inet ttp" >/dev/null
await "locked down; repair waits" && [ "$(fw_state)" = lockdown ] &&
    pass "link down: tampering locks down, repair waits" ||
    fail "link down tampering: $(wd_json)"
mark
in_client ip link set "$IF_C" up
in_client ip route replace default via $F4 2>/dev/null
await "locked down, then repaired" && fw_intact &&
    pass "link back: repaired" || fail "link back: $(wd_json)"

# kill -9 of the guard: the monitor and privd follow, rules stay.
GUARD=$(wd_field guard_pid)
[ -n "$GUARD" ] || GUARD=$(cli cat /run/ttp/watchdog.json | json_get guard_pid)
PRIVD=$(children "$WD" | tr ' ' '\n' | while read -r p; do
	[ -n "$p" ] && grep -q ttp-privd "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done)
if [ -n "$GUARD" ] && [ -n "$PRIVD" ]; then
	kill -9 "$GUARD"
	gone_within 30 "$GUARD" "$PRIVD" "$WD" && fw_intact &&
	    [ "$(wd_field state)" = inactive ] &&
	    pass "kill -9 guard: monitor and privd exit, session rules intact" ||
	    fail "kill -9 guard: $(ls -d /proc/"$GUARD" /proc/"$PRIVD" /proc/"$WD" 2>&1)"
else
	fail "could not find the guard ($GUARD) or its privd ($PRIVD)"
fi

# kill -9 of the monitor (the pid in the lock): the guard dies with it
# (PDEATHSIG), its privd sees the peer gone.
ttp watchdog start >"$LIB_TMP/wdstart.log" 2>&1
WD=$(wd_pid)
GUARD=$(cli cat /run/ttp/watchdog.json | json_get guard_pid)
PRIVD=$(children "$WD" | tr ' ' '\n' | while read -r p; do
	[ -n "$p" ] && grep -q ttp-privd "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done)
if [ -n "$WD" ] && [ -n "$GUARD" ] && [ -n "$PRIVD" ]; then
	kill -9 "$WD"
	gone_within 30 "$GUARD" "$PRIVD" && fw_intact && rules_present &&
	    pass "kill -9 watchdog: guard and privd exit, session rules intact" ||
	    fail "kill -9 watchdog: $(ls -d /proc/"$GUARD" /proc/"$PRIVD" 2>&1)"
else
	fail "watchdog start: $(cat "$LIB_TMP/wdstart.log")"
fi

# watchdog start / stop by hand.
ttp watchdog start >/dev/null 2>&1
WD=$(wd_pid)
ttp watchdog stop >/dev/null 2>&1
[ -n "$WD" ] && gone_within 30 "$WD" && [ "$(wd_field state)" = inactive ] &&
    fw_intact && pass "watchdog start/stop: stops, session untouched" ||
    fail "watchdog stop"

# Control: without a watchdog, and without the anchor (which alone keeps
# that accept rule from opening the host), the same tampering under the
# same traffic does leak, so the captures above could see a leak if there
# was one.
kill -9 "$(anchor_pid)"
wait_for 2 sh -c "! nsenter --target $HOLDER --net nft list tables | grep -q ttp_anchor"
far_reset
start_capture
start_traffic || fail "control: traffic did not start"
cli "$TAMPER" -a 0 "insert rule inet ttp filter_out accept" >/dev/null
stop_traffic
stop_capture
n=$(captured)
[ "$n" -gt 0 ] && pass "control: without the watchdog and the anchor the accept rule leaks ($n packets)" ||
    fail "control: no leak seen without the watchdog: the capture is blind"

stop_session
! rules_present && pass "session stopped cleanly" || fail "stop"
cli grep -E "guard exited \((signal|status)" /run/ttp/ttp.log 2>/dev/null |
    grep -v "signal 9" && fail "the guard died unexpectedly (seccomp?)"
done_testing
