#!/bin/bash
# End-to-end, gateway mode and per-user isolation (docs/gateway.md): a "VM"
# network namespace behind a veth in the lab's client, which forwards (ip
# forwarding on, no reverse-path filter), so without ttp the VM's packets
# reach the lab's internet. With `ttp start -w --gateway <veth>
# --isolate-users`: the VM's HTTP by address, by name and over IPv6 arrives
# from the exit; its DNS is answered through Tor; its UDP, ICMP, ICMPv6 and
# spoofed-source packets put zero packets on the far side; two VM addresses
# and two local uids use different circuits (tor's control port, while the
# connections are open); status and `ttp rules --gateway` show it; tampering
# with the prerouting and forward chains leaks nothing and the watchdog
# repairs it; stop leaves nothing behind; with --no-ipv6 the VM's IPv6 is
# dropped. One lab for the whole file (about 80 s).
set -u
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

VMNS=${NS_PREFIX:-$TTPLAB_PREFIX}-vm
GWIF=${TTPLAB_PREFIX}gw		# the client's end (the gateway interface)
VMIF=${TTPLAB_PREFIX}vm0	# the VM's end
GW4=10.77.0.1 VM4=10.77.0.2 VM4B=10.77.0.3 GW6=fd77::1 VM6=fd77::2
SPOOF4=10.99.0.5 SPOOF6=fd99::5

[ -e "/run/netns/$VMNS" ] &&
    bail "namespace $VMNS exists; set NS_PREFIX/TTPLAB_PREFIX to another name"

# vm CMD...: CMD in the VM, whose resolv.conf names the lab's DNS server
# (a bind mount in a mount namespace of its own, gone with CMD).
vm() {
	ip netns exec "$VMNS" unshare -m --propagation private sh -c \
	    'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
	    "$E2E_TMP/vm-resolv.conf" "$@"
}
vm_down() { ip netns del "$VMNS" 2>/dev/null || true; }

vm_up() {
	ip netns add "$VMNS" || return 1
	on_exit vm_down
	ip netns exec "$TTPLAB_NS_CLI" ip link add "$GWIF" type veth peer name "$VMIF" &&
	ip netns exec "$TTPLAB_NS_CLI" ip link set "$VMIF" netns "$VMNS" &&
	ip netns exec "$TTPLAB_NS_CLI" ip addr add "$GW4/24" dev "$GWIF" &&
	ip netns exec "$TTPLAB_NS_CLI" ip addr add "$GW6/64" dev "$GWIF" nodad &&
	ip netns exec "$TTPLAB_NS_CLI" ip link set "$GWIF" up &&
	ip netns exec "$VMNS" ip link set lo up &&
	ip netns exec "$VMNS" ip addr add "$VM4/24" dev "$VMIF" &&
	ip netns exec "$VMNS" ip addr add "$VM4B/24" dev "$VMIF" &&
	ip netns exec "$VMNS" ip addr add "$SPOOF4/32" dev "$VMIF" &&
	ip netns exec "$VMNS" ip addr add "$VM6/64" dev "$VMIF" nodad &&
	ip netns exec "$VMNS" ip addr add "$SPOOF6/128" dev "$VMIF" nodad &&
	ip netns exec "$VMNS" ip link set "$VMIF" up &&
	ip netns exec "$VMNS" ip route add default via "$GW4" src "$VM4" &&
	ip netns exec "$VMNS" ip -6 route add default via "$GW6" src "$VM6" &&
	# A host that forwards, as a VM host does: without ttp, the VM's
	# packets (spoofed ones too) reach the lab's internet.
	ip netns exec "$TTPLAB_NS_CLI" sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
	    "net.ipv4.conf.$GWIF.rp_filter=0" || return 1
	ip netns exec "$VMNS" sysctl -qw net.ipv4.ping_group_range="0 2147483647" ||
	    return 1
	echo "nameserver $TTPLAB_DNS_IP4" >"$E2E_TMP/vm-resolv.conf"
}

# vm_probe ARGS...: e2e_probe.py in the VM; its line in $OUT, its status.
vm_probe() {
	local rc
	OUT=$(vm "$PY" "$PROBE" --timeout 3 "$@" 2>&1); rc=$?
	note "vm: $OUT"
	return $rc
}
vm_blocked() {
	local what=$1 rc; shift
	vm_probe "$@"; rc=$?
	if [ $rc -ne 0 ]; then pass "$what: blocked for the VM"
	else fail "$what: the VM got an answer: $OUT"; fi
}
# blocked WHAT PROBE_ARGS...: a local application's attempt must fail.
blocked() {
	local what=$1 rc; shift
	probe "$@"; rc=$?
	if [ $rc -ne 0 ]; then pass "$what: blocked for the application"
	else fail "$what: the application got an answer: $OUT"; fi
}
# vm_http WHAT URL [CURL ARGS]: the VM's request must arrive from the exit.
vm_http() {
	local what=$1 url=$2 t src; shift 2
	t=$(tag vm)
	OUT=$(vm curl -sS -g --max-time 20 "$@" "$url/?tag=$t" 2>&1)
	src=$(web_src "$TTPLAB_WEB_LOG" "$t")
	note "vm curl $url $*: '$OUT'; web server saw ${src:-nothing}"
	if [ -n "$src" ] && is_exit "$src" && [ "$OUT" = "$src" ]; then
		pass "$what: answered via the exit ($src)"
	else
		fail "$what: web server saw '${src:-nothing}', the VM got '$OUT'"
	fi
}

# circuits: "CIRC TARGET" of every open stream, from tor's control port
# (root, in the client, with tor's cookie).
circuits() {
	cli "$PY" - <<-'EOF'
	import socket
	s = socket.socket(socket.AF_UNIX)
	s.settimeout(5)
	s.connect("/run/tor/ttp/control.sock")
	f = s.makefile("rwb")
	def cmd(line):
	    f.write((line + "\r\n").encode()); f.flush()
	    out, data = [], False
	    while True:
	        l = f.readline().decode().rstrip("\r\n")
	        if data:
	            if l == ".":
	                data = False
	            else:
	                out.append(l)
	            continue
	        if l[3:4] == "+":
	            data = True
	            continue
	        if l[3:4] == " ":
	            if not l.startswith("250"):
	                raise SystemExit(l)
	            return out
	cookie = open("/run/tor/ttp/auth_cookie", "rb").read().hex()
	cmd("AUTHENTICATE " + cookie)
	for l in cmd("GETINFO stream-status"):
	    w = l.split()
	    if len(w) >= 4 and w[1] == "SUCCEEDED":
	        print(w[2], w[3])
	EOF
}

# streams_on WHAT: the two long HTTP requests started (stream-1, stream-2)
# are open; their streams to the web server must be on two circuits.
streams_on() {
	local what=$1 a b n
	wait_for 20 grep -q . "$E2E_TMP/stream-1.out" &&
	    wait_for 20 grep -q . "$E2E_TMP/stream-2.out"
	OUT=$(circuits 2>&1)
	note "$what: open streams (circuit target): $(tr '\n' ';' <<<"$OUT")"
	n=$(awk -v t="$TTPLAB_WEB_IP4:80" '$2 == t' <<<"$OUT" | wc -l)
	a=$(awk -v t="$TTPLAB_WEB_IP4:80" '$2 == t { print $1 }' <<<"$OUT" | sort -u | wc -l)
	b=$(cat "$E2E_TMP/stream-1.out" "$E2E_TMP/stream-2.out" | head -c 200 | tr '\n' ' ')
	if [ "$n" -eq 2 ] && [ "$a" -eq 2 ]; then
		pass "$what: 2 streams, 2 different circuits"
	else
		fail "$what: $n stream(s) to the web server on $a circuit(s) (want 2 on 2); apps: $b"
	fi
}
stream_url() { echo "http://$TTPLAB_WEB_IP4/stream?seconds=$1"; }
streams_end() {
	local pid
	for pid in "$S1" "$S2"; do
		kill -TERM "$pid" 2>/dev/null
		bg_wait "$pid" 5
	done
	rm -f "$E2E_TMP"/stream-*.out
}

e2e_up
if vm_up; then pass "the VM namespace behind the client (veth $GWIF)"
else bail "the VM namespace"; fi

note "--- baseline, before ttp: the client forwards the VM"
far_arm
vm "$PY" "$PROBE" --timeout 1 udp "$TTPLAB_WEB_IP4" 9999 >/dev/null 2>&1
vm "$PY" "$PROBE" --timeout 1 --bind "$SPOOF4" udp "$TTPLAB_WEB_IP4" 9998 >/dev/null 2>&1
n=$(far_count net) w=$(far_what net)
if [ "$n" -ge 2 ]; then pass "baseline: the VM's UDP, spoofed too, is forwarded and counted on the far side ($n: $w)"
else fail "baseline: the far side counted '$n' for the VM's two datagrams ($w)"; fi

note "--- bad gateway interfaces: refused, nothing changes"
for bad in lo no-such-if0 "$TTPLAB_CLI_IF" 'br0"x'; do
	ttp_quiet start --gateway "$bad"; rc=$?
	if [ $rc -eq 1 ] && [ "$(grep -c . <<<"$OUT")" -ge 1 ] && [ "$(fw_table)" = none ]; then
		pass "start --gateway '$bad': refused ($(head -n 1 <<<"$OUT" | cut -c1-110)), no table"
	else
		fail "start --gateway '$bad': rc $rc, table $(fw_table): $OUT"
	fi
done

note "--- ttp rules --gateway"
OUT=$(cli "$TTP" rules --gateway "$GWIF" --isolate-users 2>&1)
check "ttp rules --gateway: the prerouting redirects and the spoofing drop" \
    eval 'grep -q "iifname { \"$GWIF\" } meta l4proto tcp redirect to :9042" <<<"$OUT" &&
	grep -q "iifname { \"$GWIF\" } udp dport 53 redirect to :9055" <<<"$OUT" &&
	grep -q "iifname { \"$GWIF\" } fib saddr . iif oif missing counter drop" <<<"$OUT" &&
	grep -q "redirect to :meta skuid map @iso_trans" <<<"$OUT"'

note "--- ttp start -w --gateway $GWIF --isolate-users"
far_arm
t=$(now)
ttp start -w --gateway "$GWIF" --isolate-users; rc=$?
[ $rc -eq 0 ] || bail "ttp start -w --gateway --isolate-users (exit $rc)"
pass "ttp start -w --gateway --isolate-users exits 0 ($(elapsed "$t")s)"
check "start's summary names the gateway and the isolation" \
    eval 'grep -q "gateway  *$GWIF" <<<"$OUT" && grep -q "isolation  *per user" <<<"$OUT"'
ttp_quiet status --json
check "status --json: gateways [$GWIF], isolate_users, firewall intact" \
    json_is "gateways.0=$GWIF" isolate_users=true firewall_intact=true <<<"$OUT"
ttp_quiet status
check "ttp status lists the gateway and says isolation is on" \
    eval 'grep -q "gateway  *$GWIF" <<<"$OUT" && grep -q "isolation  *per user: on" <<<"$OUT"'
no_leak "during start"

note "--- the VM through Tor"
vm_http "VM HTTP by IP" "http://$TTPLAB_WEB_IP4"
vm_http "VM HTTP by name ($TTPLAB_WEB_NAME)" "http://$TTPLAB_WEB_NAME"
vm_http "VM HTTP from its second address" "http://$TTPLAB_WEB_IP4" --interface "$VM4B"
vm_http "VM HTTP over IPv6" "http://[$TTPLAB_WEB_IP6]"
name=$(tag vm).lab.test
OUT=$(vm dig +time=5 +tries=1 "@$TTPLAB_DNS_IP4" "$name" A 2>&1)
src=$(awk -v n="$name" 'tolower($5) == n { print $3 }' "$TTPLAB_DNS_LOG" | tail -n 1)
case $src in
"$TTPLAB_EXIT_IP4"|"$TTPLAB_EXIT_IP6"|"$TTPLAB_DNS_IP4"|"$TTPLAB_DNS_IP6")
	check "VM DNS: resolved at the exit, answered NXDOMAIN" grep -q 'status: NXDOMAIN' <<<"$OUT" ;;
*)	fail "VM DNS: the DNS server saw '${src:-nothing}'" ;;
esac
no_leak "the VM's HTTP and DNS"

note "--- what the VM may not send: nothing reaches the far side"
far_arm
vm_blocked "VM UDP to $TTPLAB_WEB_IP4:9999" udp "$TTPLAB_WEB_IP4" 9999
vm_blocked "VM ICMP echo" icmp "$TTPLAB_WEB_IP4"
vm_blocked "VM UDP over IPv6" udp "$TTPLAB_WEB_IP6" 9999
vm_blocked "VM ICMPv6 echo" icmp "$TTPLAB_WEB_IP6"
vm_blocked "VM UDP to the gateway host itself" udp "$GW4" 9999
vm_blocked "VM spoofed source $SPOOF4: TCP" --bind "$SPOOF4" tcp "$TTPLAB_WEB_IP4" 80
vm_blocked "VM spoofed source $SPOOF4: UDP" --bind "$SPOOF4" udp "$TTPLAB_WEB_IP4" 9999
vm_blocked "VM spoofed source $SPOOF6: TCP" --bind "$SPOOF6" tcp "$TTPLAB_WEB_IP6" 80
# In table inet ttp or in the anchor, whichever of the two gw_pre chains
# (same priority) the kernel runs first.
spoofed=$(ip netns exec "$TTPLAB_NS_CLI" nft list ruleset 2>/dev/null |
    awk '/fib saddr/ { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }')
check "the spoofed packets died in gw_pre ($spoofed counted)" test "$spoofed" -ge 3
blocked "local DNS to the gateway DNSPort (only from $GWIF)" udp 127.0.0.1 9055
blocked "local TCP to the gateway TransPort (only from $GWIF)" tcp 127.0.0.1 9042
OUT=$(ip netns exec "$TTPLAB_NS_LAN" "$PY" "$PROBE" --timeout 2 tcp "$TTPLAB_LAN_CLI_IP4" 9042 2>&1)
check "the LAN host cannot reach the gateway TransPort on the client's LAN address ($OUT)" \
    eval '! grep -q connected <<<"$OUT"'
OUT=$(ip netns exec "$TTPLAB_NS_LAN" "$PY" "$PROBE" --timeout 2 udp "$TTPLAB_LAN_CLI_IP4" 9055 2>&1)
check "the LAN host gets no answer from the gateway DNSPort ($OUT)" \
    eval '! grep -q answered <<<"$OUT"'
no_leak "VM UDP, ICMP, ICMPv6, spoofed sources"

note "--- circuits: two VM addresses, two local uids"
S1="" S2=""
bg_start ip netns exec "$VMNS" curl -sS -N --max-time 25 \
    --interface "$VM4" "$(stream_url 20)" >"$E2E_TMP/stream-1.out" 2>&1; S1=$BG_PID
bg_start ip netns exec "$VMNS" curl -sS -N --max-time 25 \
    --interface "$VM4B" "$(stream_url 20)" >"$E2E_TMP/stream-2.out" 2>&1; S2=$BG_PID
streams_on "VM $VM4 and $VM4B"
streams_end
bg_start "${AS_USER[@]}" curl -sS -N --max-time 25 "$(stream_url 20)" \
    >"$E2E_TMP/stream-1.out" 2>&1; S1=$BG_PID
bg_start "${CLI[@]}" setpriv --reuid=4242 --regid=4242 --clear-groups \
    curl -sS -N --max-time 25 "$(stream_url 20)" >"$E2E_TMP/stream-2.out" 2>&1; S2=$BG_PID
streams_on "local uid $E2E_UID and uid 4242 (not in passwd: the others' ports)"
streams_end
http_via_exit user "local HTTP with --isolate-users" "http://$TTPLAB_WEB_IP4"
http_via_exit user "local HTTP by name with --isolate-users (DNS on its own port)" \
    "http://$TTPLAB_WEB_NAME"
# uid 0 sorts first: its DNSPort is the base + 1. Its own uid may ask it,
# no other.
OUT=$(cli dig +time=3 +tries=1 -p 9101 @127.0.0.1 "$(tag root).lab.test" A 2>&1)
check "root asks its own DNSPort (127.0.0.1:9101) directly: answered" \
    grep -q 'status: NXDOMAIN' <<<"$OUT"
OUT=$(as_user dig +time=3 +tries=1 -p 9101 @127.0.0.1 "$(tag user).lab.test" A 2>&1)
check "uid $E2E_UID asks root's DNSPort directly: refused" \
    eval '! grep -q "status:" <<<"$OUT"'

# vm_send: the VM's TCP, UDP and DNS, each once, not waiting for answers.
vm_send() {
	vm "$PY" "$PROBE" --timeout 1 tcp "$TTPLAB_WEB_IP4" 80 >/dev/null 2>&1
	vm "$PY" "$PROBE" --timeout 1 udp "$TTPLAB_WEB_IP4" 9999 >/dev/null 2>&1
	vm "$PY" "$PROBE" --timeout 1 udp "$TTPLAB_DNS_IP4" 53 >/dev/null 2>&1
	vm "$PY" "$PROBE" --timeout 1 tcp "$TTPLAB_WEB_IP6" 80 >/dev/null 2>&1
}
wd_json() { cli "$TTP" watchdog status --json 2>/dev/null; }

note "--- tampering (-w): prerouting flushed, forwarding accepted (one batch)"
far_arm
printf 'flush chain inet ttp prerouting\nchain inet ttp filter_fwd { policy accept ; }\n' |
    cli nft -f -; rc=$?
check "the tampering batch exits 0" [ $rc -eq 0 ]
vm_send
no_leak "prerouting flushed, forward accepting: the VM's TCP, UDP, DNS"
check "the watchdog locks down, then puts the session's rules back" \
    wait_for 10 eval '[ "$(fw_table)" = session ] && cli nft list chain inet ttp prerouting | grep -q "iifname" && [ "$(wd_json | json_get repairs)" -ge 1 ]'
note "watchdog: $(wd_json | head -c 400)"
vm_http "VM HTTP after the repair" "http://$TTPLAB_WEB_IP4"
no_leak "tampering and repair"

note "--- tampering again (-w): the forward chain deleted"
far_arm
cli nft delete chain inet ttp filter_fwd; rc=$?
check "nft delete chain inet ttp filter_fwd exits 0" [ $rc -eq 0 ]
vm_send
check "the same fault within the window: the watchdog leaves the host in lockdown" \
    wait_for 10 eval '[ "$(fw_table)" = lockdown ] && [ "$(wd_json | json_get mode)" = lockdown ]'
note "watchdog: $(wd_json | head -c 400)"
vm_send
vm_blocked "VM HTTP in lockdown" http "$TTPLAB_WEB_IP4" 80 /
no_leak "forward chain deleted, lockdown: nothing of the VM forwarded"

note "--- ttp stop"
far_arm
ttp_quiet stop; rc=$?
check "ttp stop exits 0" [ $rc -eq 0 ]
no_leak "stop"
nothing_left "after stop"

note "--- ttp start --gateway $GWIF --no-ipv6: the VM's IPv6 dropped"
far_arm
ttp_quiet start --gateway "$GWIF" --no-ipv6; rc=$?
check "ttp start --gateway --no-ipv6 exits 0" [ $rc -eq 0 ]
vm_http "VM HTTP by IP with --no-ipv6" "http://$TTPLAB_WEB_IP4"
vm_blocked "VM HTTP over IPv6 with --no-ipv6" http "$TTPLAB_WEB_IP6" 80 /
vm_blocked "VM UDP over IPv6 with --no-ipv6" udp "$TTPLAB_WEB_IP6" 9999
no_leak "--no-ipv6 gateway session"
ttp_quiet stop; rc=$?
check "ttp stop exits 0" [ $rc -eq 0 ]
nothing_left "after the second stop"
vm_down
check "the VM namespace is gone" test ! -e "/run/netns/$VMNS"

e2e_finish
