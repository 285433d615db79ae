# shellcheck shell=bash
# A real BYOD session (`ttp start --external-daemon`, lib.sh's stand-ins
# playing Tor) in the client namespace of lib.sh plus a private mount
# namespace: a holder process keeps it, with /run a tmpfs and
# /etc/resolv.conf a test file. Sourced after lib.sh, once ns_create and
# standins_start have run; `cli CMD` runs CMD there, `ttp ARGS` the CLI.

# Permanent neighbour entries for the far side: a packet the kernel admits
# must reach the wire at once, not wait in the neighbour-discovery queue
# and come out a second later (timing is what the tampering tests assert).
session_pin_neighbours() {
	local far_mac a
	far_mac=$(in_far cat "/sys/class/net/$IF_F/address")
	for a in $F4 $F4LAN $F6 $F6LAN; do
		in_client ip neigh replace "$a" lladdr "$far_mac" dev "$IF_C" \
		    nud permanent || return 1
	done
}

# The holder: the client's network namespace and a private mount
# namespace with its own /run and resolv.conf, for the whole test.
session_holder_start() {
	CONF=$LIB_TMP/ttp.conf
	cat >"$CONF" <<-EOF
	[check]
	ip_urls = http://$F4:$FAR_PORT/ip
	EOF
	chmod 644 "$CONF"
	printf 'nameserver %s\n' "$F4" >"$LIB_TMP/resolv.conf"
	chmod 644 "$LIB_TMP/resolv.conf"
	chmod 755 "$LIB_TMP"
	ip netns exec "$NS_C" unshare --mount --propagation private bash -c '
		set -e
		mount -t tmpfs -o mode=0755 ttpsess-run /run
		mount --bind "$1/resolv.conf" "$(readlink -f /etc/resolv.conf)"
		echo $$ >"$1/holder.pid"
		exec sleep 600' holder "$LIB_TMP" &
	LIB_PIDS+=($!)
	wait_for 5 test -s "$LIB_TMP/holder.pid" || return 1
	HOLDER=$(cat "$LIB_TMP/holder.pid")
}
cli() { nsenter --target "$HOLDER" --net --mount -- env TTP_CONFIG="$CONF" "$@"; }
ttp() { cli timeout 20 "$TTP" "$@"; }

fw_state() { ttp status --json | json_get firewall; }
fw_intact() { [ "$(ttp status --json | json_get firewall_intact)" = true ]; }
lock_state() { ttp status --json | json_get state; }
anchor_pid() { ttp status --json | json_get anchor_pid; }
anchor_tables() { cli nft list tables | grep -c 'inet ttp_anchor'; }
alive() { [ -d "/proc/$1" ]; }
gone_within() {	# gone_within TENTHS PID...
	local n=$1 p; shift
	while [ "$n" -gt 0 ]; do
		for p in "$@"; do alive "$p" && break; done
		alive "$p" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

start_session() {	# start_session [ttp start options]
	ttp start --external-daemon --tor-uid "$TOR_UID" "$@" \
	    >"$LIB_TMP/start.log" 2>&1
}
stop_session() { ttp stop >"$LIB_TMP/stop.log" 2>&1; }
