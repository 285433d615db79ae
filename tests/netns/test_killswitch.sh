#!/bin/bash
# The kill switch against other programs (docs/killswitch.md). A real BYOD
# session (session_lib.sh) runs while another program does to nftables what
# firewall services, firewall managers, container runtimes and admins do:
# flush the ruleset, delete or flush ttp's table or a chain of it, insert
# accept rules, reload an nftables.conf that starts with `flush ruleset`,
# add a table of its own with `policy accept` chains. Throughout, an
# ordinary uid sends a UDP datagram and a TCP SYN to a public IPv4 and an
# IPv6 address every millisecond (standin.py blast) and the far side counts
# every packet: the assertion is zero, with and without the watchdog. The
# other program's commands succeed where they can; with the watchdog the
# session works through the stand-in Tor again; without it, status and
# diagnose say what is missing and how to recover. Then kill -9 of
# ttp-anchor, of the watchdog, of all of them; stop, stop --restore-only
# and the next start recover. A control run (the anchor gone) shows that
# the harness sees the leak the anchor prevents.
set -u
export NS_PREFIX=ttpks
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=session_lib.sh
source "$(dirname "$0")/session_lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root"
[ -x "$TTP" ] || bail "build first"
command -v nft >/dev/null || bail "nft is missing (make deps)"
ns_create || bail "namespaces"
session_pin_neighbours || bail "neighbour entries"
standins_start || bail "stand-ins"
session_holder_start || bail "holder"

on_exit ttp stop --restore-only

# A distribution's /etc/nftables.conf, as nftables.service loads it.
cat >"$LIB_TMP/nftables.conf" <<'EOF'
#!/usr/sbin/nft -f
flush ruleset
table inet filter {
	chain input { type filter hook input priority filter; policy accept; }
	chain forward { type filter hook forward priority filter; policy accept; }
	chain output { type filter hook output priority filter; policy accept; }
}
EOF
# Another program's own table, accepting everything before ttp's chains.
cat >"$LIB_TMP/accept-all.nft" <<'EOF'
table inet other {
	chain out { type filter hook output priority -300; policy accept; accept; }
	chain post { type filter hook postrouting priority -300; policy accept; accept; }
}
EOF
# Everything of ttp's table opened up at once.
cat >"$LIB_TMP/open-ttp.nft" <<'EOF'
insert rule inet ttp output accept
insert rule inet ttp filter_out accept
EOF
cat >"$LIB_TMP/delete-chain.nft" <<'EOF'
flush chain inet ttp filter_out
delete chain inet ttp filter_out
EOF
cat >"$LIB_TMP/delete-nat.nft" <<'EOF'
flush chain inet ttp output
delete chain inet ttp output
EOF
# replace_reject: the kill switch's final reject, replaced by an accept
# (by its handle, as a firewall manager editing rules in place would).
replace_reject() {
	local h
	h=$(nft -a list chain inet ttp filter_out |
	    sed -n 's/.*counter .*reject .*# handle \([0-9]*\)$/\1/p' | tail -1)
	[ -n "$h" ] && nft replace rule inet ttp filter_out handle "$h" accept
}
export -f replace_reject

BLAST_PID=
blast_start() {	# blast_start SECONDS
	ip netns exec "$NS_C" setpriv --reuid="$USER_UID" --regid="$USER_UID" \
	    --clear-groups "$PY" "$STANDIN" blast "$1" "$F4" "$F6" \
	    >"$LIB_TMP/blast.log" 2>&1 &
	BLAST_PID=$!
	LIB_PIDS+=("$BLAST_PID")
	sleep 0.3	# running before the tampering
}
blast_wait() {
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$BLAST_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$BLAST_PID" 2>/dev/null
	wait "$BLAST_PID" 2>/dev/null
	sleep 0.2	# let any stray packet arrive
}
blast_rounds() { sed -n 's/^BLAST \([0-9]*\)$/\1/p' "$LIB_TMP/blast.log"; }
works() { [[ $(probe "$USER_UID" tcp "$F4" "$FAR_PORT") =~ ^STANDIN\ $F4:$FAR_PORT\ ECHO=ok$ ]]; }
# No ttp-anchor left (a zombie is being reaped: not counted).
no_anchor_proc() { ! pgrep --ns "$HOLDER" --nslist net -x -r RSDT ttp-anchor >/dev/null; }
host_clean() {
	[ "$(cli nft list tables | grep -c ' ttp')" = 0 ] &&
	    ! cli grep -q 127.0.0.1 /etc/resolv.conf &&
	    [ "$(lock_state)" = inactive ] && wait_for 2 no_anchor_proc
}

# tamper_case WD NAME RC CMD...: a fresh session (-w when WD is 1), the
# blast, CMD by another program halfway; RC is what CMD must exit with
# (0: it must keep working; 1: ttp's anchor refuses it).
tamper_case() {
	local wd=$1 name=$2 want=$3 rc n tag; shift 3
	tag="$name$([ "$wd" = 1 ] && echo " (-w)")"
	local opt=()
	[ "$wd" = 1 ] && opt=(-w)
	if ! start_session "${opt[@]}"; then
		fail "$tag: start: $(cat "$LIB_TMP/start.log")"
		return
	fi
	far_reset
	blast_start 1.5
	cli "$@" >"$LIB_TMP/tamper.out" 2>&1
	rc=$?
	blast_wait
	n=$(far_count)
	[ "$n" = 0 ] && pass "$tag: 0 packets on the far side ($(blast_rounds) rounds)" ||
	    fail "$tag: $n packet(s) reached the far side ($(blast_rounds) rounds)"
	[ "$rc" = "$want" ] && pass "$tag: the command exits $rc" ||
	    fail "$tag: the command exits $rc (want $want): $(cat "$LIB_TMP/tamper.out")"
	[ "$(anchor_tables)" = 1 ] && pass "$tag: the anchor is still there" ||
	    fail "$tag: anchor tables: $(cli nft list tables)"
	if [ "$wd" = 1 ]; then
		wait_for 3 fw_intact && works &&
		    pass "$tag: repaired, traffic goes through the stand-in Tor again" ||
		    fail "$tag: not repaired: $(ttp status)"
	elif ! fw_intact; then
		ttp status >"$LIB_TMP/status.out" 2>&1
		ttp diagnose >"$LIB_TMP/diag.out" 2>&1
		grep -q "by another program.*sudo ttp restart" "$LIB_TMP/status.out" &&
		    grep -q "recover with 'sudo ttp restart'" "$LIB_TMP/diag.out" &&
		    pass "$tag: status and diagnose say what happened and how to recover" ||
		    fail "$tag: status/diagnose: $(cat "$LIB_TMP/status.out") / $(grep '=>' "$LIB_TMP/diag.out")"
	fi
	stop_session && host_clean && pass "$tag: ttp stop recovers the host" ||
	    fail "$tag: stop: $(cat "$LIB_TMP/stop.log"); $(cli nft list tables)"
	# The other program's own tables are not ttp's business.
	cli nft delete table inet filter 2>/dev/null
	cli nft delete table inet other 2>/dev/null
}

for wd in 0 1; do
	note "== other programs, $([ "$wd" = 1 ] && echo "with" || echo "without") the watchdog"
	tamper_case $wd "nft flush ruleset" 0 nft flush ruleset
	tamper_case $wd "nft -f nftables.conf (flush ruleset first)" 0 nft -f "$LIB_TMP/nftables.conf"
	tamper_case $wd "nft delete table inet ttp" 0 nft delete table inet ttp
	tamper_case $wd "nft flush table inet ttp" 0 nft flush table inet ttp
	tamper_case $wd "flush and delete chain filter_out" 0 nft -f "$LIB_TMP/delete-chain.nft"
	tamper_case $wd "flush the nat chain" 0 nft flush chain inet ttp output
	tamper_case $wd "flush and delete the nat chain" 0 nft -f "$LIB_TMP/delete-nat.nft"
	tamper_case $wd "replace the final reject by accept" 0 bash -c replace_reject
	tamper_case $wd "accept rules in ttp's nat and filter chains" 0 nft -f "$LIB_TMP/open-ttp.nft"
	tamper_case $wd "a table of its own accepting everything" 0 nft -f "$LIB_TMP/accept-all.nft"
	tamper_case $wd "nft delete table inet ttp_anchor0" 1 nft delete table inet ttp_anchor0
	tamper_case $wd "nft flush chain of the anchor" 1 nft flush chain inet ttp_anchor0 filter_out
done

note "== a connection redirected into Tor before another program flushes the ruleset"
# The anchor's empty nat chain keeps the kernel translating it: it carries
# on through (stand-in) Tor, instead of heading for its real destination.
start_session || fail "start: $(cat "$LIB_TMP/start.log")"
rm -f "$LIB_TMP/go"
chmod 755 "$LIB_TMP"
PROBE_TIMEOUT=3 probe "$USER_UID" keep "$F4" "$FAR_PORT" "$LIB_TMP/go" >"$LIB_TMP/keep.log" &
KEEP=$!
wait_for 3 grep -q "^connected STANDIN $F4:$FAR_PORT" "$LIB_TMP/keep.log" ||
    fail "keep: no redirected connection: $(cat "$LIB_TMP/keep.log")"
far_reset
cli nft flush ruleset
touch "$LIB_TMP/go"
wait "$KEEP"
n=$(far_count)
grep -q '^ECHO2=ok$' "$LIB_TMP/keep.log" && [ "$n" = 0 ] &&
    pass "flush ruleset: a connection redirected before it still reaches the stand-in Tor, 0 packets on the far side" ||
    fail "flush ruleset: the redirected connection: $(tr '\n' ' ' <"$LIB_TMP/keep.log"), far side $n packet(s)"
stop_session && host_clean || fail "stop after the kept connection: $(cat "$LIB_TMP/stop.log")"

note "== ICMPv6 neighbour discovery and MLD only as the kernel sends them"
# Root's raw socket sends what the kernel would (a neighbour solicitation
# with hop limit 255 to the far side's global address, an MLDv2 report):
# with a socket behind them they are not the kernel's own, in the session
# as in lockdown. Neighbour entries are permanent here, so the kernel
# itself sends no solicitation to that address.
raw_nd() {	# raw_nd: a neighbour solicitation from a root raw socket
	in_client "$PY" - "$F6" <<-'EOF'
	import socket, struct, sys
	s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
	s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
	ns = struct.pack('!BBHI', 135, 0, 0, 0) + socket.inet_pton(socket.AF_INET6, sys.argv[1])
	for _ in range(3):
	    s.sendto(ns, (sys.argv[1], 0))
	EOF
}
nd_capture() {	# nd_capture CMD...: NS to F6 seen on the far side while CMD runs
	rm -f "$LIB_TMP/nd.pcap" "$LIB_TMP/nd.err"
	ip netns exec "$NS_F" tcpdump -n -U --immediate-mode -Q in -i "$IF_F" \
	    -w "$LIB_TMP/nd.pcap" "icmp6 and ip6[40] == 135 and ip6 dst $F6" \
	    >/dev/null 2>"$LIB_TMP/nd.err" &
	local cap=$!
	LIB_PIDS+=("$cap")
	wait_for 5 grep -q listening "$LIB_TMP/nd.err"
	"$@" >/dev/null 2>&1
	sleep 0.3
	kill "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	tcpdump -n -r "$LIB_TMP/nd.pcap" 2>/dev/null | wc -l
}
start_session || fail "start: $(cat "$LIB_TMP/start.log")"
n=$(nd_capture raw_nd)
[ "$n" = 0 ] && pass "session: a raw-socket neighbour solicitation from root is dropped" ||
    fail "session: $n raw neighbour solicitation(s) from root reached the far side"
# Lockdown: a stop killed right after its FW_LOCKDOWN leaves it in place.
TTP_TEST_CRASH_AT=FW_LOCKDOWN cli timeout 20 "$TTP" stop >/dev/null 2>&1
n=$(nd_capture raw_nd)
[ "$n" = 0 ] && [ "$(fw_state)" = lockdown ] &&
    pass "lockdown: a raw-socket neighbour solicitation from root is dropped" ||
    fail "lockdown: $n raw neighbour solicitation(s) reached the far side (table $(fw_state))"
stop_session
n=$(nd_capture raw_nd)
[ "$n" -gt 0 ] && pass "control: without ttp the same solicitation arrives ($n), the capture sees it" ||
    fail "control: the raw solicitation never arrives, even without ttp: the capture is blind"

note "== kill -9 of ttp's processes"
# ttp-anchor alone: the session's own table still fails closed.
start_session || fail "start: $(cat "$LIB_TMP/start.log")"
A=$(anchor_pid)
far_reset
blast_start 1.5
[ -n "$A" ] && kill -9 "$A"
blast_wait
n=$(far_count)
[ -n "$A" ] && [ "$n" = 0 ] && gone_within 20 "$A" && [ "$(anchor_tables)" = 0 ] &&
    fw_intact && works &&
    pass "kill -9 ttp-anchor: its table goes, ttp's stays: 0 packets, Tor still works" ||
    fail "kill -9 ttp-anchor ($A): $n packet(s), anchors $(anchor_tables)"
ttp status 2>&1 | grep -q "anchor *MISSING.*sudo ttp restart" &&
    pass "status: the anchor is missing, run 'sudo ttp restart'" ||
    fail "status after the anchor died: $(ttp status 2>&1)"
# Control: without the anchor, a flush by another program leaks, in this
# very harness.
far_reset
blast_start 1.5
cli nft flush ruleset
blast_wait
n=$(far_count)
[ "${n:-0}" -gt 0 ] && pass "control: anchor gone, nft flush ruleset leaks ($n packets): the harness sees leaks" ||
    fail "control: no leak seen without the anchor: the far side is blind"
stop_session && host_clean && pass "stop after the anchor died: host clean" ||
    fail "stop: $(cat "$LIB_TMP/stop.log")"

# With the watchdog, a dead ttp-anchor is replaced: the watchdog's privd
# makes a new anchor and its monitor starts a new ttp-anchor to hold it.
start_session -w || fail "start -w: $(cat "$LIB_TMP/start.log")"
A=$(anchor_pid)
far_reset
blast_start 1.5
[ -n "$A" ] && kill -9 "$A"
blast_wait
n=$(far_count)
new_anchor() { B=$(anchor_pid); [ -n "$B" ] && [ "$B" != "$A" ] && [ "$(anchor_tables)" = 1 ]; }
[ -n "$A" ] && [ "$n" = 0 ] && wait_for 3 new_anchor && fw_intact && works &&
    ttp status 2>&1 | grep -q "anchor *held by ttp-anchor (pid $B)" &&
    pass "-w: kill -9 ttp-anchor: a new anchor (pid $A -> $B), 0 packets, Tor works" ||
    fail "-w: kill -9 ttp-anchor ($A): $n packet(s), anchors $(anchor_tables), lock says $(anchor_pid): $(cli tail -n 5 /run/ttp/ttp.log)"
# and a flush by another program now is stopped by the new anchor
far_reset
blast_start 1.5
cli nft flush ruleset
blast_wait
n=$(far_count)
[ "$n" = 0 ] && wait_for 3 fw_intact && works &&
    pass "-w: after the anchor's repair, nft flush ruleset: 0 packets, repaired" ||
    fail "-w: flush after the anchor's repair: $n packet(s), $(ttp status 2>&1 | tr '\n' '|')"
stop_session && host_clean && pass "-w: stop after the anchor's repair: host clean" ||
    fail "-w: stop: $(cat "$LIB_TMP/stop.log"); $(cli nft list tables)"

# restart brings a new anchor (the other slot first, then the old goes).
start_session || fail "start: $(cat "$LIB_TMP/start.log")"
A=$(anchor_pid)
far_reset
blast_start 1.5
ttp restart --external-daemon --tor-uid "$TOR_UID" >"$LIB_TMP/restart.log" 2>&1
rc=$?
blast_wait
n=$(far_count)
B=$(anchor_pid)
[ $rc = 0 ] && [ "$n" = 0 ] && [ -n "$B" ] && [ "$B" != "$A" ] && gone_within 20 "$A" &&
    [ "$(anchor_tables)" = 1 ] && fw_intact && works &&
    pass "restart under traffic: 0 packets, a new anchor, the old one gone" ||
    fail "restart: rc $rc, $n packet(s), anchors $A -> $B, $(cli nft list tables)"

# Everything at once: the anchor, the watchdog (monitor, guard, privd).
ttp watchdog start >/dev/null 2>&1
sleep 0.3
pids=$(for p in ttp-anchor ttp-privd; do pgrep --ns "$HOLDER" --nslist net -x "$p"; done
    pgrep --ns "$HOLDER" --nslist net -f "ttp watchdog run")
far_reset
blast_start 1.5
# shellcheck disable=SC2086
kill -9 $pids 2>/dev/null
blast_wait
n=$(far_count)
[ "$n" = 0 ] && [ "$(fw_state)" = session ] && works &&
    pass "kill -9 of every ttp process ($(echo $pids | wc -w)): 0 packets, ttp's table stays" ||
    fail "kill -9 all: $n packet(s), firewall $(fw_state)"
start_session
grep -q "run 'sudo ttp stop' or 'sudo ttp restart'" "$LIB_TMP/start.log" &&
    pass "start refuses while the old session's tor runs, and says what to do" ||
    fail "start after kill -9: $(cat "$LIB_TMP/start.log")"
ttp stop --restore-only >"$LIB_TMP/stop.log" 2>&1 && host_clean &&
    pass "stop --restore-only recovers the host" ||
    fail "stop --restore-only: $(cat "$LIB_TMP/stop.log"); $(cli nft list tables)"

# An anchor the lock does not know (its command died before recording it).
start_session || fail "start: $(cat "$LIB_TMP/start.log")"
cli rm -f /run/ttp/ttp.lock
ttp stop --restore-only >"$LIB_TMP/stop.log" 2>&1 && host_clean &&
    pass "stop --restore-only without a lock ends the anchor too" ||
    fail "orphan anchor: $(cat "$LIB_TMP/stop.log"); $(cli nft list tables)"
start_session && works && stop_session && host_clean &&
    pass "the next start and stop work" || fail "start after recovery: $(cat "$LIB_TMP/start.log")"
done_testing
