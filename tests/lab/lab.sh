#!/bin/bash
# The offline lab: a private Tor network in network namespaces, for the demo
# and the end-to-end tests. Three namespaces, none connected to the host's:
# PREFIX-net is "the internet" (three directory authorities that are also
# relays, a middle and an exit relay, a web server that echoes the address it
# sees, a DNS server the exit uses, all on documentation addresses held by
# its lo; on request, TTPLAB_ONION=1, an onion service for the web server
# too), PREFIX-cli is the client (one veth to -net, one to -lan, a default
# route to -net, nothing else) and PREFIX-lan is a host on the client's LAN.
# Every tor has TestingTorNetwork 1 and only the lab's DirAuthority lines, so
# nothing here can reach the public Tor network, and no packet can leave the
# namespaces. The state (keys, torrcs, logs, pids) lives in one directory,
# recorded in /run/PREFIX/state; `down` ends exactly the lab's processes (by
# PID, those in the lab's namespaces), deletes the namespaces and the state.
# See tests/lab/README.md for the addresses and how to use the lab.
set -eu -o pipefail

usage() {
	cat <<'EOF'
usage: lab.sh [--dir DIR] up|down|status|env
       lab.sh [--dir DIR] cli|net|lan CMD [ARG...]
  up      create the namespaces, start the servers and the Tor network, wait
          (bounded by TTPLAB_UP_TIMEOUT, default 120 s) for a consensus with
          an exit. --dir: state directory (created; must be empty if it
          exists); default a new /tmp/PREFIX.XXXXXX. TTPLAB_ONION=1 also
          starts an onion service for the web server (TTPLAB_ONION_NAME);
          `up` does not wait for its descriptor: TTPLAB_ONION_LOG says
          "Uploaded hidden service descriptor" once it is published.
  down    end the lab's processes, delete the namespaces and the state.
          Idempotent; safe after a partial `up`.
  status  what runs; exit 0 iff everything is up.
  env     shell assignments describing the lab: eval "$(lab.sh env)".
  cli     run CMD as the client: its network namespace plus a private mount
          namespace whose /etc/resolv.conf names the lab's DNS server and
          whose /run is a private tmpfs (TTP_CONFIG defaults to the lab's
          ttp.conf). The same mount namespace for every call, for the life
          of the lab, so `ttp start` and a later `ttp stop` meet.
  net|lan run CMD in the internet / LAN namespace.
Without --dir, the state directory is $TTPLAB_DIR or the one recorded by
`up` in /run/PREFIX/state. PREFIX is $TTPLAB_PREFIX (default ttplab).
EOF
}

die() { say "$*"; exit 1; }
say() {
	if [ -n "${T0:-}" ]; then
		awk -v a="$T0" -v b="$EPOCHREALTIME" -v m="$*" \
		    'BEGIN { printf "lab: [%5.1fs] %s\n", b - a, m }' >&2 || true
	else
		echo "lab: $*" >&2 || true
	fi
}

P=${TTPLAB_PREFIX:-ttplab}
[[ ${TTPLAB_ONION:-0} =~ ^[01]$ ]] || die "TTPLAB_ONION must be 0 or 1"
[[ $P =~ ^[a-z][a-z0-9]{0,8}$ ]] || die "TTPLAB_PREFIX must be 1-9 of [a-z0-9]"
LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NS_NET=$P-net NS_CLI=$P-cli NS_LAN=$P-lan
IF_WAN=$P-wan IF_NET=$P-net0	# client <-> internet veth
IF_LAN=$P-lan IF_LANHOST=$P-lan0	# client <-> LAN host veth
RECORD_DIR=/run/$P RECORD=/run/$P/state
MARKER=.ttplab	# in a state directory this script created or adopted
UP_TIMEOUT=${TTPLAB_UP_TIMEOUT:-120}

# Addresses: documentation ranges only (RFC 5737, RFC 3849), except the LAN.
CLI_IP4=203.0.113.2 GW_IP4=203.0.113.1
CLI_IP6=2001:db8:cafe::2 GW_IP6=2001:db8:cafe::1
LAN_CLI_IP4=192.168.99.2 LAN_HOST_IP4=192.168.99.1
LAN_CLI_IP6=fd00:99::2 LAN_HOST_IP6=fd00:99::1
WEB_IP4=198.51.100.80 WEB_IP6=2001:db8:100::80
DNS_IP4=198.51.100.53 DNS_IP6=2001:db8:100::53
RELAYS=(auth1 auth2 auth3 middle exit)
AUTHS=(auth1 auth2 auth3)
declare -A RELAY_IP4=([auth1]=192.0.2.11 [auth2]=192.0.2.12 [auth3]=192.0.2.13
    [middle]=192.0.2.14 [exit]=192.0.2.15)
EXIT_IP4=192.0.2.15 EXIT_IP6=2001:db8:2::15
# The optional onion service's tor (TTPLAB_ONION=1): a client of the lab's
# network, not a relay; its own address, so the web server tells it apart.
ONION=${TTPLAB_ONION:-0} ONION_IP4=192.0.2.16
OR_PORT=9001 DIR_PORT=9030
EXIT_PORTS="53 80 443 8000-8999"
# Names the DNS server answers; the rest get NXDOMAIN. check URLs of ttp's
# default config resolve to the web server, so its checks run unchanged.
WEB_NAMES=(web.lab.test check.torproject.org api.ipify.org ifconfig.me
    torproject.org www.torproject.org)

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || true

# ---------------------------------------------------------------- helpers

ns_exists() { [ -e "/run/netns/$1" ]; }

# find_dir: the state directory for down/status/env/cli, or "" if none.
find_dir() {
	if [ -n "${OPT_DIR:-}" ]; then echo "$OPT_DIR"
	elif [ -n "${TTPLAB_DIR:-}" ]; then echo "$TTPLAB_DIR"
	elif [ -f "$RECORD" ]; then cat "$RECORD"
	fi
}

# wait_file FILE SECONDS: bounded wait for a non-empty file.
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# spawn NS NAME CMD...: start a long-lived lab process in NS, detached from
# our session; its output goes to logs/NAME.out. The process writes its own
# pid file pids/NAME.pid (tor: PidFile; our servers: --pidfile), which is
# also the sign that it started.
spawn() {
	spawn_nowait "$@"
	spawn_wait "$2"
}
spawn_nowait() {
	local ns=$1 name=$2; shift 2
	setsid ip netns exec "$ns" "$@" </dev/null \
	    >>"$DIR/logs/$name.out" 2>&1 &
}
spawn_wait() {
	if ! wait_file "$DIR/pids/$1.pid" 15; then
		tail -n 20 "$DIR/logs/$1.out" >&2 || true
		die "$1 did not start (see $DIR/logs/$1.out)"
	fi
}

# pid_ours PID: true if PID is alive and one of the lab's (its command line
# names the state directory, as every process spawn starts does).
pid_ours() {
	[ -n "$DIR" ] && [ -r "/proc/$1/cmdline" ] &&
	    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$DIR"
}

# lab_pids: every process the lab owns: the recorded ones, and anything
# living in the lab's namespaces (e.g. a ttp or tor a test started there).
lab_pids() {
	local f pid ns
	if [ -n "$DIR" ] && [ -d "$DIR/pids" ]; then
		for f in "$DIR"/pids/*.pid; do
			[ -f "$f" ] || continue
			pid=$(head -c 20 "$f" 2>/dev/null | tr -cd 0-9)
			[ -n "$pid" ] && pid_ours "$pid" && echo "$pid"
		done
	fi
	for ns in "$NS_NET" "$NS_CLI" "$NS_LAN"; do
		ns_exists "$ns" && ip netns pids "$ns" 2>/dev/null
	done
	return 0
}

# consensus_summary AUTH: "RELAYS EXITS" as seen in the microdesc consensus
# served by one authority: how many relays are Running and how many of
# those are the exit relay with the Exit flag.
consensus_summary() {
	local url="http://${RELAY_IP4[$1]}:$DIR_PORT/tor/status-vote/current/consensus-microdesc"
	{ ip netns exec "$NS_NET" curl -s --noproxy '*' --max-time 3 "$url" \
	    2>/dev/null || true; } | awk '
		/^r / { nick = $2 }
		/^s / { if ($0 ~ / Running/) { n++; if (nick == "exit" && $0 ~ / Exit/) e++ } }
		END { printf "%d %d\n", n, e }'
}

# ---------------------------------------------------------------- up

make_netns() {
	local ns r
	for ns in "$NS_NET" "$NS_CLI" "$NS_LAN"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	# The internet's own addresses live on its lo (no dummy interface here).
	for r in "${RELAYS[@]}"; do
		ip -n "$NS_NET" addr add "${RELAY_IP4[$r]}/32" dev lo
	done
	ip -n "$NS_NET" addr add "$EXIT_IP6/128" dev lo
	ip -n "$NS_NET" addr add "$WEB_IP4/32" dev lo
	ip -n "$NS_NET" addr add "$WEB_IP6/128" dev lo
	ip -n "$NS_NET" addr add "$DNS_IP4/32" dev lo
	ip -n "$NS_NET" addr add "$DNS_IP6/128" dev lo

	# Created directly inside the namespaces: no interface ever appears in
	# the host's namespace, even for an instant.
	ip -n "$NS_CLI" link add "$IF_WAN" type veth peer name "$IF_NET" \
	    netns "$NS_NET"
	ip -n "$NS_CLI" addr add "$CLI_IP4/24" dev "$IF_WAN"
	ip -n "$NS_CLI" addr add "$CLI_IP6/64" dev "$IF_WAN" nodad
	ip -n "$NS_NET" addr add "$GW_IP4/24" dev "$IF_NET"
	ip -n "$NS_NET" addr add "$GW_IP6/64" dev "$IF_NET" nodad
	ip -n "$NS_CLI" link add "$IF_LAN" type veth peer name "$IF_LANHOST" \
	    netns "$NS_LAN"
	ip -n "$NS_CLI" addr add "$LAN_CLI_IP4/24" dev "$IF_LAN"
	ip -n "$NS_CLI" addr add "$LAN_CLI_IP6/64" dev "$IF_LAN" nodad
	ip -n "$NS_LAN" addr add "$LAN_HOST_IP4/24" dev "$IF_LANHOST"
	ip -n "$NS_LAN" addr add "$LAN_HOST_IP6/64" dev "$IF_LANHOST" nodad
	ip -n "$NS_CLI" link set "$IF_WAN" up
	ip -n "$NS_CLI" link set "$IF_LAN" up
	ip -n "$NS_NET" link set "$IF_NET" up
	ip -n "$NS_LAN" link set "$IF_LANHOST" up
	ip -n "$NS_CLI" route add default via "$GW_IP4"
	ip -n "$NS_CLI" -6 route add default via "$GW_IP6"
}

start_servers() {
	local records=() n
	for n in "${WEB_NAMES[@]}"; do
		records+=(--record "$n=$WEB_IP4,$WEB_IP6")
	done
	records+=(--record "api4.my-ip.io=$WEB_IP4"
	    --record "api6.my-ip.io=$WEB_IP6"
	    --record "dns.lab.test=$DNS_IP4,$DNS_IP6")
	spawn "$NS_NET" dns "$PY" "$LAB_SRC/dns.py" --listen "$DNS_IP4" \
	    --listen "$DNS_IP6" "${records[@]}" --log "$DIR/dns.log" \
	    --pidfile "$DIR/pids/dns.pid"
	spawn "$NS_NET" web "$PY" "$LAB_SRC/web.py" \
	    --listen "$WEB_IP4:80" --listen "[$WEB_IP6]:80" \
	    --exit "$EXIT_IP4" --exit "$EXIT_IP6" \
	    --log "$DIR/web.log" --pidfile "$DIR/pids/web.pid"
	# A host on the client's LAN, for LAN-bypass tests.
	spawn "$NS_LAN" lanweb "$PY" "$LAB_SRC/web.py" \
	    --listen "$LAN_HOST_IP4:80" --listen "[$LAN_HOST_IP6]:80" \
	    --log "$DIR/lanweb.log" --pidfile "$DIR/pids/lanweb.pid"
}

# make_relay_keys NAME: a relay's identity keys (and v3 authority keys if it
# is an authority), in its own DataDirectory. Runs in parallel with others.
make_relay_keys() {
	local r=$1 d=$DIR/$1
	if [[ " ${AUTHS[*]} " == *" $r "* ]]; then
		printf '\n' | timeout 60 tor-gencert --create-identity-key -m 12 \
		    -a "${RELAY_IP4[$r]}:$DIR_PORT" \
		    -i "$d/keys/authority_identity_key" \
		    -s "$d/keys/authority_signing_key" \
		    -c "$d/keys/authority_certificate" \
		    --passphrase-fd 0 >"$DIR/logs/keys-$r.out" 2>&1 || return 1
	fi
	# Generates the relay identity; never touches the network
	# (DisableNetwork, and only a dummy lab authority).
	cat >"$d/fp.torrc" <<-EOF
	TestingTorNetwork 1
	DisableNetwork 1
	DirAuthority dummy 127.0.0.1:1 0000000000000000000000000000000000000000
	DataDirectory $d
	Nickname $r
	ORPort $OR_PORT
	SocksPort 0
	Log err stderr
	EOF
	timeout 60 tor --defaults-torrc "$DIR/empty-defaults.torrc" \
	    -f "$d/fp.torrc" --list-fingerprint >>"$DIR/logs/keys-$r.out" 2>&1
}

# make_keys: keys for every relay (RSA generation is the slow part of `up`,
# hence in parallel); fills FP[] and V3IDENT[].
declare -A FP V3IDENT
KEY_JOBS=()
make_keys() {
	local r d
	# Every tor here reads only our files, never /etc/tor/torrc-defaults.
	: >"$DIR/empty-defaults.torrc"
	for r in "${RELAYS[@]}"; do
		mkdir -m 700 "$DIR/$r" "$DIR/$r/keys"
		make_relay_keys "$r" &
		KEY_JOBS+=($!)
	done
	for r in "${KEY_JOBS[@]}"; do
		wait "$r" || die "key generation failed (see $DIR/logs/keys-*.out)"
	done
	for r in "${RELAYS[@]}"; do
		d=$DIR/$r
		if [[ " ${AUTHS[*]} " == *" $r "* ]]; then
			V3IDENT[$r]=$(awk '$1 == "fingerprint" { print $2 }' \
			    "$d/keys/authority_certificate")
			[ -n "${V3IDENT[$r]}" ] || die "no v3 identity for $r"
		fi
		FP[$r]=$(awk '{ print $2 }' "$d/fingerprint")
		[ -n "${FP[$r]}" ] || die "no fingerprint for $r"
	done
}

# dirauth_lines: the network's DirAuthority lines, shared by every tor.
dirauth_lines() {
	local a
	for a in "${AUTHS[@]}"; do
		echo "DirAuthority $a orport=$OR_PORT no-v2 v3ident=${V3IDENT[$a]} ${RELAY_IP4[$a]}:$DIR_PORT ${FP[$a]}"
	done
}

write_torrcs() {
	local r d ip policy p
	policy=""
	for p in $EXIT_PORTS; do policy+="accept *:$p,"; done
	policy+="reject *:*"
	printf 'nameserver %s\n' "$DNS_IP4" >"$DIR/exit-resolv.conf"
	for r in "${RELAYS[@]}"; do
		d=$DIR/$r ip=${RELAY_IP4[$r]}
		{
		cat <<-EOF
		# $r of the ttplab private Tor network (generated by lab.sh).
		TestingTorNetwork 1
		DataDirectory $d
		PidFile $DIR/pids/$r.pid
		Log notice file $d/notice.log
		SafeLogging 0
		RunAsDaemon 0
		ShutdownWaitLength 0
		Nickname $r
		ContactInfo ttplab <lab@lab.test>
		SocksPort 0
		ORPort $ip:$OR_PORT
		Address $ip
		OutboundBindAddress $ip
		AssumeReachable 1
		TestingDirAuthVoteExit *
		TestingDirAuthVoteGuard *
		TestingDirAuthVoteHSDir *
		EOF
		dirauth_lines
		if [[ " ${AUTHS[*]} " == *" $r "* ]]; then
			cat <<-EOF
			AuthoritativeDirectory 1
			V3AuthoritativeDirectory 1
			DirPort $ip:$DIR_PORT
			TestingV3AuthInitialVotingInterval 10
			TestingV3AuthInitialVoteDelay 2
			TestingV3AuthInitialDistDelay 2
			V3AuthVotingInterval 10
			V3AuthVoteDelay 2
			V3AuthDistDelay 2
			EOF
		fi
		if [ "$r" = exit ]; then
			cat <<-EOF
			ExitRelay 1
			IPv6Exit 1
			OutboundBindAddress [$EXIT_IP6]
			ExitPolicy $policy
			ServerDNSResolvConfFile $DIR/exit-resolv.conf
			ServerDNSDetectHijacking 0
			ServerDNSTestAddresses
			RefuseUnknownExits 0
			EOF
		else
			echo "ExitRelay 0"
			echo "ExitPolicy reject *:*"
		fi
		} >"$d/torrc"
	done
}

# start_onion: the optional onion service: a client-only tor in the
# internet's namespace whose HiddenServicePort 80 is the web server. It
# bootstraps and publishes its descriptor while the test goes on (a few
# seconds after the first consensus); tor says so at info level only, hence
# a second log of the rend domain, hs.log: "Uploaded hidden service
# descriptor" once an HSDir has stored it.
start_onion() {
	local d=$DIR/onion
	mkdir -m 700 "$d" "$d/hs"
	ip -n "$NS_NET" addr add "$ONION_IP4/32" dev lo
	{
	cat <<-EOF
	# The onion service of the ttplab private Tor network (generated by lab.sh).
	TestingTorNetwork 1
	DataDirectory $d
	PidFile $DIR/pids/onion.pid
	Log notice file $d/notice.log
	Log [rend]info file $d/hs.log
	SafeLogging 0
	RunAsDaemon 0
	ShutdownWaitLength 0
	SocksPort 0
	OutboundBindAddress $ONION_IP4
	HiddenServiceDir $d/hs
	HiddenServicePort 80 $WEB_IP4:80
	EOF
	dirauth_lines
	} >"$d/torrc"
	spawn "$NS_NET" onion tor --defaults-torrc "$DIR/empty-defaults.torrc" \
	    -f "$d/torrc"
	wait_file "$d/hs/hostname" 15 || die "the onion service has no hostname (see $d/notice.log)"
}

start_tors() {
	local r
	for r in "${RELAYS[@]}"; do
		spawn_nowait "$NS_NET" "$r" tor \
		    --defaults-torrc "$DIR/empty-defaults.torrc" -f "$DIR/$r/torrc"
	done
	for r in "${RELAYS[@]}"; do spawn_wait "$r"; done
}

# write_client_files: what a client needs to join: the torrc lines, a
# ttp.conf and a resolv.conf.
write_client_files() {
	{
	echo "# Joins the ttplab private Tor network; valid until 'lab.sh down'."
	echo "# TestingTorNetwork must be set when tor starts and needs these"
	echo "# DirAuthority lines (they replace the public authorities)."
	echo "TestingTorNetwork 1"
	dirauth_lines
	} >"$DIR/client-torrc-append"
	chmod 644 "$DIR/client-torrc-append"
	mkdir -m 755 "$DIR/client"
	cat >"$DIR/ttp.conf" <<-EOF
	# ttp.conf for ttp run in the lab's client ('lab.sh cli ttp start').
	# The client's /run is a private tmpfs, so run_dir and tor_run_dir keep
	# their defaults; tor's data lives in the lab's state, removed by down.
	# The check URLs are plain http: the lab's web server has no TLS.
	[tor]
	user = debian-tor
	torrc_append = $DIR/client-torrc-append
	data_dir = $DIR/client/tor-data
	transport_port = 9041
	dns_port = 9054

	[paths]
	run_dir = /run/ttp
	tor_run_dir = /run/tor/ttp

	[check]
	ip_urls = http://check.torproject.org/api/ip http://api.ipify.org http://ifconfig.me/ip
	latency_url = http://torproject.org
	leak_ipv4_url = http://api4.my-ip.io/ip
	leak_ipv6_url = http://api6.my-ip.io/ip
	EOF
	chmod 644 "$DIR/ttp.conf"
	printf 'nameserver %s\n' "$DNS_IP4" >"$DIR/client-resolv.conf"
	chmod 644 "$DIR/client-resolv.conf"
}

# write_env: the file `lab.sh env` prints.
write_env() {
	local r relay_ips=""
	for r in "${RELAYS[@]}"; do relay_ips+="${relay_ips:+ }${RELAY_IP4[$r]}"; done
	{
	v() { printf '%s=%q\n' "$1" "$2"; }
	v TTPLAB_PREFIX "$P"
	v TTPLAB_DIR "$DIR"
	v TTPLAB_LAB "$LAB_SRC/lab.sh"
	v TTPLAB_NS_NET "$NS_NET"
	v TTPLAB_NS_CLI "$NS_CLI"
	v TTPLAB_NS_LAN "$NS_LAN"
	v TTPLAB_CLI_PID "$(cat "$DIR/pids/cli.pid")"
	v TTPLAB_CLI_EXEC "nsenter --target $(cat "$DIR/pids/cli.pid") --net --mount --"
	v TTPLAB_CLI_IF "$IF_WAN"
	v TTPLAB_CLI_LAN_IF "$IF_LAN"
	v TTPLAB_NET_IF "$IF_NET"
	v TTPLAB_LAN_IF "$IF_LANHOST"
	v TTPLAB_CLI_IP4 "$CLI_IP4"
	v TTPLAB_CLI_IP6 "$CLI_IP6"
	v TTPLAB_GW_IP4 "$GW_IP4"
	v TTPLAB_GW_IP6 "$GW_IP6"
	v TTPLAB_LAN_CLI_IP4 "$LAN_CLI_IP4"
	v TTPLAB_LAN_CLI_IP6 "$LAN_CLI_IP6"
	v TTPLAB_LAN_HOST_IP4 "$LAN_HOST_IP4"
	v TTPLAB_LAN_HOST_IP6 "$LAN_HOST_IP6"
	v TTPLAB_WEB_IP4 "$WEB_IP4"
	v TTPLAB_WEB_IP6 "$WEB_IP6"
	v TTPLAB_WEB_NAME web.lab.test
	v TTPLAB_DNS_IP4 "$DNS_IP4"
	v TTPLAB_DNS_IP6 "$DNS_IP6"
	v TTPLAB_EXIT_IP4 "$EXIT_IP4"
	v TTPLAB_EXIT_IP6 "$EXIT_IP6"
	v TTPLAB_RELAY_IPS "$relay_ips"
	v TTPLAB_OR_PORT "$OR_PORT"
	v TTPLAB_DIR_PORT "$DIR_PORT"
	v TTPLAB_EXIT_PORTS "$EXIT_PORTS"
	v TTPLAB_TORRC_APPEND "$DIR/client-torrc-append"
	v TTPLAB_TTP_CONF "$DIR/ttp.conf"
	v TTPLAB_CLI_RESOLV "$DIR/client-resolv.conf"
	v TTPLAB_WEB_LOG "$DIR/web.log"
	v TTPLAB_LAN_WEB_LOG "$DIR/lanweb.log"
	v TTPLAB_DNS_LOG "$DIR/dns.log"
	if [ "$ONION" = 1 ] && [ -s "$DIR/onion/hs/hostname" ]; then
		v TTPLAB_ONION_NAME "$(cat "$DIR/onion/hs/hostname")"
		v TTPLAB_ONION_IP4 "$ONION_IP4"
		v TTPLAB_ONION_LOG "$DIR/onion/hs.log"
	fi
	} >"$DIR/env"
}

# start_client_holder: a process that holds the client's private mount
# namespace (inside PREFIX-cli) open for the lab's life: /run is a fresh
# tmpfs there and /etc/resolv.conf (through any symlink) shows the lab's
# DNS server. `lab.sh cli` enters it with nsenter. Nothing is mounted in the
# host's mount namespace.
start_client_holder() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	spawn "$NS_CLI" cli unshare --mount --propagation private \
	    bash -c '
		set -e
		mount -t tmpfs -o mode=0755 ttplab-run /run
		t=$(readlink -f /etc/resolv.conf)
		if [ ! -e "$t" ]; then mkdir -p "$(dirname "$t")"; touch "$t"; fi
		mount --bind "$1/client-resolv.conf" "$t"
		echo $$ >"$1/pids/cli.pid"
		exec -a "ttplab-client-holder $1" sleep infinity' \
	    ttplab-client "$DIR"
}

up_failed() {
	local rc=$?
	trap - EXIT INT TERM HUP
	say "up failed (status $rc); tearing down what it created"
	# Key generation may still be running: let it end (it is bounded)
	# before removing the directories it writes to.
	[ ${#KEY_JOBS[@]} -eq 0 ] || wait "${KEY_JOBS[@]}" 2>/dev/null || true
	do_down || true
	exit 1
}

do_up() {
	local i s auth ready
	[ "$(id -u)" -eq 0 ] || die "needs root"
	for i in ip tor tor-gencert curl nsenter unshare setsid awk; do
		command -v "$i" >/dev/null || die "missing $i"
	done
	[ -n "$PY" ] || die "missing python3"
	for i in "$NS_NET" "$NS_CLI" "$NS_LAN"; do
		! ns_exists "$i" || die "namespace $i exists: run 'lab.sh down' first"
	done
	if [ -f "$RECORD" ] && [ -d "$(cat "$RECORD")" ]; then
		die "a lab is recorded in $RECORD: run 'lab.sh down' first"
	fi
	T0=$EPOCHREALTIME
	if [ -n "${OPT_DIR:-}" ]; then
		mkdir -p "$OPT_DIR"
		[ -z "$(ls -A "$OPT_DIR")" ] || die "$OPT_DIR is not empty"
		DIR=$(cd "$OPT_DIR" && pwd)
	else
		DIR=$(mktemp -d "/tmp/$P.XXXXXX")
	fi
	# 755: tor run as debian-tor by ttp must reach client/ and the files
	# ttp.conf names; the relays' own directories stay 700.
	chmod 755 "$DIR"
	touch "$DIR/$MARKER"
	mkdir -p "$DIR/pids" "$DIR/logs" "$RECORD_DIR"
	echo "$DIR" >"$RECORD"
	trap up_failed EXIT
	trap 'exit 1' INT TERM HUP

	say "state in $DIR"
	make_netns
	say "namespaces $NS_NET, $NS_CLI, $NS_LAN up"
	start_servers
	say "web $WEB_IP4:80, dns $DNS_IP4:53, lan web $LAN_HOST_IP4:80 up"
	make_keys
	say "relay keys made"
	write_torrcs
	start_tors
	say "tor relays started: ${RELAYS[*]}"
	write_client_files
	start_client_holder
	write_env

	ready=0
	for ((i = 0; i < UP_TIMEOUT / 2; i++)); do
		ready=1 s=""
		for auth in "${AUTHS[@]}"; do
			read -r n e < <(consensus_summary "$auth")
			s+=" $auth:$n"
			[ "$n" -ge ${#RELAYS[@]} ] && [ "$e" -ge 1 ] || ready=0
		done
		for r in "${RELAYS[@]}"; do
			pid_ours "$(cat "$DIR/pids/$r.pid")" ||
			    die "tor $r exited (see $DIR/$r/notice.log)"
		done
		[ "$ready" -eq 1 ] && break
		say "waiting for a consensus with ${#RELAYS[@]} running relays and an exit (running per authority:$s)"
		sleep 2
	done
	[ "$ready" -eq 1 ] || die "no usable consensus after ${UP_TIMEOUT}s"
	# Only now: a tor that finds no consensus yet retries later and later,
	# while one started now bootstraps at once.
	if [ "$ONION" = 1 ]; then
		start_onion
		say "onion service $(cat "$DIR/onion/hs/hostname") -> $WEB_IP4:80 started (publishes its descriptor in a few seconds)"
	fi
	write_env
	trap - EXIT INT TERM HUP
	say "up: every authority serves a consensus with ${#RELAYS[@]} running relays and an exit"
	say "use: eval \"\$($LAB_SRC/lab.sh env)\"; $LAB_SRC/lab.sh cli CMD"
}

# ---------------------------------------------------------------- down

do_down() {
	local pids i ns left=0
	[ "$(id -u)" -eq 0 ] || die "needs root"
	DIR=$(find_dir)
	pids=$(lab_pids | sort -un | tr '\n' ' ')
	if [ -n "${pids// /}" ]; then
		say "ending lab processes: $pids"
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			[ -z "$(lab_pids)" ] && break
			sleep 0.2
		done
		pids=$(lab_pids | sort -un | tr '\n' ' ')
		if [ -n "${pids// /}" ]; then
			say "still running after 10s, killing: $pids"
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null || true
			for ((i = 0; i < 25; i++)); do
				[ -z "$(lab_pids)" ] && break
				sleep 0.2
			done
		fi
	fi
	for ns in "$NS_NET" "$NS_CLI" "$NS_LAN"; do
		if ns_exists "$ns"; then ip netns del "$ns" || left=1; fi
	done
	if [ -n "$DIR" ] && [ -f "$DIR/$MARKER" ]; then
		rm -rf --one-file-system -- "$DIR"
	elif [ -n "$DIR" ] && [ -d "$DIR" ]; then
		say "not removing $DIR: not a lab state directory"
	fi
	if [ -f "$RECORD" ] && [ "$(cat "$RECORD")" = "$DIR" ]; then
		rm -f "$RECORD"
	fi
	rmdir "$RECORD_DIR" 2>/dev/null || true

	# Leave nothing behind: check, do not assume.
	for ns in "$NS_NET" "$NS_CLI" "$NS_LAN"; do
		if ns_exists "$ns"; then say "namespace $ns remains"; left=1; fi
	done
	pids=$(lab_pids | tr '\n' ' ')
	if [ -n "${pids// /}" ]; then say "processes remain: $pids"; left=1; fi
	[ "$left" -eq 0 ] || return 1
	say "down: nothing left"
}

# ---------------------------------------------------------------- status

do_status() {
	local ok=0 ns f name pid auth n e
	DIR=$(find_dir)
	[[ -n $DIR && -d $DIR ]] || { echo "no lab (no state directory)"; return 1; }
	echo "state: $DIR"
	for ns in "$NS_NET" "$NS_CLI" "$NS_LAN"; do
		if ns_exists "$ns"; then echo "namespace $ns: present"
		else echo "namespace $ns: MISSING"; ok=1; fi
	done
	for f in "$DIR"/pids/*.pid; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .pid) pid=$(cat "$f")
		if pid_ours "$pid"; then echo "$name: running (pid $pid)"
		else echo "$name: NOT RUNNING (pid $pid)"; ok=1; fi
	done
	if ns_exists "$NS_NET"; then
		for auth in "${AUTHS[@]}"; do
			read -r n e < <(consensus_summary "$auth")
			echo "consensus at $auth: $n running relays, exit flag: $([ "$e" -ge 1 ] && echo yes || echo no)"
			[ "$n" -ge ${#RELAYS[@]} ] && [ "$e" -ge 1 ] || ok=1
		done
	fi
	return $ok
}

do_env() {
	DIR=$(find_dir)
	[[ -n $DIR && -f $DIR/env ]] || die "no lab is up"
	cat "$DIR/env"
}

# do_exec WHERE CMD...: run CMD in the client / internet / LAN.
do_exec() {
	local where=$1 pid; shift
	[ $# -gt 0 ] || die "$where: no command"
	case $where in
	net) exec ip netns exec "$NS_NET" "$@" ;;
	lan) exec ip netns exec "$NS_LAN" "$@" ;;
	cli)
		DIR=$(find_dir)
		[[ -n $DIR && -f $DIR/pids/cli.pid ]] || die "no lab is up"
		pid=$(cat "$DIR/pids/cli.pid")
		pid_ours "$pid" || die "the client's holder process is gone"
		export TTP_CONFIG=${TTP_CONFIG:-$DIR/ttp.conf}
		exec nsenter --target "$pid" --net --mount -- "$@"
		;;
	esac
}

# ---------------------------------------------------------------- main

# Whoever reads our progress may go away (lab.sh up | head): that must not
# stop us half-way, so a closed pipe is a write error, not a signal.
trap '' PIPE
OPT_DIR=""
DIR=""
while [ $# -gt 0 ]; do
	case $1 in
	--dir) [ $# -ge 2 ] || die "--dir needs a directory"; OPT_DIR=$2; shift 2 ;;
	--dir=*) OPT_DIR=${1#--dir=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd=$1; shift
case $cmd in
up) do_up ;;
down) do_down ;;
status) do_status ;;
env) do_env ;;
cli|net|lan) do_exec "$cmd" "$@" ;;
*) usage >&2; exit 2 ;;
esac
