# shellcheck shell=bash
# Shared helpers for the namespace tests (sourced, bash). They build a
# client namespace, where ttp's rules are applied and Tor's ports are
# played by stand-ins, and a far-side namespace joined to it by a veth,
# which counts every IP packet that reaches it from the client (ARP and
# ICMPv6 neighbour discovery/MLD excepted). Nothing here touches the
# host's own network: the veth is created directly inside the two
# namespaces, the far side forwards nothing and has no route out, and the
# cleanup (registered with the harness's on_exit) removes both namespaces
# and ends only the processes started here, by pid. Results, waits and
# cleanup are tests/lib/harness.sh's.
#
#   client 198.51.100.2/24  192.168.77.2/24  2001:db8:77::2/64  fd77::2/64
#   far    198.51.100.1/24  192.168.77.1/24  2001:db8:77::1/64  fd77::1/64
#
# Uids in the client (no user entries needed): TOR_UID runs the stand-ins,
# USER_UID is an ordinary redirected user, BYPASS_UID / BYPASS_GID are
# exempted by the tests that say so.
#
# apply_session / apply_lockdown / remove_rules are the one place rules
# get loaded: through a real ttp-privd started in the client namespace,
# over its socketpair (build/tests/privop_cli). apply_session_nft loads
# `ttp rules` with nft instead, to prove both install the same table.

# shellcheck source=tests/lib/harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
: "${TTP_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}"
TTP=$TTP_BIN/ttp
STANDIN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/standin.py
PY=/usr/bin/python3	# not a per-user shim: the stand-ins run as other uids

NS_PREFIX=${NS_PREFIX:-ttpfw}
NS_C=$NS_PREFIX-c-$$
NS_F=$NS_PREFIX-f-$$
IF_C=${NS_PREFIX}c0
IF_F=${NS_PREFIX}f0

C4=198.51.100.2 F4=198.51.100.1
C4LAN=192.168.77.2 F4LAN=192.168.77.1
C6=2001:db8:77::2 F6=2001:db8:77::1
C6LAN=fd77::2 F6LAN=fd77::1

TOR_UID=${TOR_UID:-64001}
# shellcheck disable=SC2034  # used by the sourcing tests
BYPASS_UID=64002 USER_UID=64003 BYPASS_GID=64005 GROUP_UID=64004
TRANS_PORT=9041 DNS_PORT=9054 FAR_PORT=8080 DNS_ANSWER=10.53.53.53

LIB_PIDS=()

lib_cleanup() {
	local pid
	for pid in "${LIB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${LIB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_F" 2>/dev/null
	return 0
}

in_client() { ip netns exec "$NS_C" "$@"; }
in_far() { ip netns exec "$NS_F" "$@"; }

# as_uid UID[:GID] CMD...: run in the client namespace as that uid (root
# stays root), with a hard time limit.
as_uid() {
	local id=$1 uid gid; shift
	uid=${id%%:*} gid=${id#*:}
	if [ "$uid" = 0 ]; then
		in_client timeout 10 "$@"
	else
		in_client setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		    timeout 10 "$@"
	fi
}

# probe UID[:GID] ARGS...: one standin.py probe (tcp/udp/dns-query/ping).
probe() {
	local id=$1; shift
	as_uid "$id" "$PY" "$STANDIN" --timeout "${PROBE_TIMEOUT:-1.5}" "$@" 2>&1
}

# bg NAME CMD...: start in the background, remember the pid for cleanup.
bg() {
	local name=$1; shift
	"$@" >"$LIB_TMP/$name.log" 2>&1 &
	LIB_PIDS+=($!)
}

ns_create() {
	LIB_TMP=$(mktemp -d /tmp/ttpfw.XXXXXX)
	on_exit rm -rf "$LIB_TMP" "$PRIVD_RUN"
	on_exit lib_cleanup
	ip netns add "$NS_C" || return 1
	ip netns add "$NS_F" || return 1
	ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_F" \
	    netns "$NS_F" || return 1
	in_client ip link set lo up
	in_far ip link set lo up
	in_client ip addr add $C4/24 dev "$IF_C"
	in_client ip addr add $C4LAN/24 dev "$IF_C"
	in_client ip addr add $C6/64 dev "$IF_C" nodad
	in_client ip addr add $C6LAN/64 dev "$IF_C" nodad
	in_far ip addr add $F4/24 dev "$IF_F"
	in_far ip addr add $F4LAN/24 dev "$IF_F"
	in_far ip addr add $F6/64 dev "$IF_F" nodad
	in_far ip addr add $F6LAN/64 dev "$IF_F" nodad
	in_client ip link set "$IF_C" up
	in_far ip link set "$IF_F" up
	in_client ip route add default via $F4
	in_client ip -6 route add default via $F6
	# Ordinary users may use ICMP datagram sockets (ping) here.
	in_client sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	# The far side counts at ingress, before anything else sees it.
	in_far nft -f - <<-EOF || return 1
	table netdev ttpfwcount {
		counter seen { }
		chain in {
			type filter hook ingress device "$IF_F" priority -500;
			icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } return
			meta protocol { ip, ip6 } counter name "seen"
		}
	}
	EOF
	wait_for 5 probe 0 ping $F4
}

far_reset() { in_far nft reset counter netdev ttpfwcount seen >/dev/null; }
far_count() {
	in_far nft list counter netdev ttpfwcount seen |
	    sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# Stand-ins for Tor in the client, as TOR_UID; the far side's listeners.
# Started as plain commands so the remembered pid is the server's own.
standins_start() {
	local tor=(setpriv --reuid="$TOR_UID" --regid="$TOR_UID" --clear-groups)
	bg trans ip netns exec "$NS_C" "${tor[@]}" "$PY" "$STANDIN" --lifetime 600 \
	    trans $TRANS_PORT
	bg dns ip netns exec "$NS_C" "${tor[@]}" "$PY" "$STANDIN" --lifetime 600 \
	    dns $DNS_PORT $DNS_ANSWER
	bg far ip netns exec "$NS_F" "$PY" "$STANDIN" --lifetime 600 \
	    far $FAR_PORT 9999 53
	wait_for 10 grep -q ready "$LIB_TMP/trans.log" &&
	    wait_for 10 grep -q ready "$LIB_TMP/dns.log" &&
	    wait_for 10 grep -q ready "$LIB_TMP/far.log"
}

# The rulesets. Options are `ttp rules` options.
PRIVOP_CLI=${TTP_TESTS:-$(dirname "$TTP_BIN")/tests}/privop_cli
PRIVD_RUN=$(mktemp -d /tmp/ttp-netns-run.XXXXXX)

# privd: run ops on a fresh ttp-privd inside the client namespace.
privd() { in_client "$PRIVOP_CLI" --run-dir "$PRIVD_RUN" "$@" >/dev/null; }
apply_session() {	# [--no-lan-bypass] [--no-ipv6] [--allow-root]
	local a=()	# [--bypass-user UID] [--bypass-group GID]
	while [ $# -gt 0 ]; do
		case $1 in
		--bypass-user) a+=(--bypass-uid "$2"); shift ;;
		--bypass-group) a+=(--bypass-gid "$2"); shift ;;
		*) a+=("$1") ;;
		esac
		shift
	done
	privd fw-apply --tor-uid "$TOR_UID" --trans-port "$TRANS_PORT" \
	    --dns-port "$DNS_PORT" "${a[@]}"
}
apply_session_nft() {
	in_client "$TTP" rules --tor-uid "$TOR_UID" --transport-port "$TRANS_PORT" \
	    --dns-port "$DNS_PORT" "$@" | in_client nft -f -
}
apply_lockdown() { privd fw-lockdown --tor-uid "$TOR_UID"; }
remove_rules() { privd fw-remove; }
rules_present() { in_client nft list table inet ttp >/dev/null 2>&1; }

# probe_check NAME FAR PATTERN UID[:GID] PROBE-ARGS...
#   Run one probe; PASS when its output matches the bash regex PATTERN
#   and the far side saw FAR packets: 0 (none: the assertion of every
#   leak test) or + (at least one).
probe_check() {
	local name=$1 want=$2 pat=$3 id=$4 out n; shift 4
	far_reset
	out=$(probe "$id" "$@")
	[ "$want" = 0 ] && sleep 0.2	# let any stray packet arrive
	n=$(far_count)
	if [[ $out =~ $pat ]] && { { [ "$want" = 0 ] && [ "$n" = 0 ]; } ||
	    { [ "$want" = + ] && [ "${n:-0}" -gt 0 ]; }; }; then
		pass "$name"
	else
		fail "$name" "got '$out', far side saw ${n:-?} packets; wanted /$pat/ and $want"
	fi
}
