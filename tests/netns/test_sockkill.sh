#!/bin/bash
# Real packets: an idle TCP connection that was redirected into Tor's
# TransPort must not be able to send in cleartext once the rules are gone.
#
# A client namespace and a "far" namespace are joined by a veth (client
# 198.51.100.2, far 198.51.100.1). In the client, a minimal redirect
# ruleset sends every TCP connection (except uid 64001's) to a TransPort
# stand-in running as uid 64001 on 127.0.0.1:9041. An application (uid
# 64003) connects to 198.51.100.1:80, is redirected, and stays idle. Then
# "Tor" stops, SOCK_KILL + CT_FLUSH run, the table is deleted, and the
# application tries to send: it must fail and the far side must count ZERO
# packets from the client. The control run skips SOCK_KILL and must see the
# application's data arrive in cleartext, which proves the test can see a
# leak. Everything happens in namespaces this script creates and removes.
set -u
# shellcheck source=tests/lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

TOOL=$(cd "$(dirname "$0")" && pwd)/privd_op
C=ttpsysc$$			# client namespace and its veth end
F=ttpsysf$$			# far namespace and its veth end
TOR_UID=64001
APP_UID=64003
TRANS_PORT=9041
PY=/usr/bin/python3
TMP=
PIDS=()

inc() { ip netns exec "$C" "$@"; }
inf() { ip netns exec "$F" "$@"; }

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$C" 2>/dev/null
	ip netns del "$F" 2>/dev/null
	[ -n "$TMP" ] && [ -z "${KEEP:-}" ] && rm -rf "$TMP"
}
on_exit cleanup

# The operations under test. The lead may swap these for `ttp rules` and
# the privd socketpair driver.
load_rules() {
	inc nft -f - <<EOF
table inet ttpsys_redir {
	chain nat_out {
		type nat hook output priority -100; policy accept;
		meta skuid $TOR_UID return
		ip daddr 127.0.0.0/8 return
		meta l4proto tcp redirect to :$TRANS_PORT
	}
}
EOF
}
remove_rules() { inc nft delete table inet ttpsys_redir; }
op_sock_kill() { inc "$TOOL" sock-kill "$TRANS_PORT"; }
op_ct_flush() { inc "$TOOL" ct-flush; }

far_packets() {
	inf nft list counter inet ttpsys_far from_client |
	    awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

[ "$(id -u)" -eq 0 ] || bail "needs root"
[ -x "$TOOL" ] || bail "missing $TOOL (build first)"
TMP=$(mktemp -d /tmp/ttpsys_sockkill.XXXXXX) || bail "mktemp"
chmod 755 "$TMP"

# --- namespaces and the veth; no IPv6 so no stray ND/MLD noise
ip netns add "$C" && ip netns add "$F" || bail "ip netns add"
ip link add "$C" netns "$C" type veth peer name "$F" netns "$F" || bail "veth"
for ns in "$C" "$F"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" ip link set lo up
done
inc ip addr add 198.51.100.2/24 dev "$C" && inc ip link set "$C" up &&
inf ip addr add 198.51.100.1/24 dev "$F" && inf ip link set "$F" up ||
    bail "addresses"

# --- far side: count every IPv4 packet from the client; a listener on :80
inf nft -f - <<'EOF' || bail "far counter"
table inet ttpsys_far {
	counter from_client { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip saddr 198.51.100.2 counter name "from_client"
	}
}
EOF
cat > "$TMP/far.py" <<'EOF'
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.1", 80)); s.listen(8); s.settimeout(1)
end = time.time() + 55
while time.time() < end:
    try:
        c, a = s.accept()
        print("far: accepted", a, c.recv(100), flush=True)
    except socket.timeout:
        pass
EOF
# (Background commands use `ip netns exec` itself, not inc/inf: $! must
# be the process, not a subshell running a function.)
ip netns exec "$F" "$PY" "$TMP/far.py" > "$TMP/far.log" 2>&1 &
PIDS+=($!)

# TransPort stand-in: holds every connection open, idle.
cat > "$TMP/transport.py" <<EOF
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", $TRANS_PORT)); s.listen(8); s.settimeout(1)
conns, end = [], time.time() + 40
while time.time() < end:
    try:
        c, a = s.accept(); conns.append(c)
        print("transport: accepted", a, c.recv(100), flush=True)
    except socket.timeout:
        pass
EOF
# Application: connect, say hello, stay idle until told, then send.
cat > "$TMP/app.py" <<'EOF'
import errno, os, socket, sys, time
c = socket.create_connection(("198.51.100.1", 80), timeout=5)
c.sendall(b"hello")
print("app: connected", c.getsockname(), flush=True)
for _ in range(300):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.1)
else:
    print("app: never told to send", flush=True); sys.exit(1)
# One send decides: a cleartext segment leaves, or the socket is dead.
try:
    c.send(b"CLEARTEXT-AFTER-TEARDOWN")
    print("app: sent", flush=True)
except OSError as e:
    print("app: send failed", errno.errorcode.get(e.errno, e.errno), flush=True)
EOF

start_transport() {
	ip netns exec "$C" setpriv --reuid=$TOR_UID --regid=$TOR_UID \
	    --clear-groups \
	    "$PY" "$TMP/transport.py" > "$TMP/transport.$1.log" 2>&1 &
	TRANSPORT_PID=$!
	PIDS+=("$TRANSPORT_PID")
	for ((i = 0; i < 50; i++)); do
		inc ss -Hltn "sport = :$TRANS_PORT" | grep -q LISTEN && return 0
		sleep 0.1
	done
	bail "TransPort stand-in did not start"
}

start_app() {
	ip netns exec "$C" setpriv --reuid=$APP_UID --regid=$APP_UID \
	    --clear-groups \
	    "$PY" "$TMP/app.py" "$TMP/go.$1" > "$TMP/app.$1.log" 2>&1 &
	APP_PID=$!
	PIDS+=("$APP_PID")
	wait_for 5 grep -Eq "connected" "$TMP/app.$1.log" ||
	    bail "$1: app did not connect: $(cat "$TMP/app.$1.log")"
	wait_for 5 grep -Eq "hello" "$TMP/transport.$1.log" ||
	    bail "$1: the connection was not redirected to the TransPort"
}

# stop_tor: Tor goes away first (its sockets close, as on shutdown).
stop_transport() {
	kill "$TRANSPORT_PID"
	timeout 5 tail --pid="$TRANSPORT_PID" -f /dev/null ||
	    bail "stand-in did not stop"
	sleep 0.2
}

# run NAME KILL(0/1): one experiment; sets SENT_PACKETS and APP_RESULT.
run() {
	local name=$1 kill=$2 before out
	load_rules || bail "$name: load rules"
	start_transport "$name"
	start_app "$name"
	before=$(far_packets)
	[ "$before" = 0 ] || [ "$name" != main ] ||
	    bail "$name: $before packet(s) reached the far side while redirected"
	stop_transport
	if [ "$kill" = 1 ]; then
		out=$(op_sock_kill) || bail "$name: SOCK_KILL: $out"
		note "$name: SOCK_KILL: $out"
		[ "$out" = "ok count=1" ] || bail "$name: expected 1 socket destroyed"
	fi
	out=$(op_ct_flush) || bail "$name: CT_FLUSH: $out"
	note "$name: CT_FLUSH: $out"
	remove_rules || bail "$name: remove rules"
	touch "$TMP/go.$name"
	wait_for 5 grep -Eq "sent|failed" "$TMP/app.$name.log" ||
	    bail "$name: app did not report: $(cat "$TMP/app.$name.log")"
	sleep 1			# let anything sent arrive
	APP_RESULT=$(grep -E "sent|failed" "$TMP/app.$name.log")
	SENT_PACKETS=$(( $(far_packets) - before ))
	note "$name: $APP_RESULT; far side counted $SENT_PACKETS packet(s)"
}

run main 1
check "main: after SOCK_KILL the idle socket cannot send ($APP_RESULT)" \
    grep -Eq "send failed (ECONNABORTED|EPIPE|ECONNRESET)" <<<"$APP_RESULT"
check "main: no packet left in cleartext after SOCK_KILL ($SENT_PACKETS)" \
    [ "$SENT_PACKETS" = 0 ]

run control 0
check "control: without SOCK_KILL the leak is reproduced (the test can see one)" \
    eval 'grep -q "app: sent" <<<"$APP_RESULT" && [ "$SENT_PACKETS" -gt 0 ]'
done_testing
