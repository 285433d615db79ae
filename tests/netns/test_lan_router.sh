#!/bin/bash
# The LAN bypass and the router, with real packets: the LAN bypass reaches
# hosts on the local link but neither the router (the gateway of the
# client's routes, whose pages can show the public address) nor the
# networks behind it (an ISP modem), unless --lan-allow-router. Each case
# asserts what the probe got and how many of the client's packets reached
# the router, the LAN host or the modem. Needs root; ~30 s.
#
#   client C ---+--- switch S (bridge) ---+--- LAN host H   192.168.77.20
#  192.168.77.2 |                         |                 fd77::20
#  fd77::2      |                         +--- router R     192.168.77.1
#               |                                           fe80::1, fd77::1
#                                     R --- modem M         192.168.100.1
#                                      (192.168.100.2,      fd64::1
#                                       fd64::2)
#
# C routes: default via 192.168.77.1 and via fe80::1; 192.168.100.0/24 via
# 192.168.77.1; fd64::/64 via fd77::1 (a ULA gateway). Everything lives in
# namespaces created here and removed on exit; R forwards only between
# its two veths. Addresses, ports and ids are constants without spaces.
# shellcheck disable=SC2086
set -u
NS_PREFIX=ttplr
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces)"
[ -x "$TTP" ] || bail "no $TTP; build first"

NS_S=$NS_PREFIX-s-$$ NS_R=$NS_PREFIX-r-$$ NS_H=$NS_PREFIX-h-$$ NS_M=$NS_PREFIX-m-$$
CMAC=02:77:00:00:00:02
C=192.168.77.2 H=192.168.77.20 R=192.168.77.1 M=192.168.100.1
C6=fd77::2 H6=fd77::20 R6=fd77::1 RLL=fe80::1 M6=fd64::1
PORT=8080 UPORT=9999

cleanup() {
	local ns
	for ns in "$NS_S" "$NS_R" "$NS_H" "$NS_M"; do
		ip netns del "$ns" 2>/dev/null
	done
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# count_in NS DEV MATCH: count the client's IP packets reaching DEV, ARP,
# neighbour discovery and MLD excepted.
count_in() {
	in_ns "$1" nft -f - <<-EOF
	table netdev lrcount {
		counter seen { }
		chain in {
			type filter hook ingress device "$2" priority -500;
			icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } return
			$3 meta protocol { ip, ip6 } counter name "seen"
		}
	}
	EOF
}

topology() {
	local ns
	LIB_TMP=$(mktemp -d /tmp/ttplr.XXXXXX)
	on_exit rm -rf "$LIB_TMP" "$PRIVD_RUN"
	on_exit lib_cleanup
	on_exit cleanup
	for ns in "$NS_C" "$NS_S" "$NS_R" "$NS_H" "$NS_M"; do
		ip netns add "$ns" || return 1
		in_ns "$ns" ip link set lo up
		# No duplicate address detection: addresses usable at once.
		in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0
		in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=0
	done
	in_ns "$NS_S" ip link add br0 type bridge || return 1
	ip link add lrc0 netns "$NS_C" address $CMAC type veth peer name lrsc \
	    netns "$NS_S" || return 1
	ip link add lrr0 netns "$NS_R" type veth peer name lrsr netns "$NS_S" ||
	    return 1
	ip link add lrh0 netns "$NS_H" type veth peer name lrsh netns "$NS_S" ||
	    return 1
	ip link add lrr1 netns "$NS_R" type veth peer name lrm0 netns "$NS_M" ||
	    return 1
	for ns in lrsc lrsr lrsh; do
		in_ns "$NS_S" ip link set "$ns" master br0 up
	done
	in_ns "$NS_S" ip link set br0 up

	in_ns "$NS_C" ip addr add $C/24 dev lrc0
	in_ns "$NS_C" ip addr add $C6/64 dev lrc0 nodad
	in_ns "$NS_H" ip addr add $H/24 dev lrh0
	in_ns "$NS_H" ip addr add $H6/64 dev lrh0 nodad
	in_ns "$NS_R" ip addr add $R/24 dev lrr0
	in_ns "$NS_R" ip addr add $RLL/64 dev lrr0 nodad
	in_ns "$NS_R" ip addr add $R6/64 dev lrr0 nodad
	in_ns "$NS_R" ip addr add 192.168.100.2/24 dev lrr1
	in_ns "$NS_R" ip addr add fd64::2/64 dev lrr1 nodad
	in_ns "$NS_M" ip addr add $M/24 dev lrm0
	in_ns "$NS_M" ip addr add $M6/64 dev lrm0 nodad
	in_ns "$NS_C" ip link set lrc0 up
	in_ns "$NS_H" ip link set lrh0 up
	in_ns "$NS_R" ip link set lrr0 up
	in_ns "$NS_R" ip link set lrr1 up
	in_ns "$NS_M" ip link set lrm0 up
	in_ns "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1
	in_ns "$NS_M" ip route add default via 192.168.100.2
	in_ns "$NS_M" ip -6 route add default via fd64::2
	in_ns "$NS_C" ip route add default via $R
	in_ns "$NS_C" ip route add 192.168.100.0/24 via $R
	in_ns "$NS_C" ip -6 route add default via $RLL dev lrc0
	in_ns "$NS_C" ip -6 route add fd64::/64 via $R6

	count_in "$NS_R" lrr0 "ether saddr $CMAC" || return 1
	count_in "$NS_H" lrh0 "ether saddr $CMAC" || return 1
	count_in "$NS_M" lrm0 "" || return 1
}

servers() {
	local tor=(setpriv --reuid="$TOR_UID" --regid="$TOR_UID" --clear-groups) ns
	bg trans ip netns exec "$NS_C" "${tor[@]}" "$PY" "$STANDIN" --lifetime 300 \
	    trans $TRANS_PORT
	bg dns ip netns exec "$NS_C" "${tor[@]}" "$PY" "$STANDIN" --lifetime 300 \
	    dns $DNS_PORT $DNS_ANSWER
	for ns in R H M; do
		eval "bg far$ns ip netns exec \"\$NS_$ns\" \"\$PY\" \"\$STANDIN\" \
		    --lifetime 300 far $PORT $UPORT"
	done
	for ns in trans dns farR farH farM; do
		wait_for 10 grep -q ready "$LIB_TMP/$ns.log" || return 1
	done
}

reset_all() {
	local ns
	for ns in "$NS_R" "$NS_H" "$NS_M"; do
		in_ns "$ns" nft reset counter netdev lrcount seen >/dev/null
	done
}
seen_in() {	# seen_in X...: packets counted in those of R, H, M
	local x ns n total=0
	for x in "$@"; do
		eval "ns=\$NS_$x"
		n=$(in_ns "$ns" nft list counter netdev lrcount seen |
		    sed -n 's/.*packets \([0-9]*\).*/\1/p')
		total=$((total + ${n:-0}))
	done
	echo $total
}

# lcheck NAME WANT PATTERN WHERE PROBE-ARGS...: one probe as the ordinary
# user; PASS when its output matches PATTERN and the namespaces named in
# WHERE (R, H, M, comma-separated) saw 0 packets (WANT 0) or some (+).
lcheck() {
	local name=$1 want=$2 pat=$3 where=$4 out n; shift 4
	reset_all
	out=$(probe $USER_UID:$USER_UID "$@")
	[ "$want" = 0 ] && sleep 0.2	# let any stray packet arrive
	n=$(seen_in ${where//,/ })
	if [[ $out =~ $pat ]] && { { [ "$want" = 0 ] && [ "$n" = 0 ]; } ||
	    { [ "$want" = + ] && [ "$n" -gt 0 ]; }; }; then
		pass "$name"
	else
		fail "$name (got '$out', $where saw $n packets; wanted /$pat/ and $want)"
	fi
}

topology || bail "cannot build the namespaces"
servers || { cat "$LIB_TMP"/*.log; bail "the servers did not start"; }
wait_for 5 probe 0 tcp $R $PORT >/dev/null

FAR_RE='^FAR .* ECHO=ok' UFAR_RE='^FAR ' REFUSED_RE='^FAIL ECONNREFUSED'
FAIL_RE='^FAIL'

# Control: without rules every host answers, so a zero below is the
# firewall's doing.
lcheck "control: LAN host reachable" + "$FAR_RE" H tcp $H $PORT
lcheck "control: router reachable" + "$FAR_RE" R tcp $R $PORT
lcheck "control: modem behind the router reachable" + "$FAR_RE" M tcp $M $PORT
lcheck "control: IPv6 router (link-local) reachable" + "$FAR_RE" R tcp "$RLL%lrc0" $PORT
lcheck "control: IPv6 network behind the router reachable" + "$FAR_RE" M tcp $M6 $PORT

note "--- session (defaults: LAN bypass on, routers excluded)"
apply_session || fail "apply the default session"
set4=$(in_client nft list set inet ttp routers_v4 2>&1)
set6=$(in_client nft list set inet ttp routers_v6 2>&1)
if [[ $set4 == *"elements = { $R }"* ]] && [[ $set6 == *"$RLL"* ]] &&
    [[ $set6 == *"$R6"* ]]; then
	pass "the router sets hold the client's gateways ($R; $RLL, $R6)"
else
	fail "the router sets (got: $set4 / $set6)"
fi
via_privd=$(in_client nft -s list table inet ttp)
apply_session_nft || fail "load ttp rules with nft"
if [ -n "$via_privd" ] && [ "$via_privd" = "$(in_client nft -s list table inet ttp)" ]; then
	pass "privd installs exactly what 'ttp rules' prints (same routers)"
else
	fail "privd's table differs from 'ttp rules'"
fi
apply_session || fail "re-apply through privd"

lcheck "LAN host TCP reachable (on-link)" + "$FAR_RE" H tcp $H $PORT
lcheck "LAN host UDP reachable (on-link)" + "$UFAR_RE" H udp $H $UPORT
lcheck "IPv6 LAN host TCP reachable (on-link ULA)" + "$FAR_RE" H tcp $H6 $PORT
lcheck "IPv6 LAN host UDP reachable (on-link ULA)" + "$UFAR_RE" H udp $H6 $UPORT
lcheck "router TCP refused, nothing sent" 0 "$REFUSED_RE" R,M tcp $R $PORT
lcheck "router TCP on another port refused" 0 "$REFUSED_RE" R,M tcp $R 49152
lcheck "router UDP rejected, nothing sent" 0 "$FAIL_RE" R,M udp $R $UPORT
lcheck "modem behind the router TCP refused" 0 "$REFUSED_RE" R,M tcp $M $PORT
lcheck "modem behind the router UDP rejected" 0 "$FAIL_RE" R,M udp $M $UPORT
lcheck "another host of 192.168.100.0/24 refused" 0 "$REFUSED_RE" R,M tcp 192.168.100.7 80
lcheck "IPv6 router (link-local gateway) TCP refused" 0 "$REFUSED_RE" R,M tcp "$RLL%lrc0" $PORT
lcheck "IPv6 router (ULA gateway) TCP refused" 0 "$REFUSED_RE" R,M tcp $R6 $PORT
lcheck "IPv6 router (ULA gateway) UDP rejected" 0 "$FAIL_RE" R,M udp $R6 $UPORT
lcheck "IPv6 network behind the router TCP refused" 0 "$REFUSED_RE" R,M tcp $M6 $PORT
lcheck "DNS to the router still answered by Tor" 0 "^ANSWER $DNS_ANSWER" R,M dns-query $R
lcheck "a public address still redirected into Tor" 0 "^STANDIN 198.51.100.1:80 ECHO=ok" R,M tcp 198.51.100.1 80

note "--- session --lan-allow-router"
apply_session --lan-allow-router || fail "apply --lan-allow-router"
set4=$(in_client nft list set inet ttp routers_v4 2>&1)
if [[ $set4 != *elements* ]] && [[ $set4 == *routers_v4* ]]; then
	pass "the router sets are empty (--lan-allow-router)"
else
	fail "the router sets with --lan-allow-router (got: $set4)"
fi
lcheck "router TCP reachable (--lan-allow-router)" + "$FAR_RE" R tcp $R $PORT
lcheck "router UDP reachable (--lan-allow-router)" + "$UFAR_RE" R udp $R $UPORT
lcheck "modem behind the router reachable (--lan-allow-router)" + "$FAR_RE" M tcp $M $PORT
lcheck "IPv6 router reachable (--lan-allow-router)" + "$FAR_RE" R tcp "$RLL%lrc0" $PORT
lcheck "IPv6 network behind the router reachable (--lan-allow-router)" + "$FAR_RE" M tcp $M6 $PORT
lcheck "LAN host still reachable (--lan-allow-router)" + "$FAR_RE" H tcp $H $PORT

note "--- session --no-lan-bypass"
apply_session --no-lan-bypass || fail "apply --no-lan-bypass"
lcheck "router TCP redirected into Tor (--no-lan-bypass)" 0 "^STANDIN $R:$PORT ECHO=ok" R,H,M tcp $R $PORT
lcheck "LAN host TCP redirected into Tor (--no-lan-bypass)" 0 "^STANDIN $H:$PORT ECHO=ok" R,H,M tcp $H $PORT

remove_rules || fail "remove"
lcheck "after remove the router is reachable again" + "$FAR_RE" R tcp $R $PORT

done_testing
