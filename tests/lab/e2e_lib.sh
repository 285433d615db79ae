# Shared by demo.sh and the end-to-end tests (test_e2e_*.sh): bring one lab
# up with a trap that always takes it down, run commands as the lab's client,
# count on the far side of the client's veths every packet the client sends
# that is not Tor's, and report one TAP line per check. Sourced, never run.
#
# Leak counting: an nftables netdev ingress chain on the internet's end of
# the client's veth (PREFIX-net0) counts what arrives from the client. Tor's
# own traffic (TCP to the relays' ORPort 9001, to the authorities' DirPort
# 9030), ARP, and the ICMPv6 the kernel sends on its own (neighbour and
# router solicitations with hop limit 255, MLD reports with hop limit 1, as
# RFC 4861 and RFC 3810 require) are not counted; everything else is a leak. A
# second chain on the LAN host's end (PREFIX-lan0) counts every non-ARP/ND
# packet from the client. Counters cannot miss a packet and need no start-up
# wait, unlike a capture; dynamic sets keep what each leaked packet was (to
# which address, which protocol and port) as evidence.
# shellcheck shell=bash
# Results, waits and cleanup are tests/lib/harness.sh's; a test ends with
# e2e_finish (the lab taken down, as a check, then done_testing).

E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=$(cd "$E2E_SRC/../.." && pwd)
LAB=$E2E_SRC/lab.sh
PROBE=$E2E_SRC/e2e_probe.py
PY=/usr/bin/python3
TTP_BIN=${TTP_BIN:-$E2E_REPO/build/bin}
TTP=$TTP_BIN/ttp
export TTPLAB_PREFIX=${TTPLAB_PREFIX:-ttplab}
E2E_NAME=${E2E_NAME:-$(basename "$0" .sh)}
H_NAME=$E2E_NAME
# shellcheck source=tests/lib/harness.sh
. "$E2E_SRC/../lib/harness.sh"
E2E_UID=65534		# an ordinary user for application traffic (nobody)
E2E_CMD_TIMEOUT=${E2E_CMD_TIMEOUT:-90}	# any single ttp command
E2E_BG=() E2E_TMP=""

# rc_and_out RC PATTERN: RC is 0 and the last command's output ($OUT)
# matches PATTERN.
rc_and_out() { [ "$1" -eq 0 ] && grep -q -- "$2" <<<"$OUT"; }
indent() { sed 's/^/#     | /'; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- the lab

e2e_preflight() {
	local ns
	if [ "$(id -u)" -ne 0 ]; then
		echo "$E2E_NAME: needs root (sudo)" >&2
		exit 2
	fi
	for ns in "$TTPLAB_PREFIX-net" "$TTPLAB_PREFIX-cli" "$TTPLAB_PREFIX-lan"; do
		if [ -e "/run/netns/$ns" ]; then
			echo "$E2E_NAME: namespace $ns exists (a lab with prefix $TTPLAB_PREFIX is up); not touching it. Set TTPLAB_PREFIX to another name, or run 'TTPLAB_PREFIX=$TTPLAB_PREFIX $LAB down'" >&2
			exit 2
		fi
	done
	for b in ttp ttp-privd ttp-torctl ttp-netcheck; do
		[ -x "$TTP_BIN/$b" ] || bail "$TTP_BIN/$b is missing: build first (make)"
	done
	for b in nft nsenter setpriv curl dig "$PY"; do
		command -v "$b" >/dev/null || bail "missing $b: run 'sudo make deps'"
	done
	getent passwd _ttp >/dev/null ||
	    bail "no system user _ttp (ttp's helpers run as it): run 'sudo make deps' or scripts/install-user.sh"
}

# e2e_up: the lab, with the trap that always takes it down. Sets the
# TTPLAB_* variables (lab.sh env). A test that sets E2E_ONION=1 gets the
# lab's onion service too (TTPLAB_ONION_NAME; wait with e2e_onion_ready).
e2e_up() {
	local t rc
	export TTPLAB_ONION=0
	if [ "${E2E_ONION:-0}" = 1 ]; then TTPLAB_ONION=1; fi
	e2e_preflight
	E2E_TMP=$(mktemp -d "/tmp/$E2E_NAME.XXXXXX")
	chmod 755 "$E2E_TMP"	# the client's ordinary user reads go-files here
	on_exit e2e_cleanup
	t=$(now)
	if [ -n "${E2E_LAB_VERBOSE:-}" ]; then
		timeout -k 5 180 "$LAB" up 2>&1 | tee "$E2E_TMP/lab-up.log" | indent
		rc=${PIPESTATUS[0]}
	else
		timeout -k 5 180 "$LAB" up >"$E2E_TMP/lab-up.log" 2>&1
		rc=$?
		[ $rc -eq 0 ] || tail -n 30 "$E2E_TMP/lab-up.log" | indent
	fi
	[ "$rc" -eq 0 ] || bail "lab up (its last lines above)"
	eval "$("$LAB" env)"
	e2e_client_prefixes
	E2E_T_UP=$(elapsed "$t")
	note "lab up in ${E2E_T_UP}s (prefix $TTPLAB_PREFIX, state $TTPLAB_DIR)"
	# Ping sockets for ordinary users, in the client namespace only, so the
	# ICMP probes run as an application would (not as root with raw sockets).
	ip netns exec "$TTPLAB_NS_CLI" sysctl -qw \
	    net.ipv4.ping_group_range="0 2147483647"
}

# e2e_onion_ready SECONDS: bounded wait until the lab's onion service has
# published its descriptor (an HSDir stored it).
onion_uploaded() { grep -q 'Uploaded hidden service descriptor' "$TTPLAB_ONION_LOG" 2>/dev/null; }
e2e_onion_ready() {
	[ -n "${TTPLAB_ONION_LOG:-}" ] || return 1
	wait_for "$1" onion_uploaded
}

# e2e_down: take the lab down (once) and check nothing is left.
E2E_DOWN=""
e2e_down() {
	local t
	E2E_DOWN=1
	[ -n "${TTPLAB_DIR:-}" ] || [ -e "/run/netns/$TTPLAB_PREFIX-net" ] ||
	    return 0
	t=$(now)
	if timeout -k 5 60 "$LAB" down >"$E2E_TMP/lab-down.log" 2>&1; then
		note "lab down in $(elapsed "$t")s: $(tail -n 1 "$E2E_TMP/lab-down.log")"
		return 0
	fi
	indent <"$E2E_TMP/lab-down.log"
	return 1
}

# On every way out: end the background jobs, take the lab down if the test
# did not get that far, remove the scratch directory.
e2e_cleanup() {
	local pid
	for pid in "${E2E_BG[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${E2E_BG[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	[ -n "$E2E_DOWN" ] || e2e_down
	[ -n "$E2E_TMP" ] && rm -rf -- "$E2E_TMP"
}

# e2e_finish: the last step of a test: the lab comes down, then the verdict.
e2e_finish() {
	check "the lab comes down and nothing of it is left" e2e_down
	done_testing
}


# bg CMD...: start CMD in the background and remember its PID, so cleanup
# ends exactly it.
bg_start() {
	"$@" &
	E2E_BG+=($!)
	BG_PID=$!
}
# bg_wait PID SECONDS: wait (bounded) for a background job; its status, or
# 124 if it had to be killed.
bg_wait() {
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid" 2>/dev/null	# (no job-control chatter when it was killed)
}

# ---------------------------------------------------------------- the client

# cli CMD...: CMD as the lab's client (its network and mount namespaces).
# as_user CMD...: the same as the client's ordinary user. The prefixes are
# also arrays (CLI, AS_USER) so a background job is the command itself (its
# PID is the application's: every step execs the next), not a subshell.
cli() { "${CLI[@]}" "$@"; }
as_user() { "${AS_USER[@]}" "$@"; }
e2e_client_prefixes() {
	CLI=(nsenter --target "$TTPLAB_CLI_PID" --net --mount --
	    env TTP_CONFIG="$TTPLAB_TTP_CONF")
	AS_USER=("${CLI[@]}" setpriv --reuid="$E2E_UID" --regid="$E2E_UID"
	    --clear-groups)
}
# ttp ARGS...: the real ttp CLI in the client, bounded; output in $OUT.
# Returns ttp's status.
ttp() {
	local rc
	OUT=$(cli timeout -k 5 "$E2E_CMD_TIMEOUT" "$TTP" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$OUT" | indent
	return $rc
}
# ttp_quiet ARGS...: the same, without echoing the output.
ttp_quiet() {
	OUT=$(cli timeout -k 5 "$E2E_CMD_TIMEOUT" "$TTP" "$@" 2>&1)
}
# probe [--root] ARGS...: e2e_probe.py as the ordinary user (or root); its
# line in $OUT, its status returned.
probe() {
	local rc
	if [ "${1:-}" = --root ]; then
		shift
		OUT=$(cli "$PY" "$PROBE" --timeout 3 "$@" 2>&1)
	else
		OUT=$(as_user "$PY" "$PROBE" --timeout 3 "$@" 2>&1)
	fi
	rc=$?
	note "app: $OUT"
	return $rc
}
# curl_as WHO URL: curl in the client as root or the ordinary user; the body
# in $OUT.
curl_as() {
	local who=$1; shift
	if [ "$who" = root ]; then
		OUT=$(cli curl -sS -g --max-time 15 "$@" 2>&1)
	else
		OUT=$(as_user curl -sS -g --max-time 15 "$@" 2>&1)
	fi
}

# web_src LOG TAG: the source address the web server logged for the request
# whose path carries ?tag=TAG ("" if it never arrived).
web_src() {
	awk -v p="/?tag=$2" '$5 == p { print $2 }' "$1" 2>/dev/null | tail -n 1
}
# http_via_exit WHO WHAT URL_PREFIX: a request whose log line must show the
# exit's address.
http_via_exit() {
	local who=$1 what=$2 url=$3 t src
	t=$(tag "$who")
	curl_as "$who" "$url/?tag=$t"
	src=$(web_src "$TTPLAB_WEB_LOG" "$t")
	note "curl $url as $who: '$OUT'; web server saw ${src:-nothing}"
	if [ -n "$src" ] && is_exit "$src" && [ "$OUT" = "$src" ]; then
		pass "$what: answered via the exit ($src)"
	else
		fail "$what: web server saw '${src:-nothing}' (client is $TTPLAB_CLI_IP4 / $TTPLAB_CLI_IP6), app got '$OUT'"
	fi
}

# is_exit ADDR: the exit relay's address, v4 or v6.
# e2e_user NAME HOME: a temporary ordinary user with a home of its own
# (0700), removed on exit with every process it has; E2E_AS_USER runs a
# command as it in the client (HOME set, its groups, no SUDO_UID).
e2e_user() {
	local name=$1 home=$2
	useradd -M -d "$home" -s /bin/sh -U "$name" || return 1
	on_exit e2e_user_del "$name"
	mkdir -m 700 "$home" && chown "$name:$name" "$home" || return 1
	# shellcheck disable=SC2034 # read by the tests that source this
	E2E_AS_USER=("${CLI[@]}" HOME="$home" setpriv --reuid="$(id -u "$name")"
	    --regid="$(id -g "$name")" --init-groups env -u SUDO_UID)
}
e2e_user_del() {
	local p
	for p in $(pgrep -u "$1" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	userdel "$1" 2>/dev/null
	getent group "$1" >/dev/null && groupdel "$1" 2>/dev/null
	return 0
}
is_exit() { [ "$1" = "$TTPLAB_EXIT_IP4" ] || [ "$1" = "$TTPLAB_EXIT_IP6" ]; }
tag() { echo "$1-$RANDOM$RANDOM"; }

# wait_for SECONDS CMD...: poll CMD every 0.05 s until it succeeds; bounded.
wait_for() {
	local i n=$(($1 * 20)); shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# hold_start NAME HOST PORT: an application (ordinary user) that opens a TCP
# connection to HOST:PORT now and sends a request on it only when told
# (hold_go NAME). Waits until it is connected.
hold_start() {
	local name=$1 host=$2 port=$3
	HOLD_TAG[$name]=$(tag "$name")
	bg_start "${AS_USER[@]}" "$PY" "$PROBE" --timeout 5 --wait 120 hold "$host" \
	    "$port" "/?tag=${HOLD_TAG[$name]}" "$E2E_TMP/go-$name" \
	    >"$E2E_TMP/hold-$name.out" 2>&1
	HOLD_PID[$name]=$BG_PID
	wait_for 10 grep -q '^connected' "$E2E_TMP/hold-$name.out"
}
# hold_go NAME: let it send; its outcome line in $OUT, its status returned.
hold_go() {
	local rc
	touch "$E2E_TMP/go-$1"
	bg_wait "${HOLD_PID[$1]}" 20; rc=$?
	OUT=$(grep -v '^connected' "$E2E_TMP/hold-$1.out")
	note "app: $OUT"
	return $rc
}
declare -A HOLD_TAG HOLD_PID

# ---------------------------------------------------------------- far side

# far_arm: (re)create the counting tables on the far side of both veths,
# all counters at zero.
far_arm() {
	local relays_or relays_dir
	relays_or="{ ${TTPLAB_RELAY_IPS// /, } }"
	relays_dir="{ 192.0.2.11, 192.0.2.12, 192.0.2.13 }"
	ip netns exec "$TTPLAB_NS_NET" nft -f - <<-EOF
	table netdev e2e {}
	delete table netdev e2e
	table netdev e2e {
		counter tor {}
		counter link {}
		counter leaked {}
		set leak4 { type ipv4_addr . inet_proto; flags dynamic; size 65535; }
		set leak6 { type ipv6_addr . inet_proto; flags dynamic; size 65535; }
		set leak4p { type ipv4_addr . inet_proto . inet_service; flags dynamic; size 65535; }
		set leak6p { type ipv6_addr . inet_proto . inet_service; flags dynamic; size 65535; }
		chain from_client {
			type filter hook ingress device "$TTPLAB_NET_IF" priority 0; policy accept;
			ether type arp counter name link return
			icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 counter name link return
			icmpv6 type { mld-listener-report, mld2-listener-report } ip6 hoplimit 1 counter name link return
			ip daddr $relays_or tcp dport $TTPLAB_OR_PORT counter name tor return
			ip daddr $relays_dir tcp dport $TTPLAB_DIR_PORT counter name tor return
			counter name leaked
			meta protocol ip add @leak4 { ip daddr . meta l4proto }
			meta protocol ip6 add @leak6 { ip6 daddr . meta l4proto }
			meta protocol ip meta l4proto { tcp, udp } add @leak4p { ip daddr . meta l4proto . th dport }
			meta protocol ip6 meta l4proto { tcp, udp } add @leak6p { ip6 daddr . meta l4proto . th dport }
		}
	}
	EOF
	ip netns exec "$TTPLAB_NS_LAN" nft -f - <<-EOF
	table netdev e2e {}
	delete table netdev e2e
	table netdev e2e {
		counter link {}
		counter leaked {}
		set leak4 { type ipv4_addr . inet_proto; flags dynamic; size 65535; }
		set leak6 { type ipv6_addr . inet_proto; flags dynamic; size 65535; }
		set leak4p { type ipv4_addr . inet_proto . inet_service; flags dynamic; size 65535; }
		set leak6p { type ipv6_addr . inet_proto . inet_service; flags dynamic; size 65535; }
		chain from_client {
			type filter hook ingress device "$TTPLAB_LAN_IF" priority 0; policy accept;
			ether type arp counter name link return
			icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 counter name link return
			icmpv6 type { mld-listener-report, mld2-listener-report } ip6 hoplimit 1 counter name link return
			counter name leaked
			meta protocol ip add @leak4 { ip daddr . meta l4proto }
			meta protocol ip6 add @leak6 { ip6 daddr . meta l4proto }
			meta protocol ip meta l4proto { tcp, udp } add @leak4p { ip daddr . meta l4proto . th dport }
			meta protocol ip6 meta l4proto { tcp, udp } add @leak6p { ip6 daddr . meta l4proto . th dport }
		}
	}
	EOF
}

# far_count net|lan [COUNTER]: packets counted so far (default: leaked).
far_count() {
	local ns=$TTPLAB_NS_NET
	[ "$1" = lan ] && ns=$TTPLAB_NS_LAN
	ip netns exec "$ns" nft list counter netdev e2e "${2:-leaked}" 2>/dev/null |
	    awk '$1 == "packets" { print $2; found = 1 } END { if (!found) print "?" }'
}

# far_what net|lan: what the leaked packets were, one line.
far_what() {
	local ns=$TTPLAB_NS_NET s
	[ "$1" = lan ] && ns=$TTPLAB_NS_LAN
	for s in leak4p leak6p leak4 leak6; do
		ip netns exec "$ns" nft list set netdev e2e "$s" 2>/dev/null |
		    tr -d '\n\t' | sed -n 's/.*elements = { *\([^}]*\)}.*/\1/p'
	done | tr '\n' ' '
}

# no_leak WHAT: PASS iff nothing but Tor (and link-layer) left the client
# on either side since far_arm; says what leaked otherwise.
no_leak() {
	local n l
	n=$(far_count net) l=$(far_count lan)
	if [ "$n" = 0 ] && [ "$l" = 0 ]; then
		pass "$1: 0 packets leaked (far side: $(far_count net tor) Tor packets to relays, nothing else)"
	else
		fail "$1: LEAK: $n packet(s) on the internet side [$(far_what net)], $l on the LAN side [$(far_what lan)]"
	fi
}

# ---------------------------------------------------------------- state

# proc_gone PID: PID has exited (gone, or a zombie its new parent has not
# reaped yet: processes that outlive ttp are reparented).
proc_gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# tor_pids: tor processes living in the client namespace.
ns_procs() {	# ns_procs COMM...: PIDs in the client ns with one of these names
	local pid c want
	for pid in $(ip netns pids "$TTPLAB_NS_CLI" 2>/dev/null); do
		c=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		for want in "$@"; do
			[ "$c" = "$want" ] && echo "$pid"
		done
	done
}

# fw_table: what ttp's table in the client holds: none, session (it
# redirects into Tor) or lockdown (it redirects nothing). Read with the nft
# binary (a read-only listing inside the lab's namespace), independent of
# ttp's own opinion.
fw_table() {
	local t
	if ! t=$(ip netns exec "$TTPLAB_NS_CLI" nft list table inet ttp 2>/dev/null); then
		echo none
	elif grep -q 'redirect to' <<<"$t"; then
		echo session
	else
		echo lockdown
	fi
}

# resolv_layers: how many mounts sit on the client's resolv.conf (the lab's
# own bind mount is 1; ttp's overlay adds one).
resolv_layers() {
	local target
	target=$(cli readlink -f /etc/resolv.conf)
	awk -v t="$target" '$5 == t { n++ } END { print n + 0 }' \
	    "/proc/$TTPLAB_CLI_PID/mountinfo"
}

# trans_sockets: TCP sockets still on tor's TransPort in the client, other
# than TIME-WAIT (which sends nothing), one line.
trans_sockets() {
	local port
	port=$(awk -F' *= *' '$1 == "transport_port" { print $2 }' "$TTPLAB_TTP_CONF")
	ip netns exec "$TTPLAB_NS_CLI" ss -tanH exclude time-wait \
	    "( sport = :${port:-9041} or dport = :${port:-9041} )" |
	    awk '{ printf "%s%s %s-%s", n++ ? ", " : "", $1, $4, $5 }'
}

# nothing_left WHAT: after a stop, the client is as before `ttp start`: no
# table, no overlay (resolv.conf is the lab's, one layer), no tor nor ttp
# process, no socket left on tor's TransPort, no lock, no torrc, status
# inactive.
nothing_left() {
	local left="" p
	[ "$(fw_table)" = none ] || left+=" table inet ttp ($(fw_table));"
	! ip netns exec "$TTPLAB_NS_CLI" nft list tables 2>/dev/null | grep -q ttp_anchor ||
	    left+=" an anchor table;"
	[ "$(resolv_layers)" = 1 ] || left+=" $(resolv_layers) mounts on resolv.conf;"
	cli cmp -s /etc/resolv.conf "$TTPLAB_CLI_RESOLV" ||
	    left+=" resolv.conf is not the lab's;"
	p=$(ns_procs tor ttp ttp-privd ttp-torctl ttp-netcheck ttp-anchor | tr '\n' ' ')
	[ -z "${p// /}" ] || left+=" processes: $p;"
	p=$(trans_sockets)
	[ -z "$p" ] || left+=" TCP sockets on tor's TransPort: $p;"
	! cli test -e /run/ttp/ttp.lock || left+=" /run/ttp/ttp.lock;"
	! cli test -e /run/tor/ttp/torrc || left+=" /run/tor/ttp/torrc;"
	ttp_quiet status --json
	json_is state=inactive <<<"$OUT" 2>/dev/null || left+=" status: $OUT;"
	if [ -z "$left" ]; then
		pass "$1: nothing left (no table, resolv.conf the lab's, no tor, no TransPort socket, no lock, status inactive)"
	else
		fail "$1: left behind:$left"
	fi
}

# direct_ok WHAT: the host is as before ttp: a direct request reaches the
# web server from the client's own address.
direct_ok() {
	local t
	t=$(tag direct)
	probe http "$TTPLAB_WEB_IP4" 80 "/?tag=$t" >/dev/null
	if [ "$(web_src "$TTPLAB_WEB_LOG" "$t")" = "$TTPLAB_CLI_IP4" ]; then
		pass "$1: direct traffic works again (web server saw $TTPLAB_CLI_IP4)"
	else
		fail "$1: direct request did not arrive from $TTPLAB_CLI_IP4 ($OUT)"
	fi
}
