# shellcheck shell=bash
# shellcheck disable=SC2034  # variables used by the sourcing scripts
# The CLI tests' harness (sourced, bash): the real `ttp` driving a BYOD
# session (`ttp start --external-daemon`) in namespaces, with real packets
# and no tor. It extends tests/netns/lib.sh (client + far-side namespaces
# joined by a veth, far-side packet counter, stand-ins, probes):
#
#  - Tor's TransPort is tests/cli/byod.py as TOR_UID: it logs where every
#    redirected connection was going and answers the exit check itself
#    (the [check] URLs are http://$F4/..., port 80, and it claims to be the
#    Tor exit $EXIT_IP with IsTor true: what a real Tor exit would answer).
#    The DNSPort is tests/tools/standin.py as TOR_UID.
#  - Every ttp command runs in the client's network namespace AND in a
#    private mount namespace (propagation private) held open by one sleeping
#    process, HOLDER, for the whole test, so `ttp start` and a later
#    `ttp stop` see the same mounts. Its run_dir/tor_run_dir live on a tmpfs
#    mounted only there, and the resolv.conf overlay lands only there: the
#    host's /etc/resolv.conf, /run and network are never touched.
#  - Its configuration is a temporary file passed as TTP_CONFIG.
#
# State probes look into those namespaces: has_table (table inet ttp),
# table_kind (session/lockdown), has_overlay (a mount on /etc/resolv.conf),
# has_lock (<run_dir>/ttp.lock, through /proc/HOLDER/root).

NS_PREFIX=${NS_PREFIX:-ttpcli}
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"
BYOD=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/byod.py
EXIT_IP=192.0.2.15
HOLDER=
CONF='' RUN='' RUN_DIR=''

# Stop everything left in the client namespace (started here: the
# namespace is ours), before lib.sh's cleanup removes it.
cli_cleanup() {
	local p
	for p in $(ip netns pids "$NS_C" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	return 0
}

# write_conf FILE [EXTRA-LINES]: a configuration for this harness.
write_conf() {
	cat > "$1" <<-EOF
	# ttp CLI test configuration (tests/cli/lib.sh)
	[tor]
	data_dir = $RUN/tor-data
	[paths]
	run_dir = $RUN_DIR
	tor_run_dir = $RUN/tor
	state_dir = $RUN/state
	[check]
	ip_urls = http://$F4/api/ip http://$F4/ip
	latency_url = http://$F4/
	leak_ipv4_url = http://$F4/ip
	leak_ipv6_url = http://[$F6]/ip
	EOF
	[ $# -gt 1 ] && printf '%s\n' "$2" >> "$1"
	chmod 644 "$1"
}

# use_supervised_tor: from here on, commands use a configuration with the
# real tor, supervised by ttp, that never touches a network (DisableNetwork
# 1), so it never bootstraps. Fails when tor or its user is missing.
use_supervised_tor() {
	TOR_BIN=$(command -v tor) && id debian-tor >/dev/null 2>&1 || return 1
	printf 'DisableNetwork 1\n' > "$LIB_TMP/torrc-append"
	chmod 644 "$LIB_TMP/torrc-append"
	write_conf "$LIB_TMP/tor.conf" "$(printf '[tor]\nbinary = %s\ntorrc_append = %s' \
	    "$TOR_BIN" "$LIB_TMP/torrc-append")"
	export TTP_CONF=$LIB_TMP/tor.conf
}

# cli_setup: namespaces, stand-ins, the mount-namespace holder, the config.
cli_setup() {
	ns_create || return 1
	on_exit cli_cleanup
	chmod 755 "$LIB_TMP"
	RUN=$LIB_TMP/run RUN_DIR=$LIB_TMP/run/ttp CONF=$LIB_TMP/ttp.conf
	mkdir -p "$RUN"
	write_conf "$CONF"
	local tor=(setpriv --reuid="$TOR_UID" --regid="$TOR_UID" --clear-groups)
	# shellcheck disable=SC2086  # BYOD_ARGS: options, split on purpose
	bg trans ip netns exec "$NS_C" "${tor[@]}" "$PY" "$BYOD" --lifetime 900 \
	    ${BYOD_ARGS:-} trans "$TRANS_PORT" "$EXIT_IP"
	bg dns ip netns exec "$NS_C" "${tor[@]}" "$PY" "$STANDIN" --lifetime 900 \
	    dns "$DNS_PORT" "$DNS_ANSWER"
	bg far ip netns exec "$NS_F" "$PY" "$STANDIN" --lifetime 900 \
	    far "$FAR_PORT" 9999 53 80
	# The holder: private mounts, a tmpfs for the run directories.
	# shellcheck disable=SC2016  # $1 is the inner shell's
	bg holder ip netns exec "$NS_C" unshare --mount --propagation private \
	    sh -c 'mount -t tmpfs -o mode=755,size=16m ttpcli "$1" &&
	        echo ready && exec sleep 900' sh "$RUN"
	HOLDER=${LIB_PIDS[-1]}
	wait_for 10 grep -q ready "$LIB_TMP/trans.log" &&
	    wait_for 10 grep -q ready "$LIB_TMP/dns.log" &&
	    wait_for 10 grep -q ready "$LIB_TMP/far.log" &&
	    wait_for 10 grep -q ready "$LIB_TMP/holder.log" &&
	    wait_for 5 in_client ss -Hltn "sport = :$TRANS_PORT" || return 1
	# exec replaced sh by sleep: HOLDER is the pid holding the namespace.
	[ "$(cat "/proc/$HOLDER/comm" 2>/dev/null)" = sleep ]
}

# in_session CMD...: run CMD in the client's network and private mount
# namespaces, with the test configuration (or $TTP_CONF), bounded in time.
in_session() {
	nsenter --target "$HOLDER" --net --mount -- \
	    env TTP_CONFIG="${TTP_CONF:-$CONF}" timeout "${TTP_TIMEOUT:-40}" "$@"
}
# ttp ARGS...: the CLI as root; ttp_as UID ARGS...: as an ordinary uid.
ttp() { in_session "$TTP" "$@"; }
ttp_as() {
	local uid=$1; shift
	in_session setpriv --reuid="$uid" --regid="$uid" --clear-groups "$TTP" "$@"
}
# The BYOD start of these tests.
TTP_START_ARGS=(--external-daemon --tor-uid "$TOR_UID")

has_table() { in_client nft list table inet ttp >/dev/null 2>&1; }
table_kind() {	# session, lockdown or none
	local t
	t=$(in_client nft list table inet ttp 2>/dev/null) || { echo none; return; }
	# Only the session ruleset redirects (lockdown keeps an empty nat
	# chain so existing connections stay translated).
	if grep -q 'redirect to' <<<"$t"; then echo session
	else echo lockdown; fi
}
has_overlay() { grep -q ' /etc/resolv.conf ' "/proc/$HOLDER/mountinfo"; }
has_lock() { [ -e "/proc/$HOLDER/root$RUN_DIR/ttp.lock" ]; }
# tor processes in the client namespace (there must never be one: BYOD).
tor_pids() {
	local p
	for p in $(ip netns pids "$NS_C" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = tor ] && echo "$p"
	done
}
# What a session leaves behind, as one line: "table=.. overlay=.. lock=..".
host_state() {
	local o=no l=no
	has_overlay && o=yes
	has_lock && l=yes
	echo "table=$(table_kind) overlay=$o lock=$l"
}
CLEAN="table=none overlay=no lock=no"

# expect NAME WANT-RC STREAM-REGEX RC OUTPUT: one assertion on a command's
# exit code and its (first) output line.
expect() {
	local name=$1 want=$2 re=$3 rc=$4 out=$5
	if [ "$rc" = "$want" ] && [[ $out =~ $re ]]; then
		pass "$name"
	else
		fail "$name: exit $rc (want $want), output '$out' (want /$re/)"
	fi
}

# transparent traffic from an ordinary uid, to the far side, in the
# background for SECONDS: bg name loop_start NAME SECONDS
loop_start() {
	rm -f "$LIB_TMP/$1.log"	# bg truncates it only once the job runs
	bg "$1" ip netns exec "$NS_C" setpriv --reuid="$USER_UID" \
	    --regid="$USER_UID" --clear-groups "$PY" "$STANDIN" loop "$2" \
	    "$F4" "$F6" "lan:$F4LAN"
}
loop_wait() {	# loop_wait NAME: until it printed its rounds (bounded)
	wait_for 30 grep -q '^LOOP' "$LIB_TMP/$1.log"
}

# An idle connection of an ordinary uid (byod.py idle): idle_open NAME HOST
# PORT connects (through ttp when a session runs) and waits; idle_send NAME
# makes it send once and prints its verdict ("sent" / "send failed ...").
idle_open() {
	rm -f "$LIB_TMP/$1.log"
	bg "$1" ip netns exec "$NS_C" setpriv --reuid="$USER_UID" \
	    --regid="$USER_UID" --clear-groups "$PY" "$BYOD" idle "$2" "$3" \
	    "$LIB_TMP/go.$1"
	wait_for 5 grep -q '^connected' "$LIB_TMP/$1.log"
}
idle_send() {
	touch "$LIB_TMP/go.$1"
	wait_for 5 grep -Eq '^(sent|send failed|never)' "$LIB_TMP/$1.log"
	grep -E '^(sent|send failed|never)' "$LIB_TMP/$1.log"
}

# ttp's own processes (ttp, ttp-privd, ttp-torctl, ttp-netcheck) left in
# the client namespace, as "pid:comm" words.
ttp_procs() {
	local p c
	for p in $(ip netns pids "$NS_C" 2>/dev/null); do
		c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		[[ $c == ttp* ]] && echo "$p:$c"
	done
}
no_ttp_left() { [ -z "$(ttp_procs)" ]; }
# Only the session's ttp-anchor may outlive the command that started it.
no_helper_left() { [ -z "$(ttp_procs | grep -v ':ttp-anchor$')" ]; }
has_anchor() { in_client nft list tables 2>/dev/null | grep -q ttp_anchor; }
no_tor_left() { [ -z "$(tor_pids)" ]; }
# no_ttp_procs: wait (at most 3 s) until none is left.
no_ttp_procs() { wait_for 3 no_ttp_left; }

# A capture of what reaches the far side (tcpdump, timestamps), to say what
# a non-zero far_count was made of. far_capture starts it; now_ts gives a
# timestamp on the same clock; far_explain SINCE prints the packets seen
# since then (neighbour discovery / MLD left out, as by the counter).
far_capture() {
	rm -f "$LIB_TMP/capture.log"
	bg capture ip netns exec "$NS_F" tcpdump -n -tt -l -i "$IF_F" 'not arp'
	wait_for 5 grep -q 'listening on' "$LIB_TMP/capture.log"
}
now_ts() { date +%s.%N; }
far_explain() {
	local lines
	sleep 0.2
	lines=$(awk -v s="$1" '$1 ~ /^[0-9]/ && $1 + 0 >= s + 0' "$LIB_TMP/capture.log" 2>/dev/null |
	    grep -Ev 'neighbor (solicitation|advertisement)|router solicitation|multicast listener')
	[ -n "$lines" ] || return 0
	echo "    far side saw (tcpdump):"
	head -n 8 <<<"$lines" | sed 's/^/      /'
}

# martian6: from [::1], connect three times to a closed port of the host's
# own global IPv6 address. The kernel answers each SYN with a TCP reset
# from that address to ::1 and routes it out of the veth, not lo (Linux
# 6.x, no ttp needed). Prints how many packets addressed to ::1 reached the
# far side (from the capture of far_capture).
martian6() {
	local t0
	t0=$(now_ts)
	in_client timeout 10 "$PY" -c '
import socket
for i in range(3):
    s = socket.socket(socket.AF_INET6)
    s.bind(("::1", 0))
    s.settimeout(1.2)
    try:
        s.connect(("'"$C6"'", 4444))
    except OSError:
        pass
    s.close()
'
	sleep 0.5
	awk -v a="$t0" '$1 ~ /^[0-9]/ && $1 + 0 >= a + 0 && / > ::1\./' "$LIB_TMP/capture.log" | wc -l
}
