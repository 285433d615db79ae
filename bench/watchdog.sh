#!/bin/bash
# The watchdog's reaction time, for bench/run: a throw-away
# network and mount namespace (unshare), a veth pair inside it so a link
# is up, a stand-in for Tor's TransPort, a BYOD session (`ttp start
# --external-daemon`), the watchdog in the foreground with --recur-window 0,
# then build/bench/bench_watchdog tampers with the table and times the
# answers. Nothing here touches the host's network or mounts.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-20}
TOR_UID=64001
if [ "${TTP_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench/watchdog.sh: needs root" >&2; exit 2; }
	TMP=$(mktemp -d /tmp/ttpwdbench.XXXXXX)
	trap 'rm -rf "$TMP"' EXIT
	chmod 755 "$TMP"
	TTP_BENCH_INNER=1 TTP_BENCH_TMP=$TMP timeout 120 \
	    unshare --net --mount --propagation private "$0" "$N"
	exit
fi

TMP=$TTP_BENCH_TMP
PIDS=()
cleanup() {
	"$ROOT/build/bin/ttp" stop >/dev/null 2>&1 || true
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o mode=0755 ttpwdbench /run
printf 'nameserver 192.0.2.53\n' >"$TMP/resolv.conf"
chmod 644 "$TMP/resolv.conf"
mount --bind "$TMP/resolv.conf" "$(readlink -f /etc/resolv.conf)"
ip link set lo up
ip link add ttpwdb0 type veth peer name ttpwdb1
ip link set ttpwdb0 up
ip link set ttpwdb1 up
cat >"$TMP/ttp.conf" <<EOC
[check]
ip_urls = http://192.0.2.1/ip
EOC
chmod 600 "$TMP/ttp.conf"
export TTP_CONFIG=$TMP/ttp.conf
setpriv --reuid=$TOR_UID --regid=$TOR_UID --clear-groups /usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9041)); s.listen(16); time.sleep(120)' &
PIDS+=($!)
for _ in $(seq 50); do ss -ltn | grep -q 127.0.0.1:9041 && break; sleep 0.1; done
"$ROOT/build/bin/ttp" start --external-daemon --tor-uid $TOR_UID >/dev/null 2>&1
"$ROOT/build/bin/ttp" watchdog run --recur-window 0 2>/dev/null &
PIDS+=($!)
for _ in $(seq 50); do
	"$ROOT/build/bin/ttp" watchdog status --json | grep -q '"active"' && break
	sleep 0.1
done
TTP_BENCH_NETNS=1 "$ROOT/build/bench/bench_watchdog" "$N"
