#!/bin/bash
# The ruleset with real packets: every case sends traffic from the client
# namespace and asserts what the far side of the veth saw (zero packets
# for anything that must go through Tor or be blocked) and what the
# stand-ins for Tor's TransPort/DNSPort answered. Layout in lib.sh.
# Needs root (namespaces); exits non-zero on any failure; ~1 minute.
# Addresses, ports and ids below are constants without spaces.
# shellcheck disable=SC2086
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces)"
[ -x "$TTP" ] || bail "no $TTP; build first"

ns_create || bail "cannot create the namespaces"
standins_start || { cat "$LIB_TMP"/*.log; bail "stand-ins did not start"; }

U=$USER_UID:$USER_UID T=$TOR_UID:$TOR_UID
FAR_RE='^FAR .* ECHO=ok' FAIL_RE='^FAIL'
ANSWER_RE="^ANSWER $DNS_ANSWER"

# Control: without rules the far side sees the client, so a zero below
# means blocked, not a broken harness.
probe_check "control: no rules, far side reachable" + "$FAR_RE" $U tcp $F4 $FAR_PORT

note "--- session (defaults: LAN bypass on, IPv6 on)"
apply_session || fail "apply default session"
# What privd installs is exactly what `ttp rules` prints for an auditor.
via_privd=$(in_client nft -s list table inet ttp)
apply_session_nft || fail "load ttp rules with nft"
if [ "$via_privd" = "$(in_client nft -s list table inet ttp)" ] &&
    [ -n "$via_privd" ]; then
	pass "privd installs exactly the ruleset 'ttp rules' prints"
else
	fail "privd's table differs from 'ttp rules'"
fi
apply_session || fail "re-apply default session through privd"
probe_check "TCP to a non-RFC1918 address redirected, data both ways" 0 \
    "^STANDIN $F4:80 ECHO=ok\$" $U tcp $F4 80
probe_check "TCP to port 53 redirected to TransPort" 0 "^STANDIN $F4:53 " $U tcp $F4 53
probe_check "DNS to a public resolver redirected" 0 "$ANSWER_RE" $U dns-query $F4
probe_check "DNS to a LAN resolver redirected" 0 "$ANSWER_RE" $U dns-query $F4LAN
probe_check "DNS over IPv6 redirected" 0 "$ANSWER_RE" $U dns-query $F6
probe_check "DNS to an IPv6 LAN resolver redirected" 0 "$ANSWER_RE" $U dns-query $F6LAN
probe_check "DNS from root redirected" 0 "$ANSWER_RE" 0 dns-query $F4
probe_check "UDP to a public address rejected" 0 "$FAIL_RE" $U udp $F4 9999
probe_check "ICMP ping (user) rejected" 0 "$FAIL_RE" $U ping $F4
probe_check "ICMPv6 ping (user) rejected" 0 "$FAIL_RE" $U ping $F6
probe_check "ICMP ping (root) rejected" 0 "$FAIL_RE" 0 ping $F4
probe_check "DoT to a public address rejected" 0 "$FAIL_RE" $U tcp $F4 853
probe_check "DoT to a LAN address rejected (LAN bypass on)" 0 "$FAIL_RE" $U tcp $F4LAN 853
probe_check "DoT over IPv6 LAN rejected" 0 "$FAIL_RE" $U tcp $F6LAN 853
probe_check "DoH resolver address on 443 rejected" 0 "$FAIL_RE" $U tcp 1.1.1.1 443
probe_check "DoH resolver address (IPv6) on 443 rejected" 0 "$FAIL_RE" $U tcp 2606:4700:4700::1111 443
probe_check "IPv6 TCP redirected" 0 "^STANDIN \\[$F6\\]:80 ECHO=ok" $U tcp $F6 80
probe_check "virtual range redirected (LAN bypass on)" 0 "^STANDIN 100.64.1.2:80 ECHO=ok" $U tcp 100.64.1.2 80
probe_check "IPv6 virtual range redirected" 0 "^STANDIN \\[100::5\\]:80 ECHO=ok" $U tcp 100::5 80
probe_check "NetBIOS name (udp 137) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 137
probe_check "NetBIOS datagram (udp 138) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 138
probe_check "NetBIOS session (tcp 139) to the LAN blocked" 0 "$FAIL_RE" $U tcp $F4LAN 139
probe_check "mDNS (udp 5353) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 5353
probe_check "mDNS multicast blocked" 0 "$FAIL_RE" $U udp 224.0.0.251 5353
probe_check "LLMNR (udp 5355) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 5355
# Nothing on the LAN may tell a redirected user the host's public address.
probe_check "SSDP/UPnP (udp 1900) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 1900
probe_check "WS-Discovery (udp 3702) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 3702
probe_check "NAT-PMP/PCP (udp 5351) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 5351
probe_check "NAT-PMP announcements (udp 5350) to the LAN blocked" 0 "$FAIL_RE" $U udp $F4LAN 5350
probe_check "IPv6 NAT-PMP/PCP (udp 5351) to the LAN blocked" 0 "$FAIL_RE" $U udp $F6LAN 5351
probe_check "cloud metadata (169.254.169.254:80) blocked" 0 "$FAIL_RE" $U tcp 169.254.169.254 80
probe_check "cloud metadata over UDP blocked" 0 "$FAIL_RE" $U udp 169.254.169.254 9999
probe_check "IPv6 cloud metadata (fd00:ec2::254) blocked" 0 "$FAIL_RE" $U tcp fd00:ec2::254 80
probe_check "a LAN printer (tcp 631) still reached (LAN bypass on)" + "." $U tcp $F4LAN 631
probe_check "LAN TCP allowed (LAN bypass on)" + "$FAR_RE" $U tcp $F4LAN $FAR_PORT
probe_check "LAN UDP allowed (LAN bypass on)" + "^FAR " $U udp $F4LAN 9999
probe_check "IPv6 LAN TCP allowed (LAN bypass on)" + "$FAR_RE" $U tcp $F6LAN $FAR_PORT
probe_check "root TCP redirected (no --allow-root)" 0 "^STANDIN $F4:$FAR_PORT ECHO=ok" 0 tcp $F4 $FAR_PORT
probe_check "root UDP rejected (no --allow-root)" 0 "$FAIL_RE" 0 udp $F4 9999
probe_check "tor uid reaches the far side" + "$FAR_RE" $T tcp $F4 $FAR_PORT
in_client ip -6 neigh flush dev "$IF_C"
probe_check "tor uid reaches the far side over IPv6 (neighbour discovery works)" + \
    "$FAR_RE" $T tcp $F6 $FAR_PORT
probe_check "loopback untouched" 0 "^STANDIN 127.0.0.1:$TRANS_PORT " $U tcp 127.0.0.1 $TRANS_PORT
# Nothing listens on the own address: refused (not redirected, not
# rejected by the kill switch, which would say EHOSTUNREACH/EPERM).
probe_check "own address over lo untouched" 0 "^FAIL ECONNREFUSED" $U tcp $C4 $TRANS_PORT

note "--- re-apply 20 times under continuous traffic"
far_reset
bg loop ip netns exec "$NS_C" setpriv --reuid=$USER_UID --regid=$USER_UID \
    --clear-groups "$PY" "$STANDIN" loop 6 $F4 lan:$F4LAN 100.64.1.2 $F6 lan:$F6LAN
sleep 0.5
ok=1
for i in $(seq 20); do
	apply_session || { ok=0; fail "re-apply $i"; }
	sleep 0.1
done
wait_for 15 grep -q '^LOOP' "$LIB_TMP/loop.log"
sleep 0.3
n=$(far_count)
loops=$(sed -n 's/^LOOP //p' "$LIB_TMP/loop.log")
if [ "$ok" = 1 ] && [ "$n" = 0 ] && [ "${loops:-0}" -gt 20 ]; then
	pass "re-apply under traffic: 0 packets leaked over $loops rounds"
else
	fail "re-apply under traffic (far side saw ${n:-?} packets, ${loops:-no} rounds)"
fi

note "--- session --no-lan-bypass"
apply_session --no-lan-bypass || fail "apply --no-lan-bypass"
probe_check "LAN TCP redirected (--no-lan-bypass)" 0 "^STANDIN $F4LAN:$FAR_PORT ECHO=ok" $U tcp $F4LAN $FAR_PORT
probe_check "LAN UDP blocked (--no-lan-bypass)" 0 "$FAIL_RE" $U udp $F4LAN 9999
probe_check "IPv6 LAN TCP redirected (--no-lan-bypass)" 0 "^STANDIN \\[$F6LAN\\]:$FAR_PORT" $U tcp $F6LAN $FAR_PORT
probe_check "DNS to a LAN resolver redirected (--no-lan-bypass)" 0 "$ANSWER_RE" $U dns-query $F4LAN
probe_check "virtual range redirected (--no-lan-bypass)" 0 "^STANDIN 100.64.1.2:80 " $U tcp 100.64.1.2 80

note "--- session --no-ipv6"
apply_session --no-ipv6 || fail "apply --no-ipv6"
probe_check "IPv6 TCP dropped (--no-ipv6)" 0 "$FAIL_RE" $U tcp $F6 80
probe_check "IPv6 DNS dropped (--no-ipv6)" 0 "$FAIL_RE" $U dns-query $F6
probe_check "IPv6 LAN TCP dropped (--no-ipv6)" 0 "$FAIL_RE" $U tcp $F6LAN $FAR_PORT
probe_check "IPv6 virtual range dropped (--no-ipv6)" 0 "$FAIL_RE" $U tcp 100::5 80
probe_check "IPv4 TCP still redirected (--no-ipv6)" 0 "^STANDIN $F4:80 ECHO=ok" $U tcp $F4 80
probe_check "IPv4 DNS still redirected (--no-ipv6)" 0 "$ANSWER_RE" $U dns-query $F4
probe_check "IPv4 LAN TCP still allowed (--no-ipv6)" + "$FAR_RE" $U tcp $F4LAN $FAR_PORT

note "--- session --bypass-user/--bypass-group"
apply_session --bypass-user $BYPASS_UID --bypass-group $BYPASS_GID ||
    fail "apply with bypass ids"
probe_check "bypass uid passes" + "$FAR_RE" $BYPASS_UID:$BYPASS_UID tcp $F4 $FAR_PORT
probe_check "bypass uid passes over IPv6" + "$FAR_RE" $BYPASS_UID:$BYPASS_UID tcp $F6 $FAR_PORT
probe_check "bypass gid passes" + "$FAR_RE" $GROUP_UID:$BYPASS_GID tcp $F4 $FAR_PORT
probe_check "bypass uid's DNS still goes to Tor" 0 "$ANSWER_RE" $BYPASS_UID:$BYPASS_UID dns-query $F4
probe_check "other users still redirected" 0 "^STANDIN $F4:$FAR_PORT " $U tcp $F4 $FAR_PORT
probe_check "root still redirected" 0 "^STANDIN $F4:$FAR_PORT " 0 tcp $F4 $FAR_PORT

note "--- session --allow-root"
apply_session --allow-root || fail "apply --allow-root"
probe_check "root passes (--allow-root)" + "$FAR_RE" 0 tcp $F4 $FAR_PORT
probe_check "root UDP passes (--allow-root)" + "^FAR " 0 udp $F4 9999
probe_check "users still redirected (--allow-root)" 0 "^STANDIN $F4:$FAR_PORT " $U tcp $F4 $FAR_PORT
probe_check "users' UDP still rejected (--allow-root)" 0 "$FAIL_RE" $U udp $F4 9999

note "--- lockdown"
apply_lockdown || fail "apply lockdown"
probe_check "lockdown: user TCP blocked" 0 "$FAIL_RE" $U tcp $F4 $FAR_PORT
probe_check "lockdown: user DNS blocked" 0 "$FAIL_RE" $U dns-query $F4
probe_check "lockdown: user LAN TCP blocked" 0 "$FAIL_RE" $U tcp $F4LAN $FAR_PORT
probe_check "lockdown: user IPv6 blocked" 0 "$FAIL_RE" $U tcp $F6 $FAR_PORT
probe_check "lockdown: root blocked" 0 "$FAIL_RE" 0 tcp $F4 $FAR_PORT
probe_check "lockdown: tor uid passes" + "$FAR_RE" $T tcp $F4 $FAR_PORT
in_client ip -6 neigh flush dev "$IF_C"
probe_check "lockdown: tor uid passes over IPv6" + "$FAR_RE" $T tcp $F6 $FAR_PORT
probe_check "lockdown: loopback works" 0 "^STANDIN 127.0.0.1:$TRANS_PORT " $U tcp 127.0.0.1 $TRANS_PORT

note "--- remove"
remove_rules || fail "remove"
if rules_present; then fail "remove leaves no table"; else pass "remove leaves no table"; fi
if remove_rules; then pass "remove is idempotent"; else fail "remove is idempotent"; fi
probe_check "after remove the far side is reachable again" + "$FAR_RE" $U tcp $F4 $FAR_PORT

note "--- ttp rules --json (unprivileged: a private user+network namespace)"
json=$(setpriv --reuid=$USER_UID --regid=$USER_UID --clear-groups \
    timeout 10 "$TTP" rules --json --tor-uid $TOR_UID 2>&1)
if [[ $json == *"private network namespace"* ]]; then
	fail "ttp rules --json needs unprivileged user namespaces, which this kernel refuses: $json"
elif echo "$json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)["nftables"]
chains = sorted(o["chain"]["name"] for o in d if "chain" in o)
rules = [o for o in d if "rule" in o]
assert chains == ["filter_fwd", "filter_in", "filter_out", "filter_post", "output", "prerouting"], chains
assert len(rules) > 20, len(rules)
'; then
	pass "ttp rules --json lists the session table"
else
	fail "ttp rules --json (got: ${json:0:200})"
fi

done_testing
