#!/bin/bash
# The session lifecycle of the real `ttp` with real packets, fast and
# without tor: `ttp start --external-daemon` (BYOD) routes into a TransPort
# stand-in (tests/cli/byod.py) and a DNSPort stand-in running as a
# dedicated uid, in a client namespace joined by a veth to a far side that
# counts every packet it receives (harness: tests/cli/lib.sh, on top of
# tests/netns/lib.sh). ttp runs in the client's network namespace and in a
# private mount namespace, so its resolv.conf overlay and run directories
# exist only there. The exit check of `ttp start` goes to
# http://<far address>/api/ip like every ordinary user's traffic, i.e. into
# the stand-in, which answers as the Tor exit 192.0.2.15 would
# ({"IsTor": true}); that proves netcheck's request really went through
# the redirect, not to the far side.
#
# Asserted: after start, TCP (IPv4 and IPv6) of an ordinary uid reaches the
# stand-in and never the far side, UDP and ICMP are rejected, DNS goes to
# the DNSPort, resolv.conf names 127.0.0.1, the tor uid is exempt; ZERO
# packets reach the far side through `ttp restart` (three times) under
# continuous traffic, and an idle connection opened before the restart is
# destroyed without a cleartext packet; after `ttp stop`, an idle
# connection that was open during the session cannot send a single packet,
# and nothing is left behind (table, mount, lock), the host is reachable
# again as before. Needs root; ~15 s.
# shellcheck disable=SC2086
# shellcheck disable=SC2015  # pass/fail never fail: A && pass || fail is fine
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces)"
[ -x "$TTP" ] || bail "no $TTP; build first"

cli_setup || { cat "$LIB_TMP"/*.log; bail "harness setup"; }
far_capture || bail "no capture on the far side"
U=$USER_UID:$USER_UID T=$TOR_UID:$TOR_UID
OUT=$LIB_TMP/out

probe_check "control: before start the far side is reachable" + '^FAR .* ECHO=ok' $U tcp $F4 $FAR_PORT
far_reset
loop_start control 1
loop_wait control
n=$(far_count)
[ "${n:-0}" -gt 0 ] && pass "control: without ttp the traffic loop reaches the far side ($n packets)" ||
    fail "control: the traffic loop never reached the far side"
host_resolv=$(in_session cat /etc/resolv.conf)
real_resolv=$(cat /etc/resolv.conf)
n=$(martian6)
[ "$n" -gt 0 ] && pass "control: without ttp, resets to ::1 leave on the veth ($n): the kernel's routing" ||
    note "note: this kernel keeps resets to ::1 on lo; the martian check below proves nothing"

note "--- start"
t0=$(date +%s%N)
ttp start "${TTP_START_ARGS[@]}" >"$OUT" 2>&1; rc=$?
t1=$(date +%s%N)
expect "ttp start (BYOD): exit 0" 0 "exit address   $EXIT_IP \(confirmed Tor exit" $rc "$(cat "$OUT")"
note "start took $(( (t1 - t0) / 1000000 )) ms"
st=$(host_state)
[ "$st" = "table=session overlay=yes lock=yes" ] && pass "session state: $st" || fail "session state: $st"
grep -q '^HTTP /api/ip' "$LIB_TMP/trans.log" &&
    pass "the exit check went through the TransPort stand-in" ||
    fail "the exit check never reached the stand-in: $(cat "$LIB_TMP/trans.log")"
[ "$(in_session cat /etc/resolv.conf | grep nameserver)" = "nameserver 127.0.0.1" ] &&
    pass "resolv.conf (in ttp's mount namespace) names 127.0.0.1" ||
    fail "resolv.conf: $(in_session cat /etc/resolv.conf)"
[ "$(cat /etc/resolv.conf)" = "$real_resolv" ] && ! grep -q 'Managed by ttp' /etc/resolv.conf &&
    pass "the host's own resolv.conf is untouched" || fail "the host's resolv.conf changed"
ttp_as $USER_UID status --json >"$OUT"
json_is state=active <"$OUT" && pass "status (ordinary user): active" || fail "status: $(cat "$OUT")"
# The lock records the routers the LAN bypass excludes: the client's
# gateways, which a restart and the watchdog apply again.
json_is lan_allow_router=false routers_v4="[\"$F4\"]" routers_v6="[\"$F6\"]" <"$OUT" &&
    pass "status --json: the routers the LAN bypass excludes ($F4, $F6)" ||
    fail "status --json routers: $(cat "$OUT")"

probe_check "TCP (user) reaches the stand-in, not the far side" 0 "^STANDIN $F4:$FAR_PORT ECHO=ok\$" $U tcp $F4 $FAR_PORT
probe_check "IPv6 TCP (user) reaches the stand-in" 0 "^STANDIN \\[$F6\\]:$FAR_PORT ECHO=ok\$" $U tcp $F6 $FAR_PORT
probe_check "TCP (root) reaches the stand-in" 0 "^STANDIN $F4:$FAR_PORT ECHO=ok\$" 0 tcp $F4 $FAR_PORT
probe_check "UDP (user) rejected" 0 '^FAIL' $U udp $F4 9999
probe_check "UDP over IPv6 rejected" 0 '^FAIL' $U udp $F6 9999
probe_check "ICMP ping rejected" 0 '^FAIL' $U ping $F4
probe_check "DNS goes to the DNSPort stand-in" 0 "^ANSWER $DNS_ANSWER\$" $U dns-query $F4
probe_check "the tor uid is exempt (reaches the far side)" + '^FAR .* ECHO=ok' $T tcp $F4 $FAR_PORT
# What `ttp stop` provokes (Tor's TransPort on [::1] retransmitting to
# sockets SOCK_KILL destroyed, after CT_FLUSH): the kernel's resets to ::1.
n=$(martian6)
if [ "$n" = 0 ]; then
	pass "no reset addressed to ::1 leaves on the wire during the session"
else
	fail "$n TCP resets from $C6 to ::1 left on the veth during the session"
fi

note "--- restart x3 under continuous traffic: zero packets leave"
idle_open across $F4 $FAR_PORT || fail "idle connection did not open"
grep -q "^connected STANDIN $F4:$FAR_PORT" "$LIB_TMP/across.log" &&
    pass "idle connection redirected into the stand-in" || fail "idle: $(cat "$LIB_TMP/across.log")"
t0=$(now_ts)
far_reset
loop_start loop 4
sleep 0.5
for i in 1 2 3; do
	ttp restart "${TTP_START_ARGS[@]}" >"$OUT" 2>&1; rc=$?
	[ $rc = 0 ] && grep -q 'ttp is active' "$OUT" && pass "restart $i: exit 0, active" ||
	    fail "restart $i: exit $rc: $(cat "$OUT")"
	sleep 0.3
done
loop_wait loop || fail "traffic loop did not finish"
n=$(far_count) rounds=$(sed -n 's/^LOOP //p' "$LIB_TMP/loop.log")
[ "$n" = 0 ] && [ "${rounds:-0}" -gt 10 ] &&
    pass "restart: 0 packets on the far side ($rounds rounds of traffic)" ||
    { fail "restart: far side saw ${n:-?} packets ($rounds rounds)"; far_explain "$t0"; }
t0=$(now_ts)
far_reset
v=$(idle_send across); sleep 0.3; n=$(far_count)
[[ $v == "send failed"* ]] && [ "$n" = 0 ] &&
    pass "connection open across restart: destroyed ($v), 0 packets" ||
    { fail "connection open across restart: '$v', far side saw $n packets"; far_explain "$t0"; }
st=$(host_state)
[ "$st" = "table=session overlay=yes lock=yes" ] && pass "after restart: $st" || fail "after restart: $st"
probe_check "after restart, TCP reaches the stand-in" 0 "^STANDIN $F4:$FAR_PORT ECHO=ok\$" $U tcp $F4 $FAR_PORT
probe_check "after restart, UDP rejected" 0 '^FAIL' $U udp $F4 9999
ttp restart "${TTP_START_ARGS[@]}" --lan-allow-router >"$OUT" 2>&1; rc=$?
[ $rc = 0 ] && grep -q 'LAN and its routers' "$OUT" &&
    pass "restart --lan-allow-router: exit 0, says the routers are reachable" ||
    fail "restart --lan-allow-router: exit $rc: $(cat "$OUT")"
ttp_as $USER_UID status --json >"$OUT"
json_is lan_allow_router=true routers_v4=[] routers_v6=[] <"$OUT" &&
    ! in_client nft list set inet ttp routers_v4 | grep -q elements &&
    pass "restart --lan-allow-router: recorded, the router sets are empty" ||
    fail "restart --lan-allow-router: $(cat "$OUT")"

note "--- stop with an idle connection open during the session"
idle_open during $F4 $FAR_PORT || fail "idle connection did not open"
t0=$(now_ts)
far_reset
ttp stop >"$OUT" 2>&1; rc=$?
expect "ttp stop: exit 0" 0 "ttp stopped: traffic no longer goes through Tor" $rc "$(cat "$OUT")"
v=$(idle_send during); sleep 0.3; n=$(far_count)
[[ $v == "send failed"* ]] && [ "$n" = 0 ] &&
    pass "idle connection after stop: cannot send ($v), 0 packets" ||
    { fail "idle connection after stop: '$v', far side saw $n packets"; far_explain "$t0"; }
st=$(host_state)
[ "$st" = "$CLEAN" ] && pass "nothing left behind: $st" || fail "left behind: $st"
[ "$(in_session cat /etc/resolv.conf)" = "$host_resolv" ] && pass "resolv.conf restored" ||
    fail "resolv.conf not restored: $(in_session cat /etc/resolv.conf)"
[ -z "$(in_client nft list ruleset)" ] && pass "no ruleset at all in the client" ||
    fail "a ruleset is left: $(in_client nft list ruleset | head -3)"
probe_check "after stop, the far side is reachable again" + '^FAR .* ECHO=ok' $U tcp $F4 $FAR_PORT
ttp_as $USER_UID status >"$OUT"
grep -q 'inactive' "$OUT" && pass "status after stop: inactive" || fail "status: $(cat "$OUT")"
ttp stop >"$OUT" 2>&1; rc=$?
expect "second stop: nothing to stop, exit 0" 0 "no ttp session is running" $rc "$(cat "$OUT")"
[ -z "$(tor_pids)" ] && pass "no tor was started (BYOD)" || fail "a tor runs: $(tor_pids)"
done_testing
