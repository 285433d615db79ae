#!/bin/bash
# End-to-end, session lifecycle with applications running: a connection
# opened before `ttp start` cannot send afterwards; `ttp restart` under
# continuous traffic (HTTP, UDP, ICMP from an ordinary user, over IPv4 and
# IPv6) leaks nothing, HTTP works again after it and connections held across
# it are dead; `ttp stop` with idle connections through Tor leaves them dead
# (their next send reaches no one, nothing leaves afterwards); kill -9 of tor
# during a session fails closed (requests fail, nothing leaks), status says
# so, and `ttp restart` and `ttp stop` recover; the rotator (--rotate) ends
# with its tor's control connection, status says so, and `ttp restart
# --rotate` starts a new one. One lab for the file (about a minute). one TAP line per check; exit 0 iff all passed.
set -u
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

# app_failed NAME RC WHAT: the held application's request must not have
# been answered nor reached the web server.
app_failed() {
	local name=$1 rc=$2 what=$3 src
	src=$(web_src "$TTPLAB_WEB_LOG" "${HOLD_TAG[$name]}")
	if [ "$rc" -ne 0 ] && [ -z "$src" ]; then
		pass "$what: the application's send reached no one ($OUT)"
	else
		fail "$what: the application got '$OUT' (status $rc); web server saw '${src:-nothing}'"
	fi
}

# kill_tor: kill -9 the session's tor (its pid from ttp status) and wait
# until it is reaped (a zombie still counts as alive for kill(pid, 0)).
kill_tor() {
	local pid
	ttp_quiet status --json
	pid=$(json_get tor_pid <<<"$OUT")
	if [ -n "$pid" ] && [ "$pid" -gt 1 ] &&
	    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tor ]; then
		kill -KILL "$pid"
		check "tor (pid $pid) is gone after kill -9" \
		    wait_for 10 eval "! kill -0 $pid 2>/dev/null"
	else
		fail "no tor pid in ttp status ($OUT)"
	fi
}

e2e_up

note "--- a connection opened before ttp start"
if hold_start prestart "$TTPLAB_WEB_IP4" 80; then
	pass "an application holds a direct connection to $TTPLAB_WEB_IP4:80"
else
	fail "could not open the direct connection: $(cat "$E2E_TMP/hold-prestart.out")"
fi
ttp_quiet start; rc=$?
check "ttp start exits 0" [ $rc -eq 0 ]
far_arm
hold_go prestart; rc=$?
app_failed prestart $rc "connection opened before start"
no_leak "connection opened before start"

note "--- ttp restart under continuous traffic"
far_arm
LOOP_SECS=16
# Two applications, over IPv4 and IPv6, each sending HTTP, UDP and ICMP.
declare -A LOOP_PID
for v in 4 6; do
	host=$TTPLAB_WEB_IP4
	[ $v = 6 ] && host=$TTPLAB_WEB_IP6
	bg_start "${AS_USER[@]}" "$PY" "$PROBE" --timeout 3 --interval 0.2 \
	    --tag "loop$v" traffic "$LOOP_SECS" "$host" 80 \
	    >"$E2E_TMP/loop$v.out" 2>&1
	LOOP_PID[$v]=$BG_PID
done
# And two idle connections through Tor, held across the restart.
hold_start across4 "$TTPLAB_WEB_IP4" 80 ||
    fail "could not open a connection through Tor over IPv4"
hold_start across6 "$TTPLAB_WEB_IP6" 80 ||
    fail "could not open a connection through Tor over IPv6"
sleep 4
t0=$EPOCHREALTIME
ttp restart; rc=$?
t1=$EPOCHREALTIME
check "ttp restart exits 0 ($(elapsed "$t0")s)" [ $rc -eq 0 ]
hold_go across4; rc=$?
app_failed across4 $rc "connection through Tor held across the restart (IPv4)"
hold_go across6; rc=$?
app_failed across6 $rc "connection through Tor held across the restart (IPv6)"
for v in 4 6; do
	out=$E2E_TMP/loop$v.out
	bg_wait "${LOOP_PID[$v]}" $((LOOP_SECS + 15)); rc=$?
	check "IPv$v: the traffic loop ended by itself" [ $rc -eq 0 ]
	note "IPv$v loop: $(grep '^summary' "$out")"
	before=$(awk -v t="$t0" '$1 < t && $2 == "http_ok"' "$out" | wc -l)
	after=$(awk -v t="$t1" '$1 > t && $2 == "http_ok"' "$out" | wc -l)
	during=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b && $2 == "http_ok"' "$out" | wc -l)
	check "IPv$v: HTTP worked before the restart ($before requests)" [ "$before" -gt 0 ]
	check "IPv$v: HTTP works again after the restart ($after requests)" [ "$after" -gt 0 ]
	note "IPv$v: HTTP answered during the restart: $during (allowed: it goes through Tor)"
	n=$(grep -cE '^[0-9.]+ (udp|icmp)_ok' "$out")
	check "IPv$v: no UDP or ICMP got through, ever ($n)" [ "$n" -eq 0 ]
	srcs=$(awk -v p="^/[?]tag=loop$v-" '$5 ~ p { print $2 }' "$TTPLAB_WEB_LOG" |
	    sort | uniq -c | tr -s ' \n' ' ')
	bad=$(awk -v p="^/[?]tag=loop$v-" '$5 ~ p { print $2 }' "$TTPLAB_WEB_LOG" |
	    grep -cvxF -e "$TTPLAB_EXIT_IP4" -e "$TTPLAB_EXIT_IP6")
	check "IPv$v: every loop request reached the web server from the exit ($srcs)" [ "$bad" -eq 0 ]
done
no_leak "restart under continuous traffic"

note "--- ttp stop with an idle connection through Tor"
for name in idle idle6; do
	host=$TTPLAB_WEB_IP4
	[ $name = idle6 ] && host=$TTPLAB_WEB_IP6
	if hold_start "$name" "$host" 80; then
		pass "an application holds a connection through Tor to $host port 80"
	else
		fail "could not open the connection: $(cat "$E2E_TMP/hold-$name.out")"
	fi
done
sleep 1		# let tor open the streams to the web server
far_arm
ttp stop; rc=$?
check "ttp stop exits 0" [ $rc -eq 0 ]
hold_go idle; rc=$?
app_failed idle $rc "idle connection after stop"
hold_go idle6; rc=$?
app_failed idle6 $rc "idle IPv6 connection after stop"
no_leak "stop and the idle connections' next sends"
nothing_left "after stop"

# rotator_pid: the rotator the session records, when it runs.
rotator_pid() {
	ttp_quiet status --json
	json_is rotation_running=true <<<"$OUT" && json_get rotator_pid <<<"$OUT"
}

note "--- kill -9 of tor during a session (with --rotate)"
ttp_quiet start --rotate 1h; rc=$?
check "ttp start --rotate 1h exits 0" [ $rc -eq 0 ]
rpid=$(rotator_pid)
check "a rotator runs (pid ${rpid:-none})" test -n "$rpid"
far_arm
kill_tor
check "the rotator ended with tor's control connection" \
    wait_for 5 proc_gone "${rpid:-1}"
ttp_quiet status
check "ttp status says rotation stopped" grep -q 'rotation *stopped' <<<"$OUT"
t=$(tag killed)
probe http "$TTPLAB_WEB_IP4" 80 "/?tag=$t"; rc=$?
check "HTTP by IP fails" [ $rc -ne 0 ]
check "the web server saw no request" [ -z "$(web_src "$TTPLAB_WEB_LOG" "$t")" ]
curl_as user "http://$TTPLAB_WEB_NAME/"; rc=$?
note "curl by name: $OUT"
check "HTTP by name fails" [ $rc -ne 0 ]
probe udp "$TTPLAB_WEB_IP4" 9999; rc=$?
check "UDP fails" [ $rc -ne 0 ]
probe --root http "$TTPLAB_WEB_IP6" 80 /; rc=$?
check "root's HTTP over IPv6 fails" [ $rc -ne 0 ]
check "the firewall is still the session ruleset" [ "$(fw_table)" = session ]
ttp_quiet status --json
check "ttp status --json says tor_running false" json_is tor_running=false <<<"$OUT"
ttp_quiet status
check "ttp status warns that tor is not running" grep -q 'tor is not running' <<<"$OUT"
no_leak "after kill -9 of tor"
ttp_quiet restart --rotate 1h; rc=$?
check "ttp restart --rotate 1h recovers the session (exit $rc)" [ $rc -eq 0 ]
rpid2=$(rotator_pid)
check "ttp restart --rotate started a new rotator (pid ${rpid2:-none})" \
    test -n "$rpid2" -a "$rpid2" != "$rpid"
t=$(tag restarted)
probe http "$TTPLAB_WEB_IP4" 80 "/?tag=$t" >/dev/null
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
if [ -n "$src" ] && is_exit "$src"; then pass "HTTP works again via the exit ($src)"
else fail "HTTP after restart: web server saw '${src:-nothing}' ($OUT)"; fi
no_leak "kill -9 of tor, then restart"
kill_tor
check "ttp stop exits 0 with tor killed" ttp_quiet stop
nothing_left "after stop"
direct_ok "after stop"

e2e_finish
