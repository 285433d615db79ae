#!/bin/bash
# A real tor, started the way the CLI starts it (tor_proc.c through the
# tor_tool driver), driven by ttp-torctl over its control socket. All of
# it runs inside a network and mount namespace created here, and the torrc
# carries `DisableNetwork 1` (asserted before tor starts): tor answers the
# control protocol but opens no connection and no listener besides its
# control socket. Checks: tor runs as its user with its own sandbox;
# ttp-torctl authenticates, drops to the unprivileged user under seccomp,
# GETINFO works, bootstrap follows events and times out cleanly (exit 3),
# NEWNYM, a wrong cookie is refused, SHUTDOWN ends tor (waited for through
# its pidfd), and nothing is left running. The rotator (`rotate`,
# docs/rotation.md): confined the same way, alive after SIGSTOP/SIGCONT
# (restart_syscall), ended by SIGTERM and by tor's shutdown; against a
# scripted tor, NEWNYM at each tick of its timer.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/harness.sh
. "$ROOT/tests/lib/harness.sh"
BIN=${TTP_BIN:-$ROOT/build/bin}
TESTS=${TTP_TESTS:-$ROOT/build/tests}
TORCTL=$BIN/ttp-torctl
TOOL=$TESTS/tor_tool
TOR_USER=debian-tor
T=


cleanup() {
	local pid
	if [ -n "$T" ] && [ -f "$T/tor.pid" ]; then
		pid=$(cat "$T/tor.pid")
		# Only our tor: the pid is checked against our torrc first.
		"$TOOL" ours "$pid" "$T/torrun/torrc" >/dev/null 2>&1 &&
			"$TOOL" terminate "$pid" >/dev/null 2>&1
	fi
	[ -n "$T" ] && [ -z "${KEEP:-}" ] && rm -rf "$T"
}
on_exit cleanup

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces, tor user)"
command -v tor >/dev/null || bail "tor is not installed (sudo make deps)"
id "$TOR_USER" >/dev/null 2>&1 || bail "user $TOR_USER missing"
[ -x "$TORCTL" ] && [ -x "$TOOL" ] || bail "build first ($TORCTL, $TOOL)"

T=$(mktemp -d /tmp/ttptor-netns.XXXXXX)
chmod 755 "$T"		# tor, as its user, must reach its directories
printf '# never any network in a test\nDisableNetwork 1\n' > "$T/append"
cat > "$T/ttp.conf" <<EOF
[tor]
user = $TOR_USER
torrc_append = $T/append
data_dir = $T/data
[paths]
run_dir = $T/run
tor_run_dir = $T/torrun
EOF
export T TORCTL TOOL TOR_USER

# The half in the namespaces: its checks are this file's (in_child).
inner() {
	set -u
	# shellcheck disable=SC1090
	. "$H_LIB"
	local conf=$T/ttp.conf pid out rc t0 t1 st tpid uid rpid rpid2

	ip link set lo up || bail "lo up"

	# The safety net first: no tor without DisableNetwork 1.
	"$TOOL" "$conf" torrc > "$T/torrc.preview" 2>"$T/tool.err" ||
		bail "torrc: $(cat "$T/tool.err")"
	grep -qx 'DisableNetwork 1' "$T/torrc.preview" ||
		bail "rendered torrc lacks DisableNetwork 1; not starting tor"

	pid=$("$TOOL" "$conf" start 2>"$T/tool.err") ||
		bail "start: $(cat "$T/tool.err")"
	echo "$pid" > "$T/tor.pid"
	"$TOOL" ours "$pid" "$T/torrun/torrc" >/dev/null || bail "pid $pid is not our tor"
	st=/proc/$pid/status
	uid=$(id -u "$TOR_USER")
	grep -Eq "^Uid:[[:space:]]+${uid}[[:space:]]" "$st" || bail "tor is not running as $TOR_USER"

	# GETINFO; also waits for the control socket and the cookie.
	out=$("$TORCTL" --config "$conf" --pid "$pid" --timeout 20 getinfo version net/listeners/trans)
	rc=$?
	[ $rc -eq 0 ] || bail "getinfo: rc $rc: $out"
	echo "$out" | grep -Eq '^version=0\.4\.' || bail "getinfo version: $out"
	# DisableNetwork: tor opened no TransPort listener.
	echo "$out" | grep -qx 'net/listeners/trans=' || bail "tor listens: $out"
	pass "getinfo ($(echo "$out" | head -1))"
	# tor installs its sandbox after reading the torrc; it is up by now.
	grep -Eq '^Seccomp:[[:space:]]+2' "$st" && grep -qx 'Sandbox 1' "$T/torrc.preview" &&
		pass "tor runs as $TOR_USER under its own Sandbox 1" ||
		bail "tor's own sandbox is not active"

	# Bootstrap with DisableNetwork never progresses: a clean timeout.
	t0=$(date +%s%N)
	"$TORCTL" --config "$conf" --pid "$pid" --timeout 3 bootstrap > "$T/boot.out" &
	tpid=$!
	# While it waits: confined, unprivileged, no capabilities.
	for _ in $(seq 20); do
		grep -Eq '^Seccomp:[[:space:]]+2' "/proc/$tpid/status" 2>/dev/null && break
		sleep 0.1
	done
	st=$(cat "/proc/$tpid/status" 2>/dev/null)
	echo "$st" | grep -Eq '^Seccomp:[[:space:]]+2' || bail "torctl: no seccomp filter"
	echo "$st" | grep -Eq '^NoNewPrivs:[[:space:]]+1' || bail "torctl: no NO_NEW_PRIVS"
	echo "$st" | grep -Eq '^CapEff:[[:space:]]+0+$' || bail "torctl: capabilities left"
	echo "$st" | grep -Eq '^Uid:[[:space:]]+0[[:space:]]' && bail "torctl still root"
	wait "$tpid"
	rc=$?
	t1=$(date +%s%N)
	[ $rc -eq 3 ] || bail "bootstrap: rc $rc (want 3): $(cat "$T/boot.out")"
	grep -qx 'progress 0 starting Starting' "$T/boot.out" ||
		bail "bootstrap: no initial progress line: $(cat "$T/boot.out")"
	grep -q '^error timeout: tor did not bootstrap within 3 s (at 0%, starting)$' "$T/boot.out" ||
		bail "bootstrap: timeout line: $(cat "$T/boot.out")"
	[ $(( (t1 - t0) / 1000000 )) -ge 2900 ] && [ $(( (t1 - t0) / 1000000 )) -lt 8000 ] ||
		bail "bootstrap took $(( (t1 - t0) / 1000000 )) ms for --timeout 3"
	pass "bootstrap subscribed, reported 0%, timed out after 3 s (exit 3)"

	out=$("$TORCTL" --config "$conf" --timeout 10 newnym)
	[ $? -eq 0 ] && [ "$out" = "ok" ] || bail "newnym: $out"
	pass "newnym"

	out=$("$TORCTL" --config "$conf" --timeout 10 getinfo no/such/key)
	[ $? -eq 1 ] && echo "$out" | grep -q '^error GETINFO: tor answered 552' ||
		bail "bad getinfo key: $out"
	head -c 32 /dev/zero > "$T/badcookie"
	out=$("$TORCTL" --config "$conf" --cookie "$T/badcookie" --timeout 10 newnym)
	[ $? -eq 1 ] && echo "$out" | grep -q '^error AUTHENTICATE: tor answered 515' ||
		bail "wrong cookie: $out"
	pass "errors (bad key, wrong cookie)"

	# The rotator: confined like every torctl once it says "ok".
	"$TORCTL" --config "$conf" --timeout 10 rotate --every 1 \
	    >"$T/rot1.out" 2>"$T/rot1.err" &
	rpid=$!
	wait_for 15 grep -qx ok "$T/rot1.out" ||
		bail "rotate: no ok: $(cat "$T/rot1.out" "$T/rot1.err")"
	st=$(cat "/proc/$rpid/status" 2>/dev/null)
	echo "$st" | grep -Eq '^Seccomp:[[:space:]]+2' || bail "rotator: no seccomp filter"
	echo "$st" | grep -Eq '^NoNewPrivs:[[:space:]]+1' || bail "rotator: no NO_NEW_PRIVS"
	echo "$st" | grep -Eq '^CapEff:[[:space:]]+0+$' || bail "rotator: capabilities left"
	echo "$st" | grep -Eq "^Uid:[[:space:]]+$(id -u _ttp)[[:space:]]" || bail "rotator is not _ttp"
	[ "$(ls "/proc/$rpid/fd" | wc -l)" -eq 4 ] ||
		bail "rotator keeps other descriptors than stdin, stderr, the socket and its timer: $(ls -l "/proc/$rpid/fd")"
	pass "rotate: ok once connected, then _ttp, no capabilities, seccomp, stdout closed, 2 descriptors of its own"
	# Stopped and continued in its wait: restart_syscall, not SIGSYS.
	kill -STOP "$rpid"
	sleep 0.3
	kill -CONT "$rpid"
	sleep 1.5
	kill -0 "$rpid" 2>/dev/null || bail "rotator died after SIGSTOP/SIGCONT: $(cat "$T/rot1.err")"
	# Its NEWNYMs reach tor: within 10 s of the one above, tor defers them.
	grep -q 'Rate limiting NEWNYM request' "$T/run/tor.log" ||
		bail "tor saw no NEWNYM from the rotator: $(tail -3 "$T/run/tor.log")"
	pass "rotate: tor receives its NEWNYM; alive after SIGSTOP/SIGCONT"
	t0=$(date +%s%N)
	kill -TERM "$rpid"
	wait "$rpid"
	rc=$?
	t1=$(date +%s%N)
	[ $rc -eq 143 ] && [ $(( (t1 - t0) / 1000000 )) -lt 2000 ] ||
		bail "rotator on SIGTERM: rc $rc after $(( (t1 - t0) / 1000000 )) ms"
	pass "rotate: SIGTERM ends it at once"
	# One that runs on: tor's shutdown below must end it.
	"$TORCTL" --config "$conf" --timeout 10 rotate --every 3600 \
	    >"$T/rot2.out" 2>"$T/rot2.err" &
	rpid2=$!
	wait_for 15 grep -qx ok "$T/rot2.out" ||
		bail "rotate: no ok: $(cat "$T/rot2.out" "$T/rot2.err")"

	out=$("$TORCTL" --config "$conf" --pid "$pid" --timeout 20 shutdown)
	rc=$?
	[ $rc -eq 0 ] && [ "$out" = "ok" ] || bail "shutdown: rc $rc: $out"
	[ "$("$TOOL" wait "$pid" 5000)" = exited ] || bail "tor still running after shutdown"
	# Gone, or a zombie its new parent (init) has not reaped yet.
	[ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
		bail "pid $pid alive"
	rm -f "$T/tor.pid"
	[ -e "$T/torrun/control.sock" ] && bail "control socket left behind"
	pass "shutdown, tor exited"
	wait_for 5 eval "! kill -0 $rpid2" || bail "rotator still running after tor's shutdown"
	wait "$rpid2"
	rc=$?
	[ $rc -eq 0 ] || bail "rotator after tor's shutdown: rc $rc: $(cat "$T/rot2.err")"
	pass "rotate: ends by itself (exit 0) when tor closes the control connection"

	# With tor gone: bounded failure, and a dead --pid cuts the wait short.
	out=$("$TORCTL" --config "$conf" --timeout 1 newnym)
	[ $? -eq 3 ] && echo "$out" | grep -q "^error timeout: tor's control socket not ready" ||
		bail "no tor: $out"
	sleep 0.5 &
	t0=$(date +%s%N)
	out=$("$TORCTL" --config "$conf" --pid $! --timeout 10 newnym)
	rc=$?
	t1=$(date +%s%N)
	[ $rc -eq 1 ] && echo "$out" | grep -q '^error tor exited before its control socket was ready' ||
		bail "dead tor: rc $rc: $out"
	[ $(( (t1 - t0) / 1000000 )) -lt 3000 ] || bail "dead tor noticed only after $(( (t1 - t0) / 1000000 )) ms"
	pass "no tor -> timeout (exit 3); tor exits -> error at once"

	out=$("$TORCTL" bogus 2>&1)
	[ $? -eq 2 ] || bail "usage: $out"
	for bad in "rotate" "--every 10 newnym" "--every 0 rotate" \
	    "--every 86401 rotate" "--every 10x rotate" "--pid 1 --every 10 rotate" \
	    "--every 10 rotate extra"; do
		# shellcheck disable=SC2086
		out=$("$TORCTL" --config "$conf" $bad 2>&1)
		[ $? -eq 2 ] && grep -q '^error ' <<<"$out" || bail "usage '$bad': $out"
	done
	"$TORCTL" --help | grep -q '^usage: ttp-torctl' || bail "--help"
	return 0
}
export -f inner

in_child timeout 120 unshare --net --mount bash -c inner

# Bootstrap events as a bootstrapping tor sends them (a DisableNetwork tor
# sends none), from a scripted control socket: progress is event-driven,
# problems are reported, repeated progress is not, other events ignored.
mkdir -m 700 "$T/fake"
head -c 32 /dev/urandom > "$T/fake/cookie"
cat > "$T/fake/tor.py" <<'PY'
import socket, sys, time
path, cookie = sys.argv[1], open(sys.argv[2], 'rb').read().hex()
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(1)
srv.settimeout(10)
c, _ = srv.accept()
c.settimeout(10)
newnyms = []
EVENTS = [
    'NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay"',
    'NOTICE BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY="Connected to a relay"',
    'WARN BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY="Connected to a relay" '
    'WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=1 '
    'RECOMMENDATION=ignore HOSTADDR="192.0.2.1:443"',
    'NOTICE BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY="Connected to a relay"',
    'NOTICE ENOUGH_DIR_INFO',
    'NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"',
]
for raw in c.makefile('rb'):
    line = raw.decode().rstrip('\r\n')
    if line == 'PROTOCOLINFO 1':
        c.sendall(b'250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE '
                  b'COOKIEFILE="/x"\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n')
    elif line.startswith('AUTHENTICATE '):
        ok = line.split()[1].lower() == cookie
        c.sendall(b'250 OK\r\n' if ok else b'515 Authentication failed\r\n')
    elif line == 'SETEVENTS STATUS_CLIENT':
        c.sendall(b'250 OK\r\n')
    elif line == 'GETINFO status/bootstrap-phase':
        c.sendall(b'250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=0 '
                  b'TAG=starting SUMMARY="Starting"\r\n250 OK\r\n')
        for e in EVENTS:
            time.sleep(0.05)
            c.sendall(b'650 STATUS_CLIENT ' + e.encode() + b'\r\n')
    elif line == 'SIGNAL NEWNYM':
        # argv[3]: hang up after that many, their times in argv[4].
        c.sendall(b'250 OK\r\n')
        newnyms.append(time.monotonic())
        if len(sys.argv) > 4 and len(newnyms) == int(sys.argv[3]):
            open(sys.argv[4], 'w').write(
                ' '.join('%.3f' % (t - newnyms[0]) for t in newnyms) + '\n')
            break
    elif line == 'GETINFO config-text':
        c.sendall(b'250+config-text=\r\n..dotted\r\nplain\r\n.\r\n250 OK\r\n')
    else:
        c.sendall(b'510 Unrecognized command\r\n')
PY
printf '%s\n' 'progress 0 starting Starting' \
    'progress 5 conn Connecting to a relay' \
    'progress 10 conn_done Connected to a relay' \
    'problem 10 conn_done ignore CONNECTREFUSED Connection refused' \
    'progress 100 done Done' 'done 100' > "$T/fake/want"
fake() {	# fake COMMAND...: ttp-torctl against the scripted tor
	local rc
	rm -f "$T/fake/control.sock"
	timeout 20 python3 "$T/fake/tor.py" "$T/fake/control.sock" "$T/fake/cookie" &
	"$TORCTL" --config "$T/ttp.conf" --control "$T/fake/control.sock" \
	    --cookie "$T/fake/cookie" --timeout 10 "$@"
	rc=$?
	wait
	return $rc
}
fake bootstrap > "$T/fake/got" || bail "bootstrap against scripted tor: $(cat "$T/fake/got")"
diff -u "$T/fake/want" "$T/fake/got" || bail "bootstrap progress lines differ"
pass "event-driven bootstrap progress (scripted tor)"
out=$(fake getinfo config-text) || bail "getinfo data block: $out"
[ "$out" = "$(printf 'config-text+\n..dotted\nplain\n.')" ] || bail "getinfo data block: $out"
pass "getinfo data block printed dot-stuffed"

# The rotator's schedule: NEWNYM at each tick (every 1 s here), and exit 0
# when tor hangs up (after the third).
rm -f "$T/fake/control.sock" "$T/fake/newnym.times"
timeout 20 python3 "$T/fake/tor.py" "$T/fake/control.sock" "$T/fake/cookie" \
    3 "$T/fake/newnym.times" &
fpid=$!
t0=$(date +%s%N)
out=$("$TORCTL" --config "$T/ttp.conf" --control "$T/fake/control.sock" \
    --cookie "$T/fake/cookie" --timeout 10 rotate --every 1 2>"$T/fake/rot.err")
rc=$?
t1=$(date +%s%N)
wait "$fpid"
[ $rc -eq 0 ] && [ "$out" = ok ] ||
	bail "rotate against scripted tor: rc $rc, '$out': $(cat "$T/fake/rot.err")"
read -r _ b c < "$T/fake/newnym.times" || bail "scripted tor saw no 3 NEWNYM"
awk -v b="$b" -v c="$c" 'BEGIN { exit !(b > 0.8 && b < 1.5 && c - b > 0.8 && c - b < 1.5) }' ||
	bail "NEWNYM not 1 s apart: 0 $b $c"
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -ge 2800 ] && [ "$ms" -lt 6000 ] || bail "rotate --every 1 took $ms ms for 3 NEWNYM"
pass "rotate: SIGNAL NEWNYM at each tick (at +$b s, +$c s after the first), exit 0 when tor hangs up (${ms} ms)"

# A symlink in place of the control socket (its directory is the tor
# user's) is not followed, even to a live control socket.
rm -f "$T/fake/real.sock" "$T/fake/link.sock"
timeout 20 python3 "$T/fake/tor.py" "$T/fake/real.sock" "$T/fake/cookie" &
fpid=$!
for ((i = 0; i < 50; i++)); do [ -S "$T/fake/real.sock" ] && break; sleep 0.1; done
ln -s "$T/fake/real.sock" "$T/fake/link.sock"
out=$("$TORCTL" --config "$T/ttp.conf" --control "$T/fake/link.sock" \
    --cookie "$T/fake/cookie" --timeout 2 getinfo version 2>&1) &&
    bail "torctl followed a symlink to a control socket: $out"
case $out in *"not a socket"*) ;; *) bail "no clear refusal of the symlink: $out" ;; esac
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
pass "a symlink in place of the control socket is not followed"

# Nothing of ours left running anywhere.
for p in /proc/[0-9]*; do
	if tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "$T/"; then
		bail "left running: $(tr '\0' ' ' < "$p/cmdline")"
	fi
done
grep -q 'Interrupt: exiting cleanly\|Catching signal TERM, exiting cleanly' "$T/run/tor.log" ||
	bail "tor.log lacks a clean exit: $(tail -3 "$T/run/tor.log")"
pass "nothing left running; tor.log in run_dir"
done_testing
