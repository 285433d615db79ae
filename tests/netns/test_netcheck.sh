#!/bin/bash
# ttp-netcheck under its own seccomp allowlist, against servers in a
# private network + mount namespace created here: name resolution through
# a resolver (glibc stub resolver, libcurl's resolver thread), IPv4 and
# IPv6, HTTPS (OpenSSL's handshake and CA store; the server's certificate
# is self-signed, so the check fails, cleanly), the JSON and bare answers,
# latency, the leak checks. The assertion that matters: netcheck is never
# killed by its allowlist (exit < 128) and gives the expected answers.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${TTP_BIN:-$HERE/../../build/bin}
LAB=$HERE/../lab
# shellcheck source=tests/lib/harness.sh
. "$HERE/../lib/harness.sh"
[ "$(id -u)" -eq 0 ] || bail "needs root"
TMP=$(mktemp -d /tmp/ttpnc.XXXXXX)
on_exit rm -rf "$TMP"

cat > "$TMP/inner.sh" <<'INNER'
set -u
BIN=$1 LAB=$2 TMP=$3 PY=/usr/bin/python3 pids=()
# shellcheck disable=SC1090
. "$H_LIB"
on_exit eval 'for p in "${pids[@]}"; do kill "$p"; done'
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
    bail "not in a network namespace of its own"
ip link set lo up
# A real (non-loopback) address, as every host has: with one, glibc's
# getaddrinfo(AI_ADDRCONFIG) asks the kernel over netlink which address
# families exist, a path netcheck's allowlist must permit.
ip link add ttpnc0 type veth peer name ttpnc1
ip addr add 192.0.2.99/24 dev ttpnc0
ip addr add 2001:db8::99/64 dev ttpnc0 nodad
ip link set ttpnc0 up && ip link set ttpnc1 up
printf 'nameserver 127.0.0.1\n' > "$TMP/resolv.conf"
mount --bind "$TMP/resolv.conf" /etc/resolv.conf
$PY "$LAB/dns.py" --listen 127.0.0.1 --record check.test=127.0.0.1,::1 \
    --record v6.test=::1 --log "$TMP/dns.log" --pidfile "$TMP/dns.pid" &
pids+=($!)
$PY "$LAB/web.py" --listen 127.0.0.1:80 --listen '[::1]:80' \
    --exit 127.0.0.1 --exit ::1 --log "$TMP/web.log" --pidfile "$TMP/web.pid" &
pids+=($!)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=check.test \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
$PY - "$TMP" <<'PY' &
import http.server, ssl, sys
d = sys.argv[1]
s = http.server.HTTPServer(("127.0.0.1", 8443), http.server.BaseHTTPRequestHandler)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(d + "/cert.pem", d + "/key.pem")
s.socket = c.wrap_socket(s.socket, server_side=True)
open(d + "/tls.ready", "w").close()
s.serve_forever()
PY
pids+=($!)
for ((i = 0; i < 50; i++)); do
	[ -e "$TMP/dns.pid" ] && [ -e "$TMP/web.pid" ] && [ -e "$TMP/tls.ready" ] && break
	sleep 0.1
done

nc() { timeout 30 "$BIN/ttp-netcheck" --timeout 5 "$@"; }
expect() {	# NAME RC-WANTED PATTERN CMD...
	local name=$1 want=$2 pat=$3 out rc; shift 3
	out=$(nc "$@" 2>&1); rc=$?
	if [ $rc -ge 128 ]; then fail "$name: killed (status $rc): $out"
	elif [ $rc -ne "$want" ]; then fail "$name: exit $rc, wanted $want: $out"
	elif ! [[ $out =~ $pat ]]; then fail "$name: unexpected answer: $out"
	else pass "$name"; fi
}
expect "ip by name (JSON answer)" 0 '"ok":true.*"ip":"(127.0.0.1|::1)".*"is_tor":true' \
    ip http://check.test/api/ip
expect "ip: fallback to a bare answer" 0 '"url":"http://check.test/ip"' \
    ip http://nosuch.test/api/ip http://check.test/ip
expect "https: certificate refused, no kill" 1 'certificate|SSL' \
    ip https://check.test:8443/api/ip
expect "check with latency" 0 '"latency":\{"ok":true' \
    check http://check.test/api/ip --latency http://check.test/
expect "leak checks over IPv4 and IPv6" 0 '"ipv6":\{[^}]*"ip":"::1"' \
    -v leak --v4 http://check.test/ip --v6 http://v6.test/ip
expect "unreachable URL named in the error" 1 'nosuch.test' \
    ip http://nosuch.test/api/ip
done_testing
INNER

# The checks run in the namespaces; their results are this file's.
in_child timeout 120 unshare --net --mount --propagation private \
    bash "$TMP/inner.sh" "$BIN" "$LAB" "$TMP"
done_testing
