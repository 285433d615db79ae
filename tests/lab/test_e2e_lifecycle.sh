#!/bin/bash
# End-to-end, session lifecycle with applications running: a connection
# opened before `ttp start` cannot send afterwards; `ttp restart` under
# continuous traffic (HTTP, UDP, ICMP from an ordinary user) leaks nothing
# and HTTP works again after it; `ttp stop` with an idle connection through
# Tor leaves that connection dead (its next send reaches no one); kill -9 of
# tor during a session fails closed (requests fail, nothing leaks) and
# `ttp stop` recovers. One lab for the file (about a minute). PASS/FAIL per
# check; exit 0 iff all passed.
set -u
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

e2e_up

echo "--- a connection opened before ttp start"
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

echo "--- ttp restart under continuous traffic"
far_arm
LOOP_SECS=16
bg_start "${AS_USER[@]}" "$PY" "$PROBE" --timeout 3 --interval 0.2 \
    --tag loop traffic "$LOOP_SECS" "$TTPLAB_WEB_IP4" 80 >"$E2E_TMP/loop.out" 2>&1
LOOP_PID=$BG_PID
sleep 4
t0=$EPOCHREALTIME
ttp restart; rc=$?
t1=$EPOCHREALTIME
check "ttp restart exits 0 ($(elapsed "$t0")s)" [ $rc -eq 0 ]
bg_wait "$LOOP_PID" $((LOOP_SECS + 15)); rc=$?
check "the traffic loop ended by itself" [ $rc -eq 0 ]
note "loop: $(grep '^summary' "$E2E_TMP/loop.out")"
before=$(awk -v t="$t0" '$1 < t && $2 == "http_ok"' "$E2E_TMP/loop.out" | wc -l)
after=$(awk -v t="$t1" '$1 > t && $2 == "http_ok"' "$E2E_TMP/loop.out" | wc -l)
during=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b && $2 == "http_ok"' "$E2E_TMP/loop.out" | wc -l)
check "HTTP worked before the restart ($before requests)" [ "$before" -gt 0 ]
check "HTTP works again after the restart ($after requests)" [ "$after" -gt 0 ]
note "HTTP answered during the restart: $during (allowed: it goes through Tor)"
n=$(grep -cE '^[0-9.]+ (udp|icmp)_ok' "$E2E_TMP/loop.out")
check "no UDP or ICMP got through, ever ($n)" [ "$n" -eq 0 ]
srcs=$(awk '$5 ~ /^\/\?tag=loop-/ { print $2 }' "$TTPLAB_WEB_LOG" | sort | uniq -c | tr -s ' \n' ' ')
bad=$(awk '$5 ~ /^\/\?tag=loop-/ { print $2 }' "$TTPLAB_WEB_LOG" |
    grep -vxF -e "$TTPLAB_EXIT_IP4" -e "$TTPLAB_EXIT_IP6" | wc -l)
check "every loop request reached the web server from the exit ($srcs)" [ "$bad" -eq 0 ]
no_leak "restart under continuous traffic"

echo "--- ttp stop with an idle connection through Tor"
if hold_start idle "$TTPLAB_WEB_IP4" 80; then
	pass "an application holds a connection through Tor to $TTPLAB_WEB_IP4:80"
else
	fail "could not open the connection: $(cat "$E2E_TMP/hold-idle.out")"
fi
sleep 1		# let tor open the stream to the web server
far_arm
ttp stop; rc=$?
check "ttp stop exits 0" [ $rc -eq 0 ]
hold_go idle; rc=$?
app_failed idle $rc "idle connection after stop"
no_leak "stop and the idle connection's next send"
nothing_left "after stop"

echo "--- kill -9 of tor during a session"
ttp_quiet start; rc=$?
check "ttp start exits 0" [ $rc -eq 0 ]
far_arm
ttp_quiet status --json
tor_pid=$(sed -n 's/.*"tor_pid":\([0-9]*\).*/\1/p' <<<"$OUT")
if [ -n "$tor_pid" ] && [ "$tor_pid" -gt 1 ] &&
    [ "$(cat "/proc/$tor_pid/comm" 2>/dev/null)" = tor ]; then
	kill -KILL "$tor_pid"
	check "tor (pid $tor_pid) is gone after kill -9" wait_for 5 eval "! kill -0 $tor_pid 2>/dev/null"
else
	fail "no tor pid in ttp status ($OUT)"
fi
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
check "ttp status --json says tor_running false" grep -q '"tor_running":false' <<<"$OUT"
no_leak "after kill -9 of tor"
ttp stop; rc=$?
check "ttp stop exits 0 after tor was killed" [ $rc -eq 0 ]
nothing_left "after stop"
direct_ok "after stop"
