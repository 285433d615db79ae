#!/bin/bash
# The watchdog against a real, supervised tor in the lab (the private Tor
# network of lab.sh): `ttp start -w`, then kill -9 tor under continuous
# traffic from an ordinary uid. The watchdog sees the death through tor's
# pidfd, locks the host down, has its monitor restart tor (same torrc, as
# the tor user), re-applies the session ruleset; the restarted tor carries
# traffic again (`ttp check`: IsTor). A second kill within the recurrence
# window leaves the host locked down for good, and the lock says so. All
# the while, nothing but tor's own connections to the relays leaves the
# client (a capture on the internet side of its veth). Bounded: about a
# minute, at most ~4 minutes.
set -u
export TTPLAB_PREFIX=${TTPLAB_PREFIX:-ttpwd}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$ROOT/tests/lab/lab.sh
TTP=${TTP_BIN:-$ROOT/build/bin}/ttp
STANDIN=$ROOT/tests/tools/standin.py
USER_UID=64003
CAP_PID="" TRAFFIC_PID="" TMP=""
# shellcheck source=tests/lib/harness.sh
. "$ROOT/tests/lib/harness.sh"

cleanup() {
	[ -n "$TRAFFIC_PID" ] && kill "$TRAFFIC_PID" 2>/dev/null
	[ -n "$CAP_PID" ] && kill "$CAP_PID" 2>/dev/null
	"$LAB" cli "$TTP" stop >/dev/null 2>&1
	# down ends whatever still lives in the lab's namespaces (the
	# watchdog included) and removes them.
	"$LAB" down >/dev/null 2>&1
	[ -n "$TMP" ] && rm -rf "$TMP"
}
on_exit cleanup

[ "$(id -u)" -eq 0 ] || bail "needs root"
TMP=$(mktemp -d /tmp/ttpwdlab.XXXXXX)
chmod 755 "$TMP"
"$LAB" down >/dev/null 2>&1
if ! timeout 200 "$LAB" up >"$TMP/up.log" 2>&1; then
	tail -5 "$TMP/up.log" | sed 's/^/# /'
	bail "lab.sh up"
fi
eval "$("$LAB" env)"

cli() { timeout 60 "$LAB" cli "$@"; }
status_json() { cli "$TTP" status --json 2>/dev/null; }
wd_json() { cli "$TTP" watchdog status --json 2>/dev/null; }
reports() { wd_json | json_get reports; }
await() {	# await N0 ACTION: a report after N0 whose action starts so
	local i j
	for ((i = 0; i < 100; i++)); do
		j=$(wd_json)
		[ "$(echo "$j" | json_get reports)" -gt "$1" ] 2>/dev/null &&
		    case $(echo "$j" | json_get last_action) in "$2"*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}
tor_pid() { status_json | json_get tor_pid; }
is_tor() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "^tor -f"; }

# ---- start --------------------------------------------------------------

if cli "$TTP" start -w >"$TMP/start.log" 2>&1 &&
    [ "$(wd_json | json_get state)" = active ]; then
	pass "ttp start -w: session active, watchdog guarding"
else
	tail -5 "$TMP/start.log" | sed 's/^/# /'
	bail "ttp start -w"
fi

# No process of the watchdog keeps root but its ttp-privd: the monitor and
# the guard are _ttp, the tor launcher is the tor user, none with a
# capability.
rights() { awk '/^Uid:/ { u = $2 } /^CapEff:/ { c = $2 } END { print u ":" c }' "/proc/$1/status" 2>/dev/null; }
WD=$(status_json | json_get watchdog_pid)
NOCAP=0000000000000000
bad=
launcher=
for p in $WD $(cat /proc/"$WD"/task/*/children 2>/dev/null); do
	cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
	case "$cmd" in *ttp-privd*) continue ;; esac
	r=$(rights "$p")
	if [ "$r" = "$(id -u debian-tor):$NOCAP" ]; then launcher=$p
	elif [ "$r" != "$(id -u _ttp):$NOCAP" ]; then bad="$bad $p($cmd: $r)"
	fi
done
[ -n "$WD" ] && [ -z "$bad" ] && [ -n "$launcher" ] &&
    pass "watchdog: monitor and guard _ttp, tor launcher debian-tor (pid $launcher), no capabilities; only ttp-privd is root" ||
    fail "watchdog processes: bad:$bad launcher:'$launcher'"

# Everything the client sends to the internet, but tor's own connections
# to the relays (OR and directory ports), is a leak.
relays=$(for ip in $TTPLAB_RELAY_IPS; do printf 'dst host %s or ' "$ip"; done)
relays="(${relays% or }) and (dst port $TTPLAB_OR_PORT or dst port $TTPLAB_DIR_PORT)"
"$LAB" net tcpdump -n -U --immediate-mode -Q in -i "$TTPLAB_NET_IF" -w "$TMP/cap.pcap" \
    "(ip or (ip6 and not icmp6)) and (src host $TTPLAB_CLI_IP4 or src host $TTPLAB_CLI_IP6) and not ($relays)" \
    >/dev/null 2>"$TMP/cap.err" &
CAP_PID=$!
for ((i = 0; i < 50; i++)); do grep -q listening "$TMP/cap.err" && break; sleep 0.1; done
"$LAB" cli setpriv --reuid=$USER_UID --regid=$USER_UID --clear-groups \
    /usr/bin/python3 "$STANDIN" loop 40 "$TTPLAB_WEB_IP4" "$TTPLAB_WEB_IP6" \
    >"$TMP/loop.log" 2>&1 &
TRAFFIC_PID=$!
sleep 1

# ---- kill -9 tor: lockdown, restart, repair -----------------------------

T1=$(tor_pid)
n0=$(reports)
kill -9 "$T1"
if await "$n0" "locked down, then repaired"; then
	T2=$(tor_pid)
	if [ -n "$T2" ] && [ "$T2" != "$T1" ] && is_tor "$T2" &&
	    status_json | json_is firewall_intact=true &&
	    [ "$(status_json | json_get state)" = active ]; then
		pass "kill -9 tor: locked down, tor restarted (pid $T1 -> $T2), session ruleset back"
		[ "$(awk '{ print $4 }' "/proc/$T2/stat")" = "$launcher" ] &&
		    [ "$(rights "$T2" | cut -d: -f1)" = "$(id -u debian-tor)" ] &&
		    pass "the new tor is the launcher's child, as debian-tor" ||
		    fail "the new tor's parent: $(awk '{ print $4 }' "/proc/$T2/stat")"
	else
		fail "after the repair: tor pid '$T2', $(status_json)"
	fi
else
	fail "kill -9 tor: no repair: $(wd_json)"
fi
ok=0
for ((i = 0; i < 30; i++)); do
	if cli "$TTP" check --json 2>/dev/null | json_is is_tor=true 2>/dev/null; then
		ok=1
		break
	fi
	sleep 1
done
[ "$ok" = 1 ] && pass "the restarted tor carries traffic (ttp check: IsTor)" ||
    fail "ttp check after the restart: $(cli "$TTP" check 2>&1 | tail -3)"

# ---- kill -9 again within the window: lockdown for good -----------------

T2=$(tor_pid)
n0=$(reports)
kill -9 "$T2"
if await "$n0" "locked down for good: the fault recurred"; then
	sleep 0.5
	if [ "$(status_json | json_get state)" = lockdown ] &&
	    [ "$(status_json | json_get firewall)" = lockdown ] &&
	    [ "$(tor_pid)" = "$T2" ] && ! is_tor "$T2"; then
		pass "second kill within 60 s: host stays in lockdown, tor not restarted, lock says lockdown"
	else
		fail "after the second kill: $(status_json)"
	fi
else
	fail "second kill: $(wd_json)"
fi
cli grep -q "The host is in LOCKDOWN" /run/ttp/ttp.log &&
    pass "the user is told (session log; wall and notify-send when present)" ||
    fail "no lockdown notice in the session log"

kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=
sleep 0.3
kill "$CAP_PID" 2>/dev/null
wait "$CAP_PID" 2>/dev/null
CAP_PID=
n=$(tcpdump -n -r "$TMP/cap.pcap" 2>/dev/null | wc -l)
[ "$n" = 0 ] && pass "nothing but tor's relay connections left the client" ||
    { fail "$n packet(s) left the client outside Tor"; tcpdump -n -r "$TMP/cap.pcap" 2>/dev/null | head -5 | sed 's/^/# /'; }

# ---- stop ---------------------------------------------------------------

WD=$(status_json | json_get watchdog_pid)
if cli "$TTP" stop >"$TMP/stop.log" 2>&1 &&
    [ "$(status_json | json_get state)" = inactive ] &&
    [ -z "$(tr -d '\0' 2>/dev/null <"/proc/$WD/cmdline")" ]; then
	pass "ttp stop: watchdog stopped, session torn down"
else
	fail "ttp stop: $(tail -3 "$TMP/stop.log")"
fi
check "lab.sh down" "$LAB" down
done_testing
