#!/bin/bash
# `ttp run CMD` end to end in the lab (docs/run.md), one bring-up: as an
# ordinary user of its own (a temporary account with a home, removed at
# the end), with no host session: the user's own tor is started, HTTP by
# address and by name arrives through the exit, HTTP to the lab's onion
# service (its .onion name mapped into 10.192.0.0/10, connected to by
# name) reaches the web server through it and answers, UDP, ICMP, IPv6 and LAN
# addresses fail at once with zero packets on the far side, the rest of
# the client is untouched, the exit code passes through, two runs use two
# circuits (tor's stream-status), --share-circuits one, nothing is left
# after the last run (no process of the user, no tor, no mount), kill -9
# of CMD or of ttp leaves nothing; then with `ttp start` in the client,
# `ttp run` uses the session's tor (its SOCKS unix socket). Bad input
# first (no CMD, unknown --user, root without --user).
# shellcheck shell=bash
export TTPLAB_PREFIX=${TTPLAB_PREFIX:-ttprun}
E2E_ONION=1	# the lab's onion service, for the .onion check
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

e2e_up

# ---------------------------------------------------------------- bad input
bad() {	# bad WHAT RC PATTERN ARGS...: ttp run refuses with RC and one line
	local what=$1 want=$2 pat=$3 out rc; shift 3
	out=$(cli env -u SUDO_UID "$TTP" run "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
	    grep -q -- "$pat" <<<"$out"; then
		pass "$what: exit $rc, '$out'"
	else
		fail "$what: exit $rc (want $want), '$out'"
	fi
}
bad "no command" 1 "no command given"
bad "unknown --user" 1 "no user 'ttp-no-such-user'" --user ttp-no-such-user true
bad "root without --user or SUDO_UID" 1 "give --user USER" true
bad "--user root" 1 "never runs as root" --user root true
bad "unknown option" 1 "--bogus" --bogus true


# ---------------------------------------------------------------- the user
RU=ttprun$$
RU=${RU:0:31}
[ -d "$E2E_TMP" ] || bail "no scratch directory"
RHOME=$E2E_TMP/home
e2e_user "$RU" "$RHOME" || bail "a temporary user $RU"
RUID=$(id -u "$RU")
RSTATE=$RHOME/.local/state/ttp
AS_RU=("${E2E_AS_USER[@]}")
# trun ARGS...: `ttp run ARGS` as the user, bounded; output in $OUT.
trun() {
	local rc
	OUT=$("${AS_RU[@]}" timeout -k 5 60 "$TTP" run "$@" 2>"$E2E_TMP/run.err")
	rc=$?
	note "ttp run $*: exit $rc, '$OUT'"
	[ -s "$E2E_TMP/run.err" ] && grep -v bootstrap "$E2E_TMP/run.err" | indent
	return $rc
}
procs() { pgrep -u "$RUID" -a 2>/dev/null; }
no_procs() { [ -z "$(procs)" ]; }
# The client's mounts, but for /run/netns (other labs come and go there).
mounts() { awk '$5 !~ "^/run/netns" { n++ } END { print n + 0 }' "/proc/$TTPLAB_CLI_PID/mountinfo"; }
MOUNTS0=$(mounts)

# The control port of a tor: the streams to TARGET (ID CIRC TARGET lines).
cat >"$E2E_TMP/ctl.py" <<'EOF'
import socket, sys
sock, cookie, want = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sock)
f = s.makefile("rwb")
def cmd(c):
	f.write((c + "\r\n").encode()); f.flush()
	out = []
	while True:
		l = f.readline().decode(errors="replace").rstrip("\r\n")
		if not l:
			break
		out.append(l)
		if len(l) >= 4 and l[3] == " ":
			break
	return out
cmd("AUTHENTICATE " + open(cookie, "rb").read().hex())
if len(sys.argv) > 4:	# watch SECONDS: STREAM events to the target
	import select, time
	cmd("SETEVENTS STREAM")
	end, buf = time.time() + float(sys.argv[4]), b""
	while time.time() < end:
		if not select.select([s], [], [], 0.2)[0]:
			continue
		d = s.recv(4096)
		if not d:
			break
		buf += d
		while b"\n" in buf:
			l, buf = buf.split(b"\n", 1)
			w = l.decode(errors="replace").split()
			if len(w) >= 6 and w[1] == "STREAM" and want in w[5]:
				print(w[2], w[3], w[5], flush=True)
	sys.exit(0)
# Each circuit's SOCKS username (tor's isolation key), through its conflux
# set when the leg itself carries none.
user, cset = {}, {}
for l in cmd("GETINFO circuit-status"):
	w = l.replace("250+circuit-status=", "").replace("250-circuit-status=", "").split()
	if not w or not w[0].isdigit():
		continue
	for kv in w:
		if kv.startswith("SOCKS_USERNAME="):
			user[w[0]] = kv.split("=", 1)[1].strip('"')
		if kv.startswith("CONFLUX_ID="):
			cset[w[0]] = kv.split("=", 1)[1]
for c, x in cset.items():
	for d, y in cset.items():
		if x == y and d in user and c not in user:
			user[c] = user[d]
for l in cmd("GETINFO stream-status"):
	w = l.replace("250-stream-status=", "").split()
	if len(w) == 4 and want in w[3]:
		print(w[0], w[2], w[3], user.get(w[2], "-"))
EOF
streams() {	# streams SOCK COOKIE TARGET
	cli "$PY" "$E2E_TMP/ctl.py" "$@" 2>/dev/null
}
has_streams() { [ -n "$("$@")" ]; }
user_streams() { streams "$RSTATE/tor/control.sock" "$RSTATE/tor/control.cookie" "$1"; }

# ---------------------------------------------------------------- own tor
far_arm
t=$(tag runip)
trun curl -sS --max-time 20 "http://$TTPLAB_WEB_IP4/?tag=$t"
rc=$?
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
if [ $rc -eq 0 ] && [ -n "$src" ] && is_exit "$src" && [ "$OUT" = "$src" ]; then
	pass "no session: HTTP by address through the user's own tor, via the exit ($src)"
else
	fail "no session: HTTP by address: exit $rc, web server saw '${src:-nothing}', app got '$OUT'"
fi
check "its tor ran as the user, DataDirectory $RSTATE/tor (0700)" \
    test "$(stat -c '%U %a' "$RSTATE/tor")" = "$RU 700"
t=$(tag runname)
trun curl -sS --max-time 20 "http://$TTPLAB_WEB_NAME/?tag=$t"
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
if [ -n "$src" ] && is_exit "$src"; then
	pass "HTTP by name ($TTPLAB_WEB_NAME resolved through Tor) via the exit ($src)"
else
	fail "HTTP by name: web server saw '${src:-nothing}', app got '$OUT'"
fi

# What must fail, and at once, from inside one run.
cat >"$E2E_TMP/inside.sh" <<EOF
p() { s=\$(date +%s%N); out=\$($PY $PROBE --timeout 3 "\$@" 2>&1); rc=\$?;
  echo "\$rc \$(( (\$(date +%s%N) - s) / 1000000 )) \$out"; }
p udp $TTPLAB_WEB_IP4 5000
p udp $TTPLAB_DNS_IP6 53
p icmp $TTPLAB_WEB_IP4
p icmp $TTPLAB_WEB_IP6
p tcp $TTPLAB_WEB_IP6 80
p tcp $TTPLAB_LAN_HOST_IP4 80
p udp $TTPLAB_LAN_HOST_IP4 1900
p tcp $TTPLAB_LAN_HOST_IP6 80
p tcp $TTPLAB_CLI_IP4 22
p tcp 10.1.2.3 80
p udp 255.255.255.255 67
EOF
trun sh "$E2E_TMP/inside.sh"
slow=$(awk '$1 == 0 || $1 == 2 || $2 > 1500' <<<"$OUT")
if [ -z "$slow" ] && [ "$(wc -l <<<"$OUT")" -eq 11 ]; then
	pass "UDP, ICMP, IPv6, LAN and private addresses fail at once inside (each < 1.5 s, none answered)"
else
	fail "inside probes: answered or slow: ${slow:-$(wc -l <<<"$OUT") lines}"
fi
no_leak "ttp run with the user's own tor"
direct_ok "the rest of the client namespace (direct, not through ttp run)"

# Tampering: root flushes the ruleset of a running ttp run's network
# namespace. Its only interface is still lo, so nothing gets out: no
# redirect any more (TCP to the web server is refused on lo), no packet
# on the far side.
far_arm
cat >"$E2E_TMP/tamper.sh" <<EOF
touch $RHOME/tamper.ready
i=0; while [ ! -e $RHOME/tamper.go ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
p() { $PY $PROBE --timeout 3 "\$@" >/dev/null 2>&1; echo "\$1 \$?"; }
p tcp $TTPLAB_WEB_IP4 80
p http $TTPLAB_WEB_IP4 80 /
p udp $TTPLAB_WEB_IP4 5000
p udp $TTPLAB_DNS_IP4 53
EOF
rm -f "$RHOME/tamper.ready" "$RHOME/tamper.go"
bg_start "${AS_RU[@]}" timeout -k 5 60 "$TTP" run sh "$E2E_TMP/tamper.sh" \
    >"$E2E_TMP/tamper.out" 2>/dev/null
tpid=$BG_PID
if wait_for 30 test -e "$RHOME/tamper.ready"; then
	tsh=$(pgrep -u "$RUID" -f "^sh $E2E_TMP/tamper.sh" | head -n 1)
	if [ -n "$tsh" ] && nsenter --target "$tsh" --net nft flush ruleset &&
	    [ -z "$(nsenter --target "$tsh" --net nft list ruleset)" ]; then
		pass "root flushed the ruleset of a running ttp run's namespace"
	else
		fail "could not flush the ruleset of ttp run's namespace (pid '${tsh:-none}')"
	fi
else
	fail "the ttp run for the tampering check did not start"
fi
touch "$RHOME/tamper.go"
bg_wait "$tpid" 40
note "after the flush, inside: $(tr '\n' ';' <"$E2E_TMP/tamper.out")"
check "after the flush every probe from inside fails (nothing redirected, nothing out)" \
    test "$(awk '$2 == 0' "$E2E_TMP/tamper.out" | wc -l) $(wc -l <"$E2E_TMP/tamper.out")" = "0 4"
no_leak "ttp run with its namespace's ruleset flushed"

# Under sudo (SUDO_UID, no user namespace): CMD as the user all the same,
# nothing to regain.
t=$(tag sudo)
OUT=$(cli env SUDO_UID="$RUID" timeout -k 5 60 "$TTP" run sh -c \
    'id -u; grep -E "^(NoNewPrivs|CapBnd|CapEff)" /proc/self/status | tr -s "\t" " "; curl -sS --max-time 20 "$0"' \
    "http://$TTPLAB_WEB_IP4/?tag=$t" 2>/dev/null)
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
note "sudo ttp run: $(tr '\n' ';' <<<"$OUT")"
if [ "$(sed -n 1p <<<"$OUT")" = "$RUID" ] && grep -qx "NoNewPrivs: 1" <<<"$OUT" &&
    grep -qx "CapBnd: 0000000000000000" <<<"$OUT" && grep -qx "CapEff: 0000000000000000" <<<"$OUT" &&
    [ -n "$src" ] && is_exit "$src"; then
	pass "root with SUDO_UID: CMD as uid $RUID, no capability, empty bounding set, NO_NEW_PRIVS, via the exit ($src)"
else
	fail "root with SUDO_UID: '$(tr '\n' ';' <<<"$OUT")', web server saw '${src:-nothing}'"
fi
trun sh -c 'exit 7'
check "CMD's exit code passes through (7)" test $? -eq 7
trun sh -c 'printf "%s," "$@"' sh -v --config=x --log-format json
check "CMD's own words stay its own (-v, --config, --log-format after CMD)" \
    test "$OUT" = "-v,--config=x,--log-format,json,"
trun sh -c 'kill -TERM $$'
check "a CMD killed by a signal: 128+N (143)" test $? -eq 143
trun sh -c 'test "$(id -u)" = '"$RUID"' && test "$(cat /proc/1/comm)" = ttp && ! ls /proc | grep -qx '"$TTPLAB_CLI_PID"' && grep -q "nameserver 127.0.0.1" /etc/resolv.conf && ! ip -o link 2>/dev/null | grep -vq "lo:"'
check "inside: the user's own uid, its own /proc (pid 1 is ttp's), resolv.conf 127.0.0.1, only lo" test $? -eq 0

# .onion: the lab's onion service (E2E_ONION=1; HiddenServicePort 80 is
# the web server). Inside a run the name maps to an address of the pool
# (10.192.0.0/10), the connection is a CONNECT by name (tor's stream
# events), and the request reaches the web server through the onion
# service, whose tor has an address of its own (TTPLAB_ONION_IP4): that is
# the source the server logs and answers with. Not curl: it refuses .onion
# names itself (RFC 7686). Nothing but Tor leaves the client.
t0=$(now)
if e2e_onion_ready 30; then
	note "onion service $TTPLAB_ONION_NAME: descriptor published (waited $(elapsed "$t0")s)"
else
	fail "the lab's onion service published no descriptor within 30 s (see $TTPLAB_ONION_LOG)"
fi
t0=$(now)
far_arm
onion=$TTPLAB_ONION_NAME
t=$(tag onion)
bg_start "${AS_RU[@]}" "$TTP" run sh -c "sleep 2; dig +short +time=5 +tries=1 $onion A; $PY $PROBE --timeout 20 http $onion 80 '/?tag=$t'" \
    >"$E2E_TMP/onion.out" 2>/dev/null
opid=$BG_PID
wait_for 10 test -S "$RSTATE/tor/control.sock"
bg_start "${CLI[@]}" "$PY" "$E2E_TMP/ctl.py" "$RSTATE/tor/control.sock" \
    "$RSTATE/tor/control.cookie" "$onion:80" 40 >"$E2E_TMP/onion.ev" 2>&1
wpid=$BG_PID
bg_wait "$opid" 40
kill -TERM "$wpid" 2>/dev/null
bg_wait "$wpid" 5
s=$(head -n 3 "$E2E_TMP/onion.ev" | tr '\n' ';')
vaddr=$(head -n 1 "$E2E_TMP/onion.out")
reply=$(sed -n 2p "$E2E_TMP/onion.out")
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
host=$(awk -v p="/?tag=$t" '$5 == p { print $4 }' "$TTPLAB_WEB_LOG" | tail -n 1)
note "onion: '$(tr '\n' ';' <"$E2E_TMP/onion.out")' in $(elapsed "$t0")s; web server saw ${src:-nothing} (Host ${host:-none})"
case $vaddr in
10.19[2-9].*|10.2[0-5][0-9].*)
	if [ -n "$s" ]; then
		pass ".onion: $onion maps to $vaddr (10.192.0.0/10) and the connection is a CONNECT by name (tor's stream events: $s)"
	else
		fail ".onion: $vaddr, but tor saw no stream to $onion:80"
	fi ;;
*)	fail ".onion: did not map into 10.192.0.0/10: '$vaddr'" ;;
esac
if [ "$src" = "$TTPLAB_ONION_IP4" ] && [ "$host" = "$onion" ] &&
    [[ $reply == *" 200 OK: $TTPLAB_ONION_IP4" ]]; then
	pass ".onion: HTTP through the lab's onion service: the web server got the request (tag $t, Host $onion) from the onion service's tor ($src), the reply came back"
else
	fail ".onion: HTTP to $onion: web server saw '${src:-nothing}' (Host '${host:-none}'), app got '$reply'"
fi
no_leak "ttp run to an onion service"

# Two runs at once: a circuit each; --share-circuits: one.
one_stream() { [ "$(user_streams "$TTPLAB_WEB_IP4:80" | awk '$2 != 0' | wc -l)" -ge 1 ]; }
two_streams() { [ "$(user_streams "$TTPLAB_WEB_IP4:80" | awk '$2 != 0' | wc -l)" -ge 2 ]; }
two_runs() {	# two_runs [--share-circuits]: both streams' circuits and SOCKS usernames
	local a b t1 t2
	t1=$(tag c1) t2=$(tag c2)
	bg_start "${AS_RU[@]}" "$TTP" run "$@" curl -sS --max-time 20 \
	    "http://$TTPLAB_WEB_IP4/stream?seconds=8&tag=$t1" >/dev/null 2>&1
	a=$BG_PID
	wait_for 15 one_stream
	bg_start "${AS_RU[@]}" "$TTP" run "$@" curl -sS --max-time 20 \
	    "http://$TTPLAB_WEB_IP4/stream?seconds=6&tag=$t2" >/dev/null 2>&1
	b=$BG_PID
	wait_for 15 two_streams
	STREAMS=$(user_streams "$TTPLAB_WEB_IP4:80" | awk '$2 != 0')
	CIRCS=$(awk '{ print $2 }' <<<"$STREAMS" | sort -u | wc -l)
	USERS=$(awk '{ print $4 }' <<<"$STREAMS" | sort -u)
	bg_wait "$a" 20; bg_wait "$b" 20
	note "streams (id, circuit, target, SOCKS username): $(tr '\n' ';' <<<"$STREAMS")"
}
# Isolation is tor's by SOCKS username: each run has its own; --share-
# circuits runs one per user. (Circuit ids alone do not say it: conflux
# gives one isolation several circuits.)
two_runs
if [ "$(wc -l <<<"$STREAMS")" -eq 2 ] && [ "$CIRCS" -eq 2 ] &&
    [ "$(wc -l <<<"$USERS")" -eq 2 ] && ! grep -q -- '^-$' <<<"$USERS"; then
	pass "two concurrent runs: two circuits, isolated (SOCKS usernames $(tr '\n' ' ' <<<"$USERS"))"
else
	fail "two concurrent runs: not isolated: $(tr '\n' ';' <<<"$STREAMS")"
fi
two_runs --share-circuits
if [ "$(wc -l <<<"$STREAMS")" -eq 2 ] && [ "$USERS" = "ttp-run-shared-$RUID" ]; then
	pass "two runs with --share-circuits: one isolation ($USERS), $CIRCS circuit(s)"
else
	fail "two runs with --share-circuits: $(tr '\n' ';' <<<"$STREAMS")"
fi

left() {	# left WHAT [SECONDS]: nothing of ttp run in the client, at once
	# when ttp run returned (its last run waits for the user's tor to
	# end), within SECONDS when ttp itself was killed
	local l=""
	if [ -n "${2:-}" ]; then
		wait_for "$2" no_procs
	fi
	no_procs || l+=" processes: $(procs | tr '\n' ';');"
	[ "$(mounts)" = "$MOUNTS0" ] || l+=" mounts: $(mounts) (was $MOUNTS0);"
	[ ! -e "$RSTATE/tor/socks.sock" ] || l+=" socks.sock;"
	if [ -z "$l" ]; then
		pass "$1: nothing left (no process of the user, no tor, no mount, no socket)"
	else
		fail "$1: left behind:$l"
	fi
}
left "after the last run"

# kill -9 of CMD, then of ttp.
bg_start "${AS_RU[@]}" "$TTP" run sleep 60 >/dev/null 2>&1
rp=$BG_PID
wait_for 20 pgrep -u "$RUID" -x sleep
kill -KILL "$(pgrep -u "$RUID" -x sleep)"
bg_wait "$rp" 10
check "kill -9 of CMD: ttp run exits 137" test $? -eq 137
left "after kill -9 of CMD"
bg_start "${AS_RU[@]}" "$TTP" run sleep 60 >/dev/null 2>&1
rp=$BG_PID
wait_for 20 pgrep -u "$RUID" -x sleep
kill -KILL "$rp"
bg_wait "$rp" 10
left "after kill -9 of ttp" 15

# ---------------------------------------------------------------- a session
ttp start
check "ttp start in the client" test $? -eq 0
far_arm
t=$(tag c3)
bg_start "${AS_RU[@]}" "$TTP" run curl -sS --max-time 20 \
    "http://$TTPLAB_WEB_IP4/stream?seconds=4&tag=$t" >"$E2E_TMP/s.out" 2>&1
sp=$BG_PID
wait_for 15 has_streams streams /run/tor/ttp/control.sock /run/tor/ttp/auth_cookie "$TTPLAB_WEB_IP4:80"
s=$(streams /run/tor/ttp/control.sock /run/tor/ttp/auth_cookie "$TTPLAB_WEB_IP4:80")
ut=$(pgrep -u "$RUID" -x tor)
bg_wait "$sp" 20
src=$(awk -v p="/stream?seconds=4&tag=$t" '$5 == p { print $2 }' "$TTPLAB_WEB_LOG" | tail -n 1)
if [ -n "$s" ] && [ -z "$ut" ] && [ -n "$src" ] && is_exit "$src"; then
	pass "with a session: ttp run goes through the session's tor (its stream: $s; no tor of the user), via the exit ($src)"
else
	fail "with a session: session's streams '$s', user's tor '$ut', web server saw '${src:-nothing}'"
fi
no_leak "ttp run with a host session"
ttp stop
check "ttp stop" test $? -eq 0
check "ttp stop removed the SOCKS socket and its directory" \
    cli test ! -e /run/ttp/socks
left "after the session's run"

e2e_finish
