#!/bin/bash
# End-to-end, traffic: the real `ttp start` in the lab's client, then what
# applications see and what reaches the far side. HTTP by address, by name
# and over IPv6 arrives from the exit relay, never from the client; root's
# traffic too (no --allow-root); DNS to any server, even on the LAN, is
# answered through Tor; UDP, ICMP, DoT, IPv6 non-TCP, the Tor virtual range,
# NetBIOS and mDNS put zero packets on the far side; the LAN bypass works
# when on and is closed with --no-lan-bypass; status, check, check-leak and
# refresh work; stop leaves nothing behind; --no-ipv6 blocks IPv6;
# --allow-root and --bypass-user send only those users direct, and never
# their DNS; --rotate 10s (docs/rotation.md): a connection opened after a
# tick leaves by another circuit than one opened before it, which stays up
# and is answered, status shows the schedule, stop ends the rotator, and a
# rotator that died is shown stopped. One lab for the whole file (about
# 60 s, 16 of them the rotation's). one TAP line per check; exit 0 iff all passed.
set -u
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

# dns_via_tor SERVER [root|user]: a query sent straight to SERVER is
# answered, and the
# lab's DNS server saw it come from inside the lab's internet (tor resolves
# at the exit, whose resolver reaches the DNS server from the server's own
# address on that namespace's lo), never from the client.
dns_via_tor() {
	local server=$1 who=${2:-user} name src status
	name=$(tag e2e).lab.test
	case $who in
	root) OUT=$(cli dig +time=5 +tries=1 "@$server" "$name" A 2>&1) ;;
	user) OUT=$(as_user dig +time=5 +tries=1 "@$server" "$name" A 2>&1) ;;
	esac
	status=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$OUT")
	src=$(awk -v n="$name" 'tolower($5) == n { print $3 }' "$TTPLAB_DNS_LOG" | tail -n 1)
	note "dig @$server $name: ${status:-no answer}; the DNS server saw the query from ${src:-nobody}"
	case $src in
	"$TTPLAB_EXIT_IP4"|"$TTPLAB_EXIT_IP6"|"$TTPLAB_DNS_IP4"|"$TTPLAB_DNS_IP6")
		if [ "$status" = NXDOMAIN ]; then
			pass "DNS to $server ($who) goes through Tor (resolved at the exit; answered $status)"
		else
			fail "DNS to $server: resolved at the exit but the application got no answer: $(head -c 300 <<<"$OUT")"
		fi ;;
	*)	fail "DNS to $server: query seen from '${src:-nobody}' (the client is $TTPLAB_CLI_IP4), dig: ${status:-$(head -c 300 <<<"$OUT")}" ;;
	esac
}

# streams_to HOST:PORT: "STREAM CIRCUIT" of each stream tor has open to
# HOST:PORT, oldest first (GETINFO stream-status, through ttp-torctl as ttp
# runs it, in the client; one stream comes as "stream-status=...").
streams_to() {
	cli "$TTP_BIN/ttp-torctl" --timeout 10 getinfo stream-status 2>/dev/null |
	    awk -v t="$1" '{ sub(/^stream-status[=+]/, "") }
	    $2 == "SUCCEEDED" && $4 == t { print $1, $3 }' | sort -n
}
n_streams_is() { [ "$(streams_to "$1" | wc -l)" -eq "$2" ]; }
# secs_to_next: seconds from now to the next rotation ttp status announces.
secs_to_next() {
	ttp_quiet status --json
	echo $(( $(json_get next_rotation <<<"$OUT") - $(date +%s) ))
}
# held_ok NAME WHAT: the held connection's request was answered via the exit.
held_ok() {
	local rc src
	hold_go "$1"; rc=$?
	src=$(web_src "$TTPLAB_WEB_LOG" "${HOLD_TAG[$1]}")
	if [ $rc -eq 0 ] && [ -n "$src" ] && is_exit "$src"; then
		pass "$2: answered via the exit ($src)"
	else
		fail "$2: status $rc, '$OUT'; web server saw '${src:-nothing}'"
	fi
}

# blocked WHAT PROBE_ARGS...: the application's attempt must not get through.
blocked() {
	local what=$1 rc; shift
	probe "$@"; rc=$?
	if [ $rc -ne 0 ]; then pass "$what: blocked for the application"
	else fail "$what: the application got an answer: $OUT"; fi
}

e2e_up

note "--- baseline, before ttp"
far_arm
probe udp "$TTPLAB_WEB_IP4" 9999 >/dev/null
n=$(far_count net)
if [ "$n" -ge 1 ]; then pass "baseline: a direct UDP datagram is counted on the far side ($n), so the counters see the client"
else fail "baseline: the far side counted '$n' for a direct UDP datagram"; fi
direct_ok "baseline"

note "--- ttp start"
far_arm
t=$(now)
ttp start; rc=$?
T_START=$(elapsed "$t")
check "ttp start exits 0 (${T_START}s)" [ $rc -eq 0 ]
check "start showed bootstrap progress up to 100%" grep -q 'bootstrap 100%' <<<"$OUT"
check "start confirmed a Tor exit" grep -q 'confirmed Tor exit' <<<"$OUT"
check "firewall is the session ruleset" [ "$(fw_table)" = session ]
check "resolv.conf overlaid (2 layers)" [ "$(resolv_layers)" = 2 ]
no_leak "during start"

note "--- through Tor"
http_via_exit user "HTTP by IP" "http://$TTPLAB_WEB_IP4"
http_via_exit user "HTTP by name ($TTPLAB_WEB_NAME)" "http://$TTPLAB_WEB_NAME"
http_via_exit user "HTTP over IPv6" "http://[$TTPLAB_WEB_IP6]"
http_via_exit root "root's HTTP (no --allow-root)" "http://$TTPLAB_WEB_IP4"
dns_via_tor "$TTPLAB_DNS_IP4"
dns_via_tor "$TTPLAB_LAN_HOST_IP4"
no_leak "HTTP and DNS"

note "--- what Tor cannot carry: nothing may reach the far side"
far_arm
blocked "UDP to $TTPLAB_WEB_IP4:9999" udp "$TTPLAB_WEB_IP4" 9999
blocked "UDP as root" --root udp "$TTPLAB_WEB_IP4" 9999
blocked "ICMP echo to $TTPLAB_WEB_IP4" icmp "$TTPLAB_WEB_IP4"
blocked "ICMP echo as root" --root icmp "$TTPLAB_WEB_IP4"
blocked "DoT (tcp 853) to $TTPLAB_DNS_IP4" tcp "$TTPLAB_DNS_IP4" 853
blocked "UDP over IPv6" udp "$TTPLAB_WEB_IP6" 9999
blocked "ICMPv6 echo" icmp "$TTPLAB_WEB_IP6"
blocked "DoT over IPv6" tcp "$TTPLAB_DNS_IP6" 853
blocked "virtual range: HTTP to 100.64.1.1" http 100.64.1.1 80 /
blocked "virtual range: UDP to 100.64.1.1" udp 100.64.1.1 80
onion=$(cli "$PY" "$PROBE" onion)
vaddr=$(as_user dig +time=5 +tries=1 +short "$onion" A 2>&1 | head -n 1)
note "Tor's DNSPort maps $onion to '$vaddr'"
case $vaddr in
100.6[4-9].*|100.[7-9][0-9].*|100.1[01][0-9].*|100.12[0-7].*)
	pass "a .onion name resolves to Tor's virtual range ($vaddr)"
	blocked "virtual address of a .onion (no such service)" http "$vaddr" 80 / ;;
*)	fail "a .onion name did not resolve into 100.64.0.0/10: '$vaddr'" ;;
esac
blocked "NetBIOS (udp 137) to the LAN host" udp "$TTPLAB_LAN_HOST_IP4" 137
blocked "mDNS (udp 5353) to the LAN host" udp "$TTPLAB_LAN_HOST_IP4" 5353
blocked "mDNS to 224.0.0.251" udp 224.0.0.251 5353
blocked "LLMNR (udp 5355) to the LAN host" udp "$TTPLAB_LAN_HOST_IP4" 5355
blocked "mDNS over IPv6 to the LAN host" udp "$TTPLAB_LAN_HOST_IP6" 5353
blocked "DoT to the LAN host (bypass on)" tcp "$TTPLAB_LAN_HOST_IP4" 853
# DNS over TCP to a LAN resolver goes into Tor like all DNS (docs/ruleset.md):
# the application reaches Tor's TransPort, the LAN host sees nothing (the
# no_leak below counts the LAN side too).
if probe tcp "$TTPLAB_LAN_HOST_IP4" 53; then
	pass "DNS over TCP to the LAN host (bypass on): taken into Tor"
else
	fail "DNS over TCP to the LAN host (bypass on): not taken into Tor: $OUT"
fi
blocked "NetBIOS session (tcp 139) to the LAN host" tcp "$TTPLAB_LAN_HOST_IP4" 139
no_leak "UDP, ICMP, DoT, IPv6 non-TCP, virtual range, NetBIOS, mDNS, LLMNR, LAN DNS"

note "--- LAN bypass (on by default)"
far_arm
t=$(tag lan)
probe http "$TTPLAB_LAN_HOST_IP4" 80 "/?tag=$t" >/dev/null
src=$(web_src "$TTPLAB_LAN_WEB_LOG" "$t")
if [ "$src" = "$TTPLAB_LAN_CLI_IP4" ]; then pass "LAN bypass: the LAN host saw the client's LAN address ($src)"
else fail "LAN bypass: the LAN host saw '${src:-nothing}' ($OUT)"; fi
n=$(far_count lan)
check "LAN bypass: the request went straight to the LAN ($n packets)" test "$n" -gt 0
check "LAN bypass: nothing on the internet side" [ "$(far_count net)" = 0 ]

note "--- status, check, check-leak, refresh"
far_arm
ttp status; check "ttp status exits 0" [ $? -eq 0 ]
check "ttp status says active" grep -q 'ttp is active' <<<"$OUT"
ttp_quiet status --json
check "status --json: state active, firewall intact, tor running" \
    json_is state=active tor_running=true firewall=session firewall_intact=true <<<"$OUT"
ttp check; rc=$?
check "ttp check exits 0 and sees IsTor yes" rc_and_out $rc 'IsTor *yes'
ttp check-leak -v; rc=$?
check "ttp check-leak exits 0: no IPv4, IPv6 nor DNS leak" rc_and_out $rc 'DNS: every resolver is local'
ttp refresh; check "ttp refresh exits 0" [ $? -eq 0 ]
http_via_exit user "HTTP after refresh" "http://$TTPLAB_WEB_IP4"
no_leak "status, check, check-leak, refresh"

note "--- ttp stop"
t=$(now)
ttp stop; rc=$?
check "ttp stop exits 0 ($(elapsed "$t")s)" [ $rc -eq 0 ]
no_leak "whole session and stop"
nothing_left "after stop"
direct_ok "after stop"

note "--- ttp start --no-lan-bypass"
far_arm
ttp_quiet start --no-lan-bypass; rc=$?
check "ttp start --no-lan-bypass exits 0" [ $rc -eq 0 ]
t=$(tag nolan)
blocked "LAN host with --no-lan-bypass" http "$TTPLAB_LAN_HOST_IP4" 80 "/?tag=$t"
src=$(web_src "$TTPLAB_LAN_WEB_LOG" "$t")
check "--no-lan-bypass: the LAN host saw no request" [ -z "$src" ]
blocked "NetBIOS with --no-lan-bypass" udp "$TTPLAB_LAN_HOST_IP4" 137
http_via_exit user "HTTP with --no-lan-bypass" "http://$TTPLAB_WEB_IP4"
no_leak "--no-lan-bypass session"
ttp_quiet stop; check "ttp stop exits 0" [ $? -eq 0 ]
nothing_left "after the second stop"

note "--- ttp start --no-ipv6 --rotate 10s"
far_arm
ttp_quiet start --no-ipv6 --rotate 10s; rc=$?
check "ttp start --no-ipv6 --rotate 10s exits 0" [ $rc -eq 0 ]
check "start says it rotates every 10s" grep -q 'rotation *every 10s' <<<"$OUT"
blocked "HTTP over IPv6 with --no-ipv6" http "$TTPLAB_WEB_IP6" 80 /
blocked "UDP over IPv6 with --no-ipv6" udp "$TTPLAB_WEB_IP6" 9999
blocked "IPv6 to the LAN host with --no-ipv6" http "$TTPLAB_LAN_HOST_IP6" 80 /
http_via_exit user "HTTP by name with --no-ipv6" "http://$TTPLAB_WEB_NAME"
no_leak "--no-ipv6 session"

note "--- identity rotation (--rotate 10s)"
t=$(now)
ttp_quiet status --json
check "status --json: rotate_secs 10, rotation_running" \
    json_is rotate_secs=10 rotation_running=true <<<"$OUT"
rpid=$(json_get rotator_pid <<<"$OUT")
left=$(( $(json_get next_rotation <<<"$OUT") - $(date +%s) ))
check "next_rotation is within the period (in ${left}s)" test "$left" -ge 0 -a "$left" -le 10
check "the rotator (pid $rpid) is ttp-torctl, run by _ttp, in its own session" \
    test "$(cat "/proc/$rpid/comm" 2>/dev/null)" = ttp-torctl -a \
    "$(awk '$1 == "Uid:" { print $2 }' "/proc/$rpid/status")" = "$(id -u _ttp)" -a \
    "$(ps -o sid= -p "$rpid" | tr -d ' ')" = "$rpid"
ttp status
check "ttp status: rotation every 10s, next in ..." grep -q 'rotation *every 10s, next in [0-9]*s$' <<<"$OUT"
# Two connections in one period (just after a tick) share a circuit; one
# opened after the next tick gets another. The ticks are up to 1 s after
# what status says (it counts whole seconds).
left=$(secs_to_next)
[ "$left" -ge 7 ] || sleep $(( left + 2 ))
web=$TTPLAB_WEB_IP4:80
hold_start rot-old "$TTPLAB_WEB_IP4" 80 && wait_for 10 n_streams_is "$web" 1 &&
    hold_start rot-mid "$TTPLAB_WEB_IP4" 80 && wait_for 10 n_streams_is "$web" 2 ||
    fail "could not open two connections through Tor: $(streams_to "$web" | tr '\n' ' ')"
before=$(streams_to "$web" | awk '{ print $2 }' | sort -u | tr '\n' ' ')
note "streams to $web before the tick: $(streams_to "$web" | tr '\n' ' ')"
check "two connections opened within one period share one circuit ($before)" \
    test "$(wc -w <<<"$before")" -eq 1
left=$(secs_to_next)
sleep $(( left + 2 ))
hold_start rot-new "$TTPLAB_WEB_IP4" 80 && wait_for 10 n_streams_is "$web" 3 ||
    fail "could not open a connection after the tick: $(streams_to "$web" | tr '\n' ' ')"
note "streams to $web after the tick: $(streams_to "$web" | tr '\n' ' ')"
after=$(streams_to "$web" | tail -n 1 | awk '{ print $2 }')
check "a connection opened after the tick uses a new circuit ($after, not $before)" \
    test -n "$after" -a "${before// /}" != "$after"
check "the connections opened before the tick keep their circuit ($before)" \
    test "$(streams_to "$web" | head -n 2 | awk '{ print $2 }' | sort -u | tr '\n' ' ')" = "$before"
held_ok rot-old "a connection opened before the rotation, used after it"
held_ok rot-new "a connection opened after the rotation"
held_ok rot-mid "the second connection of the first period"
note "rotation checks took $(elapsed "$t")s"
no_leak "--no-ipv6 --rotate session"
ttp_quiet stop; check "ttp stop exits 0" [ $? -eq 0 ]
check "ttp stop ended the rotator (pid $rpid)" wait_for 5 proc_gone "$rpid"
nothing_left "after the third stop"

note "--- ttp start --allow-root --bypass-user nobody --rotate 1h (split tunnelling)"
ttp_quiet start --allow-root --bypass-user nobody --rotate 1h; rc=$?
check "ttp start --allow-root --bypass-user nobody --rotate 1h exits 0" [ $rc -eq 0 ]
# A rotator that died is shown stopped; nothing else changes.
ttp_quiet status --json
rpid=$(json_get rotator_pid <<<"$OUT")
if [ -n "$rpid" ] && [ "$(cat "/proc/$rpid/comm" 2>/dev/null)" = ttp-torctl ]; then
	kill -TERM "$rpid"
	wait_for 5 proc_gone "$rpid"
fi
ttp_quiet status --json
check "a killed rotator: status --json says rotation_running false, next_rotation 0" \
    json_is state=active rotate_secs=3600 rotation_running=false next_rotation=0 <<<"$OUT"
ttp status
check "a killed rotator: status says rotation stopped" grep -q 'rotation *stopped' <<<"$OUT"
for who in root user; do
	t=$(tag "bypass-$who")
	curl_as "$who" "http://$TTPLAB_WEB_IP4/?tag=$t"
	src=$(web_src "$TTPLAB_WEB_LOG" "$t")
	if [ "$src" = "$TTPLAB_CLI_IP4" ]; then pass "bypass: $who's HTTP goes direct ($src), as asked"
	else fail "bypass: $who's HTTP: web server saw '${src:-nothing}' ($OUT)"; fi
	dns_via_tor "$TTPLAB_DNS_IP4" "$who"
done
t=$(tag other)
OUT=$(cli setpriv --reuid=1000 --regid=1000 --clear-groups curl -sS --max-time 15 "http://$TTPLAB_WEB_IP4/?tag=$t" 2>&1)
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
if [ -n "$src" ] && is_exit "$src"; then pass "bypass: another user (uid 1000) still goes via the exit ($src)"
else fail "bypass: uid 1000's HTTP: web server saw '${src:-nothing}' ($OUT)"; fi
ttp_quiet stop; check "ttp stop exits 0" [ $? -eq 0 ]
nothing_left "after the fourth stop"

e2e_finish
