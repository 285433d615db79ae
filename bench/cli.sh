#!/bin/bash
# The ttp CLI's speed and size figures, side by side with the
# goals and the Python tool's figures (SECURITY.md, "Figures"). Not a test: it
# prints numbers. Everything runs in the harness of tests/cli/lib.sh: a
# private network namespace (client + far side joined by a veth) and a
# private mount namespace, ttp in BYOD mode (`start --external-daemon`)
# routing into a TransPort stand-in; the host's own network and mounts are
# never touched. Times are from fork to exit of the command, measured by
# build/bench/bench_exec (median of N runs):
#  (a) `ttp start` to the kill switch in the kernel: the CLI run with
#      TTP_TEST_CRASH_AT=FW_APPLY, which SIGKILLs it as soon as privd has
#      answered FW_APPLY (validation, privd spawn, lock, one nft
#      transaction); BYOD, and with a supervised tor (tor's start and
#      `tor --verify-config` come after FW_APPLY, so not in the figure);
#      the time is that of the kernel's commit (bench_exec -g hears the
#      NFT_MSG_NEWGEN), and of privd's reply after it; beside it a bare
#      `nft -f` of the same ruleset, timed the same way in the same run;
#  (b) `ttp stop` to a clean host, BYOD: no tor to stop, so tor's own exit
#      is not in it (it is tor's time, not ttp's);
#  (c) `ttp status` as an ordinary user, a session active;
#  (d) resident memory of all ttp processes together (tor excluded),
#      sampled every 5 ms from /proc/PID/status (VmRSS, and RssAnon: the
#      part that is not shared library pages; PSS from smaps_rollup beside
#      it, which does not count shared pages twice):
#      while `ttp start` waits for the exit check (CLI, its parsing worker,
#      ttp-privd, ttp-netcheck; the stand-in holds the answer 1 s), while
#      it waits for tor to bootstrap (CLI, worker, privd, ttp-torctl; a
#      real tor with DisableNetwork 1 that never bootstraps, 3 s timeout),
#      and while a session runs (the anchor's ttp-anchor included).
# Usage: bench/cli.sh [N]   (root; build first)
# shellcheck disable=SC2015,SC2086  # $START is a command line, split on purpose
set -u
cd "$(dirname "$0")/.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "bench/cli.sh: needs root (namespaces)" >&2; exit 2; }
N=${1:-20}
export TTP_BIN=$PWD/build/bin
BE=$PWD/build/bench/bench_exec
[ -x "$BE" ] && [ -x "$TTP_BIN/ttp" ] || { echo "bench/cli.sh: build first (make)" >&2; exit 1; }
NS_PREFIX=ttpclib
# shellcheck source=tests/cli/lib.sh
. tests/cli/lib.sh
cli_setup >/dev/null || { echo "bench/cli.sh: harness setup failed" >&2; exit 1; }
TTP_TIMEOUT=300

TOR_BIN=$(command -v tor)
printf 'DisableNetwork 1\n' > "$LIB_TMP/torrc-append"
chmod 644 "$LIB_TMP/torrc-append"
TORCONF=$LIB_TMP/tor.conf SLOWCONF=$LIB_TMP/slow.conf
write_conf "$TORCONF" "$(printf '[tor]\nbinary = %s\ntorrc_append = %s' "$TOR_BIN" "$LIB_TMP/torrc-append")"
write_conf "$SLOWCONF"
sed -i "s|^ip_urls = .*|ip_urls = http://$F4/api/ip?delay=1|" "$SLOWCONF"
START="$TTP start ${TTP_START_ARGS[*]}"

# bench LABEL BENCH_EXEC-ARGS...: run inside the namespaces; key=value line.
bench() {
	local label=$1; shift
	in_session "$BE" -n "$N" -l "$label" "$@" || echo "label=$label failed=1"
}
field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

a0=$(bench start_validated -k -e TTP_TEST_CRASH_AT=validated \
    -s "$TTP stop >/dev/null 2>&1" -- $START)
al=$(bench start_lock -k -e TTP_TEST_CRASH_AT=lock \
    -s "$TTP stop >/dev/null 2>&1" -- $START)
a1=$(bench start_fw_byod -k -g -e TTP_TEST_CRASH_AT=FW_APPLY \
    -s "$TTP stop >/dev/null 2>&1" -- $START)
a2v=$(TTP_CONF=$TORCONF bench start_validated_tor -k -e TTP_TEST_CRASH_AT=validated \
    -s "$TTP stop >/dev/null 2>&1" -- "$TTP" start)
a2=$(TTP_CONF=$TORCONF bench start_fw_tor -k -g -e TTP_TEST_CRASH_AT=FW_APPLY \
    -s "$TTP stop >/dev/null 2>&1" -- "$TTP" start)
ttp stop >/dev/null 2>&1
a3=$(bench start_full_byod -s "$TTP stop >/dev/null 2>&1" -- $START)
ttp stop >/dev/null 2>&1
b=$(bench stop_byod -s "$START >/dev/null 2>&1" -- "$TTP" stop)
ttp start "${TTP_START_ARGS[@]}" >/dev/null 2>&1
c=$(bench status_user -u "$USER_UID" -- "$TTP" status)
c2=$(bench status_root -- "$TTP" status)
x=$(bench exec_true -- /bin/true)
ttp stop >/dev/null 2>&1
# The baseline of (a), in this same run and namespace: a bare `nft -f` of
# the very ruleset `ttp start` loads (what `ttp rules` prints).
in_session "$TTP" rules "${TTP_START_ARGS[@]:1}" >"$LIB_TMP/rules.nft" 2>/dev/null ||
    in_session "$TTP" rules >"$LIB_TMP/rules.nft"
nftf=$(bench nft_f -g -s "nft delete table inet ttp >/dev/null 2>&1; true" -- \
    nft -f "$LIB_TMP/rules.nft")
in_session nft delete table inet ttp >/dev/null 2>&1

# sample PID SECONDS: VmRSS / PSS of ttp's processes in the client
# namespace every 5 ms while PID lives; prints "rss=KiB pss=KiB procs=..."
# at the sample where the VmRSS sum was largest, and each one's VmHWM.
sample() {
	"$PY" - "$1" "$2" "$(readlink "/proc/$HOLDER/ns/net")" <<-'EOF'
	import os, sys, time
	pid, secs, ns = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
	def field(text, key):
	    for line in text.splitlines():
	        if line.startswith(key + ':'):
	            return int(line.split()[1])
	    return 0
	best, hwm, end = (0, 0, 0, ''), {}, time.monotonic() + secs
	while time.monotonic() < end and os.path.exists('/proc/%d' % pid):
	    rss = pss = anon = 0
	    names = []
	    for p in os.listdir('/proc'):
	        if not p.isdigit():
	            continue
	        try:
	            if os.readlink('/proc/%s/ns/net' % p) != ns:
	                continue
	            comm = open('/proc/%s/comm' % p).read().strip()
	            if not comm.startswith('ttp'):
	                continue
	            st = open('/proc/%s/status' % p).read()
	            sm = open('/proc/%s/smaps_rollup' % p).read()
	        except OSError:
	            continue
	        r = field(st, 'VmRSS')
	        rss += r
	        pss += field(sm, 'Pss')
	        anon += field(st, 'RssAnon')
	        names.append('%s:%d(anon %d)' % (comm, r, field(st, 'RssAnon')))
	        hwm[comm] = max(hwm.get(comm, 0), field(st, 'VmHWM'))
	    if rss > best[0]:
	        best = (rss, pss, anon, ' '.join(sorted(names)))
	    time.sleep(0.005)
	print('rss=%d pss=%d anon=%d procs=%s' % best)
	print('hwm=' + ' '.join('%s:%d' % kv for kv in sorted(hwm.items())))
	EOF
}
in_session env TTP_CONFIG="$SLOWCONF" "$TTP" start "${TTP_START_ARGS[@]}" >/dev/null 2>&1 &
p=$!
d1=$(sample $p 10)
wait $p
d3=$(sample "$HOLDER" 0.3)	# the session, running
ttp stop >/dev/null 2>&1
TTP_CONF=$TORCONF in_session "$TTP" start --bootstrap-timeout 3 >/dev/null 2>&1 &
p=$!
d2=$(sample $p 15)
wait $p
ttp stop >/dev/null 2>&1

ms() { local v; v=$(field median_ms "$1"); [ -n "$v" ] && printf '%s ms' "$v" || printf 'failed'; }
mm() { printf '%s..%s' "$(field min_ms "$1")" "$(field max_ms "$1")"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.2f MiB", k / 1024 }'; }
row() { printf '%-50s %-11s %-15s %-10s %s\n' "$@"; }
ratio() { awk -v a="$(field "$3" "$1")" -v b="$(field "$3" "$2")" \
    'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else printf "?" }'; }
kms() { local v; v=$(field kernel_median_ms "$1"); [ -n "$v" ] && printf '%s ms' "$v" || printf 'failed'; }
kmm() { printf '%s..%s' "$(field kernel_min_ms "$1")" "$(field kernel_max_ms "$1")"; }
phase() {	# phase LABEL SAMPLE
	local l1 rss pss anon
	l1=$(head -n 1 <<<"$2")
	rss=$(sed -n 's/^rss=\([0-9]*\).*/\1/p' <<<"$l1")
	pss=$(sed -n 's/.* pss=\([0-9]*\).*/\1/p' <<<"$l1")
	anon=$(sed -n 's/.* anon=\([0-9]*\).*/\1/p' <<<"$l1")
	row "$1" "$(mib "${rss:-0}")" "PSS $(mib "${pss:-0}")" "<= 4 MiB" "-"
	echo "      of which anonymous (private, not shared libraries): $(mib "${anon:-0}")"
	echo "      at the peak, VmRSS KiB: $(sed -n 's/.* procs=//p' <<<"$l1")"
	echo "      peak of each (VmHWM, KiB): $(sed -n 's/^hwm=//p' <<<"$2")"
}

echo "== ttp CLI: private namespaces, BYOD stand-in; median of $N runs"
echo "   (load average $(cut -d' ' -f1-3 /proc/loadavg); fork+exec of /bin/true: $(ms "$x"), min $(field min_ms "$x") ms)"
row "figure" "ttp" "min..max (ms)" "goal" "Python tool"
row "(a) start -> kill switch in the kernel, BYOD" "$(kms "$a1")" "$(kmm "$a1")" "<= 10 ms" ">= 70 ms (firewall step alone)"
row "    baseline: bare nft -f of the same ruleset" "$(kms "$nftf")" "$(kmm "$nftf")" "" "ttp/nft -f: $(ratio "$a1" "$nftf" kernel_median_ms) BYOD, $(ratio "$a2" "$nftf" kernel_median_ms) supervised"
row "    to privd's FW_APPLY reply (hash listed back)" "$(ms "$a1")" "$(mm "$a1")" "" "(the process exits: $(ms "$nftf") for nft -f)"
row "    of which: to the end of validation" "$(ms "$a0")" "$(mm "$a0")" "" ""
row "    of which: to the lock written" "$(ms "$al")" "$(mm "$al")" "" ""
row "(a) start -> kill switch, supervised tor" "$(kms "$a2")" "$(kmm "$a2")" "<= 10 ms" ">= 70 ms (firewall step alone)"
row "    to privd's FW_APPLY reply (hash listed back)" "$(ms "$a2")" "$(mm "$a2")" "" ""
row "    of which: to the end of validation" "$(ms "$a2v")" "$(mm "$a2v")" "" ""
row "    start -> active, BYOD (exit check incl.)" "$(ms "$a3")" "$(mm "$a3")" "-" "-"
row "(b) stop -> clean host, BYOD (no tor exit)" "$(ms "$b")" "$(mm "$b")" "<= 150 ms" "~2.1 s (slept 1.5 s)"
row "(c) status, ordinary user" "$(ms "$c")" "$(mm "$c")" "<= 5 ms" "-"
row "    status, root (asks privd FW_STATUS)" "$(ms "$c2")" "$(mm "$c2")" "-" "-"
row "(d) RSS of all ttp processes together" "VmRSS sum" "" "" ""
phase "    start waiting for the exit check (BYOD)" "$d1"
phase "    start waiting for tor's bootstrap" "$d2"
phase "    a session running, no watchdog" "$d3"
echo "    with -w: the watchdog's guard, monitor and privd add to the last figure"
