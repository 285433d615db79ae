#!/bin/bash
# Every error path of the ttp CLI: each case asserts the exit code, the
# one-line message (it names the problem and the fix) and that NOTHING
# changed: no table inet ttp, no mount on /etc/resolv.conf, no lock, no
# tor, no new files in the run directories, the same ruleset and mounts.
# Root cases run in the harness of lib.sh: the client's private network
# namespace and a private mount namespace (propagation private) with the
# run directories on a tmpfs, configured by a temporary TTP_CONFIG, so
# nothing on the host can change even if ttp misbehaved; "nothing
# changed" is checked inside those namespaces. Non-root cases run there as
# uid 65534 (setpriv). A machine without the system user _ttp is simulated
# in a further private mount namespace, with copies of /etc/passwd and
# /etc/group bind-mounted over the real ones (never written). Also: --help
# everywhere, colour only on a terminal and never with NO_COLOR,
# --log-format json. Needs root and _ttp (scripts/install-user.sh); ~20 s.
# shellcheck disable=SC2015  # pass/fail never fail: A && pass || fail is fine
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces)"
[ -x "$TTP" ] || bail "no $TTP; build first"
TOR_BIN=$(command -v tor) ||
    bail "tor is not installed (scripts/deps.sh)"
# The account ttp's helpers run as (never another one).
HELPER_UID=$(id -u _ttp 2>/dev/null) && HELPER_GID=$(id -g _ttp) ||
    bail "no system user _ttp (scripts/install-user.sh)"

cli_setup || { cat "$LIB_TMP"/*.log; bail "harness setup"; }
# The supervised-tor cases must find tor where it is, never install it.
write_conf "$CONF" "$(printf '[tor]\nbinary = %s' "$TOR_BIN")"
NOBODY=65534
ERR=$LIB_TMP/stderr OUT=$LIB_TMP/stdout

# Create run_dir (and ttp.log) once, so a later mkdir is not a "change".
ttp stop >/dev/null 2>&1

# snapshot: everything an error must leave as it was. ttp.log is the
# session log: appending an error to it is expected.
snapshot() {
	echo "$(host_state) tor=[$(tor_pids | tr '\n' ' ')]"
	in_client nft list ruleset | md5sum
	# (other tests' `ip netns` mounts come and go under /run/netns)
	grep -v ' /run/netns/' "/proc/$HOLDER/mountinfo" | md5sum
	(cd "/proc/$HOLDER/root$RUN" && find . ! -name 'ttp.log*' | sort)
	{ md5sum < "/proc/$HOLDER/root$RUN_DIR/ttp.lock"; } 2>/dev/null || echo "no lock"
}

# case NAME RC REGEX [as UID] -- TTP-ARGS...
#   run ttp (as root, or as UID; as root through $TTP_RUN when set); pass
#   when the exit code is RC, stderr is exactly one line matching REGEX (or,
#   with RC 0, stdout's first line matches it) and the snapshot is
#   unchanged.
case_() {
	local name=$1 want=$2 re=$3 uid='' before after rc line n; shift 3
	if [ "$1" = as ]; then uid=$2; shift 2; fi
	[ "$1" = -- ] && shift
	before=$(snapshot)
	if [ -n "$uid" ]; then ttp_as "$uid" "$@" >"$OUT" 2>"$ERR" </dev/null
	else "${TTP_RUN:-ttp}" "$@" >"$OUT" 2>"$ERR" </dev/null; fi
	rc=$?
	after=$(snapshot)
	if [ "$want" = 0 ]; then line=$(head -n 1 "$OUT"); n=1
	else line=$(head -n 1 "$ERR"); n=$(wc -l < "$ERR"); fi
	if [ "$before" != "$after" ]; then
		fail "$name: the host changed: before <$before> after <$after>"
	elif [ "$rc" != "$want" ] || ! [[ $line =~ $re ]]; then
		fail "$name: exit $rc (want $want), '$line' (want /$re/)"
	elif [ "$n" != 1 ] && [ "${MULTI:-}" != 1 ]; then
		fail "$name: $n lines on stderr (want one): $(tr '\n' '|' < "$ERR")"
	else
		pass "$name"
	fi
}

# ttp_fake PASSWD GROUP ARGS...: ttp as root in the session's namespaces
# and, inside them, in a private mount namespace of its own where PASSWD
# and GROUP are bind-mounted over /etc/passwd and /etc/group: the real
# files are never written, and the mounts end with that namespace. Exit 97
# when getent does not see the fake, 98 when ttp changed a mount there
# (the snapshot, taken outside, would not see that).
ttp_fake() {
	local pw=$1 gr=$2; shift 2
	# shellcheck disable=SC2016  # $1... are the inner shell's
	in_session unshare --mount --propagation private sh -c '
		pw=$1 gr=$2 ttp=$3; shift 3
		mount --bind "$pw" /etc/passwd && mount --bind "$gr" /etc/group || exit 97
		[ "$(getent passwd _ttp)" = "$(grep "^_ttp:" "$pw")" ] || exit 97
		before=$(cat /proc/self/mountinfo)
		"$ttp" "$@"; rc=$?
		[ "$before" = "$(cat /proc/self/mountinfo)" ] ||
		    { echo "ttp changed the mounts"; exit 98; }
		exit $rc' sh "$pw" "$gr" "$TTP" "$@"
}
# No _ttp at all; _ttp as nobody's uid; _ttp as root.
ttp_nouser() { ttp_fake "$LIB_TMP/passwd.none" "$LIB_TMP/group.none" "$@"; }
ttp_shared() { ttp_fake "$LIB_TMP/passwd.shared" "$LIB_TMP/group.none" "$@"; }
ttp_rootuser() { ttp_fake "$LIB_TMP/passwd.root" "$LIB_TMP/group.none" "$@"; }
grep -v '^_ttp:' /etc/passwd > "$LIB_TMP/passwd.none"
grep -v '^_ttp:' /etc/group > "$LIB_TMP/group.none"
cp "$LIB_TMP/passwd.none" "$LIB_TMP/passwd.shared"
echo "_ttp:x:65534:65534::/nonexistent:/usr/sbin/nologin" >> "$LIB_TMP/passwd.shared"
cp "$LIB_TMP/passwd.none" "$LIB_TMP/passwd.root"
echo "_ttp:x:0:0::/nonexistent:/usr/sbin/nologin" >> "$LIB_TMP/passwd.root"
chmod 644 "$LIB_TMP"/passwd.* "$LIB_TMP"/group.*

printf 'obfs4 192.0.2.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=abc iat-mode=0\n# a comment\n\nobfs4 notanaddress\n' > "$LIB_TMP/bridges"
printf '[tor]\nthis line is not ini\n' > "$LIB_TMP/malformed.conf"
printf '[paths]\nfrobnicate = 1\n' > "$LIB_TMP/unknown.conf"
printf '[tor]\ntransport_port = 99999\n' > "$LIB_TMP/badport.conf"
cp "$CONF" "$LIB_TMP/writable.conf"
write_conf "$LIB_TMP/notor.conf" "$(printf '[tor]\nbinary = %s\nuser = ttpclinosuchuser' "$TOR_BIN")"
chmod 644 "$LIB_TMP"/*.conf "$LIB_TMP/bridges"
chmod 666 "$LIB_TMP/writable.conf"

note "--- option errors: exit 1, one line, nothing changed"
case_ "unknown user" 1 "^ttp: --bypass-user: no user 'nosuchuser'; check the name with 'getent passwd nosuchuser'\$" \
    -- start --bypass-user nosuchuser
case_ "unknown user in a list" 1 "^ttp: --bypass-user: no user 'nosuchuser'" \
    -- start --bypass-user nobody,nosuchuser
case_ "unknown group" 1 "^ttp: --bypass-group: no group 'nosuchgroup'; check the name with 'getent group nosuchgroup'\$" \
    -- start --bypass-group nosuchgroup
case_ "uid 0 in --bypass-user (name)" 1 "^ttp: --bypass-user: user 'root' is id 0; root is exempted only with --allow-root\$" \
    -- start --bypass-user root
case_ "uid 0 in --bypass-user (number)" 1 "^ttp: --bypass-user: user '0' is id 0; .*--allow-root" \
    -- start --bypass-user 0
case_ "gid 0 in --bypass-group" 1 "^ttp: --bypass-group: group 'root' is id 0; .*--allow-root" \
    -- start --bypass-group root
case_ "--bypass-user _ttp (the helpers' own account)" 1 "^ttp: --bypass-user _ttp: that is the account ttp's own helpers run as; exempting it would let the exit check leave outside Tor\\. Choose another user\$" \
    -- start --bypass-user _ttp
case_ "--bypass-user _ttp in a list" 1 "^ttp: --bypass-user _ttp: that is the account ttp's own helpers run as;" \
    -- start "${TTP_START_ARGS[@]}" --bypass-user nobody,_ttp
case_ "--bypass-user with _ttp's uid" 1 "^ttp: --bypass-user $HELPER_UID: that is the account ttp's own helpers run as \\(uid $HELPER_UID is _ttp's\\); exempting it" \
    -- start --bypass-user "$HELPER_UID"
case_ "--bypass-group _ttp (the helpers' group)" 1 "^ttp: --bypass-group _ttp: that is the group ttp's own helpers run as \\(gid $HELPER_GID is _ttp's\\); exempting it would let the exit check leave outside Tor\\. Choose another group\$" \
    -- start --bypass-group _ttp
case_ "--bypass-group with _ttp's gid" 1 "^ttp: --bypass-group $HELPER_GID: that is the group ttp's own helpers run as" \
    -- start "${TTP_START_ARGS[@]}" --bypass-group "$HELPER_GID"
case_ "--tor-uid of _ttp" 1 "^ttp: --tor-uid $HELPER_UID: that is the account ttp's own helpers run as" \
    -- start --external-daemon --tor-uid "$HELPER_UID"
case_ "restart --bypass-user _ttp" 1 "^ttp: --bypass-user _ttp: that is the account ttp's own helpers run as;" \
    -- restart --bypass-user _ttp
case_ "rules --bypass-user _ttp (the same parsing)" 1 "^ttp: --bypass-user _ttp: that is the account ttp's own helpers run as;" \
    as $NOBODY -- rules --tor-uid "$TOR_UID" --bypass-user _ttp
case_ "empty --bypass-user list" 1 "^ttp: --bypass-user: empty list; give names separated by commas" \
    -- start --bypass-user ,
case_ "bad port (0)" 1 "^ttp: --transport-port: '0' is not a port; give a number from 1 to 65535\$" \
    -- start --transport-port 0
case_ "bad port (70000)" 1 "^ttp: --dns-port: '70000' is not a port; give a number from 1 to 65535\$" \
    -- start --dns-port 70000
case_ "bad port (text)" 1 "^ttp: --transport-port: ' 9041' is not a port" \
    -- start --transport-port ' 9041'
case_ "bad --tor-uid" 1 "^ttp: --tor-uid: '0' is not a uid; give a number from 1 to" \
    -- start --external-daemon --tor-uid 0
case_ "bad --bootstrap-timeout (text)" 1 "^ttp: --bootstrap-timeout: 'soon' is not a number of seconds from 1 to 3600\$" \
    -- start --bootstrap-timeout soon
case_ "bad --bootstrap-timeout (0)" 1 "^ttp: --bootstrap-timeout: '0' is not a number of seconds from 1 to 3600\$" \
    -- start --bootstrap-timeout 0
case_ "bad --bootstrap-timeout (negative)" 1 "^ttp: --bootstrap-timeout: '-5' is not a number" \
    -- start --bootstrap-timeout -5
case_ "--rotate below tor's NEWNYM limit" 1 "^ttp: --rotate: '5s' is less than 10s, .*give a period from 10s to 24h" \
    -- start --rotate 5s
case_ "--rotate above a day" 1 "^ttp: --rotate: '25h' is more than 24h; give a period from 10s to 24h" \
    -- restart --rotate 25h
case_ "--rotate with an unknown unit" 1 "^ttp: --rotate: '10x' has an unknown or repeated unit" \
    -- start --rotate 10x
case_ "--rotate without a unit at its end" 1 "^ttp: --rotate: '1h30' lacks a unit at its end" \
    -- enable --rotate 1h30
case_ "--rotate with --external-daemon" 1 "^ttp: --rotate cannot be used with --external-daemon: ttp does not own that tor's control port" \
    -- start "${TTP_START_ARGS[@]}" --rotate 10m
case_ "bad bridge line" 1 "^ttp: --bridge: bridge line 1: 'notanaddress' is not IP:port .*port 1-65535" \
    -- start --bridge "obfs4 notanaddress"
case_ "bad second --bridge" 1 "^ttp: --bridge: bridge line 2: " \
    -- start --bridge "192.0.2.7:443" --bridge "192.0.2.8:99999"
case_ "bridge file with a bad line 4" 1 "^ttp: $LIB_TMP/bridges: bridge line 4: 'notanaddress' is not IP:port" \
    -- start --bridge-file "$LIB_TMP/bridges"
case_ "missing bridge file" 1 "^ttp: $LIB_TMP/nosuchfile: No such file or directory" \
    -- start --bridge-file "$LIB_TMP/nosuchfile"
case_ "--use-bridges without bridges" 1 "^ttp: --use-bridges needs bridge lines: add --bridge LINE or --bridge-file FILE\$" \
    -- start --use-bridges
case_ "--external-daemon without --tor-uid" 1 "^ttp: --external-daemon needs --tor-uid N" \
    -- start --external-daemon
case_ "--external-daemon with bridges" 1 "^ttp: bridges are configured in your own tor with --external-daemon; drop the bridge options\$" \
    -- start "${TTP_START_ARGS[@]}" --bridge 192.0.2.7:443
case_ "--external-daemon, nothing on the TransPort" 1 "^ttp: nothing listens on 127.0.0.1:9999 \(TCP\); start your tor with TransPort 9999 first, or pass --transport-port\$" \
    -- start "${TTP_START_ARGS[@]}" --transport-port 9999
case_ "unknown interface" 1 "^ttp: no network interface named 'ttpnosuch0' \(see 'ip link'\); omit -i" \
    -- start -i ttpnosuch0 "${TTP_START_ARGS[@]}"
case_ "tor user missing" 1 "^ttp: tor user 'ttpclinosuchuser' does not exist; install tor or pass --tor-uid N\$" \
    -- --config "$LIB_TMP/notor.conf" start
# A torrc tor refuses is found after the firewall is up (tor
# --verify-config takes too long to run before protection): the start is
# undone and the host is exactly as it was.
printf 'BogusDirectiveForTtpTests 1\n' >"$LIB_TMP/bogus-torrc"
chmod 644 "$LIB_TMP/bogus-torrc"
write_conf "$LIB_TMP/badtorrc.conf" "$(printf '[tor]\nbinary = %s\ntorrc_append = %s' "$TOR_BIN" "$LIB_TMP/bogus-torrc")"
case_ "a torrc tor refuses: undone, nothing changed" 1 "^ttp: the generated torrc is not valid: " \
    -- --config "$LIB_TMP/badtorrc.conf" start
no_ttp_procs && pass "a torrc tor refuses: no ttp process (ttp-anchor included) left" ||
    fail "a torrc tor refuses: left $(ttp_procs)"
case_ "bad --log-format" 1 "^ttp: --log-format: 'xml' is neither text nor json\$" \
    -- --log-format xml status

note "--- configuration errors: FILE:LINE"
case_ "malformed config file" 1 "^ttp: $LIB_TMP/malformed.conf:2: malformed line \(expected \[section\] or key = value\)\$" \
    -- --config "$LIB_TMP/malformed.conf" start "${TTP_START_ARGS[@]}"
case_ "unknown config key" 1 "^ttp: $LIB_TMP/unknown.conf:2: unknown key 'frobnicate' in section \[paths\]\$" \
    -- --config "$LIB_TMP/unknown.conf" start "${TTP_START_ARGS[@]}"
case_ "bad config value" 1 "^ttp: $LIB_TMP/badport.conf:2: bad port for 'transport_port': '99999' \(1-65535\)\$" \
    -- --config="$LIB_TMP/badport.conf" stop
case_ "explicit --config, missing file" 1 "^ttp: $LIB_TMP/missing.conf: No such file or directory\$" \
    -- --config "$LIB_TMP/missing.conf" start "${TTP_START_ARGS[@]}"
TTP_CONF=$LIB_TMP/missing.conf case_ "TTP_CONFIG names a missing file" 1 \
    "^ttp: $LIB_TMP/missing.conf: No such file or directory\$" -- stop
case_ "config writable by others (root)" 1 "^ttp: $LIB_TMP/writable.conf: must be owned by root and not writable by group or others \(chown root; chmod go-w\)\$" \
    -- --config "$LIB_TMP/writable.conf" start "${TTP_START_ARGS[@]}"

note "--- unknown command / option: exit 1"
case_ "unknown command" 1 "^ttp: unknown command 'frobnicate'; see 'ttp --help'\$" -- frobnicate
for c in start stop status check rules logs; do
	case_ "unknown option of $c" 1 "^ttp: $c: unknown option '--frobnicate'; see 'ttp $c --help'\$" \
	    -- $c --frobnicate
done
case_ "option missing its value" 1 "^ttp: start: option '--bridge' is missing its value or takes none; see 'ttp start --help'\$" \
    -- start --bridge
case_ "stray argument" 1 "^ttp: unexpected argument 'now'; see 'ttp start --help'\$" -- start now
case_ "stray argument to stop" 1 "^ttp: unexpected argument 'now'; see 'ttp stop --help'\$" -- stop now
MULTI=1 case_ "no command (usage, exit 1)" 1 "^usage: ttp " --

note "--- no root: exit 2 for the commands that need it"
for c in start stop restart refresh logs diagnose uninstall enable disable; do
	case_ "$c without root" 2 "^ttp: 'ttp $c' needs root: run 'sudo ttp $c'\$" as $NOBODY -- $c
done
case_ "stop --restore-only without root" 2 "^ttp: 'ttp stop' needs root" as $NOBODY -- stop --restore-only
case_ "start (BYOD) without root" 2 "^ttp: 'ttp start' needs root" as $NOBODY -- start "${TTP_START_ARGS[@]}"

note "--- what needs no root works without it"
case_ "status without root (inactive)" 0 "^ttp is inactive \(no session\)\$" as $NOBODY -- status
case_ "status --json without root (inactive)" 0 '^\{"state":"inactive",' as $NOBODY -- status --json
check "status --json (inactive) is JSON: inactive, not enabled at boot" \
    eval 'json_is state=inactive boot_enabled=false <"$OUT"'
case_ "rules without root" 0 "^# ttp session ruleset" as $NOBODY -- rules --tor-uid "$TOR_UID"

note "--- nothing to stop: exit 0, says so"
case_ "stop with no session" 0 "^no ttp session is running \(nothing to stop\); 'sudo ttp stop --restore-only' removes leftovers\$" -- stop
before=$(host_state)
ttp stop --restore-only >"$OUT" 2>"$ERR"; rc=$?
expect "stop --restore-only with nothing to remove" 0 "^\[ok\] ttp stopped" "$rc" "$(cat "$OUT" "$ERR" | grep -v '^ttp-privd:' | tail -n 1)"
[ "$(host_state)" = "$CLEAN" ] && [ "$before" = "$CLEAN" ] && pass "--restore-only on a clean host leaves it clean" ||
    fail "--restore-only on a clean host: $(host_state)"

note "--- no system user _ttp (passwd/group without it, privately mounted): exit 1, one line, nothing changed"
NOUSER="^ttp: the system user _ttp does not exist; create it with 'sudo make install' \\(or scripts/install-user.sh\\)\$"
TTP_RUN=ttp_nouser case_ "no _ttp: start" 1 "$NOUSER" -- start
TTP_RUN=ttp_nouser case_ "no _ttp: start (BYOD)" 1 "$NOUSER" -- start "${TTP_START_ARGS[@]}"
# What once ran the helpers as nobody and then exempted them with it.
TTP_RUN=ttp_nouser case_ "no _ttp: start --bypass-user nobody" 1 "$NOUSER" \
    -- start "${TTP_START_ARGS[@]}" --bypass-user nobody
TTP_RUN=ttp_nouser case_ "no _ttp: restart" 1 "$NOUSER" -- restart "${TTP_START_ARGS[@]}"
TTP_RUN=ttp_nouser case_ "no _ttp: refresh" 1 "$NOUSER" -- refresh
TTP_RUN=ttp_nouser case_ "no _ttp: check (root)" 1 "$NOUSER" -- check
TTP_RUN=ttp_nouser case_ "no _ttp: check-leak (root)" 1 "$NOUSER" -- check-leak
TTP_RUN=ttp_nouser case_ "no _ttp: watchdog start" 1 "$NOUSER" -- watchdog start
TTP_RUN=ttp_nouser case_ "no _ttp: watchdog run" 1 "$NOUSER" -- watchdog run
TTP_RUN=ttp_shared case_ "_ttp with nobody's uid: start" 1 \
    "^ttp: the system user _ttp is uid 65534 \\(nobody\\), an account other software shares; ttp's helpers need an account of their own: .*scripts/install-user.sh\$" \
    -- start "${TTP_START_ARGS[@]}"
TTP_RUN=ttp_rootuser case_ "_ttp with uid 0: start" 1 \
    "^ttp: the system user _ttp is uid 0 \\(root\\); ttp's helpers need an account of their own" \
    -- start "${TTP_START_ARGS[@]}"
# Without _ttp what runs no helper still works: stop, status, rules.
TTP_RUN=ttp_nouser case_ "no _ttp: stop still works" 0 "^no ttp session is running \\(nothing to stop\\)" -- stop
TTP_RUN=ttp_nouser case_ "no _ttp: status still works" 0 "^ttp is inactive \\(no session\\)\$" -- status
TTP_RUN=ttp_nouser case_ "no _ttp: rules still works" 0 "^# ttp session ruleset" -- rules --tor-uid "$TOR_UID"
[ "$(getent passwd _ttp | cut -d: -f3)" = "$HELPER_UID" ] && ! grep -q ' /etc/passwd ' /proc/self/mountinfo &&
    pass "the real _ttp is still there, and nothing is mounted on /etc/passwd here" ||
    fail "the real passwd changed: $(getent passwd _ttp)"

note "--- --help on every command: exit 0, usage on stdout (no root, no config needed)"
# shellcheck source=tests/lib/help.sh
. "$(dirname "$0")/../lib/help.sh"
for c in $(TTP=$TTP help_commands); do
	ttp_as $NOBODY --config "$LIB_TMP/missing.conf" $c --help >"$OUT" 2>"$ERR" </dev/null; rc=$?
	if [ $rc = 0 ] && head -n 1 "$OUT" | grep -q "^usage: ttp $c" && [ ! -s "$ERR" ]; then
		pass "$c --help"
	else
		fail "$c --help: exit $rc, '$(head -n 1 "$OUT")', stderr '$(head -n 1 "$ERR")'"
	fi
	ttp $c -h >"$OUT" 2>&1 </dev/null; rc=$?
	[ $rc = 0 ] && grep -q "^usage: ttp $c" "$OUT" && pass "$c -h (root)" || fail "$c -h: exit $rc"
done
for h in --help -h help; do
	ttp_as $NOBODY $h >"$OUT" 2>"$ERR"; rc=$?
	[ $rc = 0 ] && head -n 1 "$OUT" | grep -q '^usage: ttp ' && grep -q '^  start ' "$OUT" &&
	    pass "ttp $h" || fail "ttp $h: exit $rc"
done
ttp_as $NOBODY --version >"$OUT"; rc=$?
expect "ttp --version" 0 "^ttp [0-9]" "$rc" "$(cat "$OUT")"

note "--- a session, then the errors that need one"
before=$(snapshot)
ttp start "${TTP_START_ARGS[@]}" >"$OUT" 2>"$ERR"; rc=$?
[ "$before" != "$(snapshot)" ] && pass "control: the snapshot sees what a start changes" ||
    fail "control: the snapshot missed a start"
if [ $rc != 0 ] || [ "$(host_state)" != "table=session overlay=yes lock=yes" ]; then
	fail "BYOD start: exit $rc, $(host_state): $(cat "$OUT" "$ERR")"
	done_testing
fi
pass "BYOD session started"
case_ "already running: exit 1, host unchanged" 1 "^ttp: ttp is already running \(since .*, external tor\); run 'sudo ttp stop' or 'sudo ttp restart'\$" \
    -- start "${TTP_START_ARGS[@]}"
case_ "already running (supervised start)" 1 "^ttp: ttp is already running" -- start
case_ "status without root (active)" 0 "^\[ok\] ttp is active\$" as $NOBODY -- status
case_ "status --json without root (active)" 0 '^\{"version":1,"state":"active",' \
    as $NOBODY -- status --json
check "status --json (active): external tor, its exit, IsTor, tor running" \
    eval 'json_is state=active external_daemon=true exit_ip=192.0.2.15 is_tor=1 tor_running=true <"$OUT"'
case_ "check without root (through the session)" 0 "^session        active\$" as $NOBODY -- check
case_ "check --json without root" 0 '"is_tor":true' as $NOBODY -- check --json
case_ "check-leak without root" 0 "^\[ok\] ipv4: no leak" as $NOBODY -- check-leak
ttp_as $NOBODY check >"$OUT" 2>&1
grep -q '^IsTor          yes$' "$OUT" && pass "check sees IsTor yes" || fail "check: $(cat "$OUT")"
ttp_as $NOBODY status --json > "$OUT"
json_get firewall <"$OUT" >/dev/null && fail "status as a user must not ask privd" || pass "status as a user: no firewall field"
ttp status --json > "$OUT"
json_is firewall=session firewall_intact=true <"$OUT" && pass "status as root: firewall intact" ||
    fail "status as root: $(cat "$OUT")"

case_ "refresh with an external tor" 1 "^ttp: the session uses an external tor: send it NEWNYM yourself\$" -- refresh
ttp logs -n >"$OUT" 2>"$ERR"; rc=$?
expect "logs -n (root): the session log" 0 "ttp is active" $rc "$(grep -m1 'ttp is active' "$OUT")"
ttp diagnose >"$OUT" 2>"$ERR"; rc=$?
if [ $rc = 0 ] && grep -q '^== session' "$OUT" && grep -q '"state": "active"' "$OUT" &&
    grep -q 'table inet ttp' "$OUT"; then
	pass "diagnose (root): one report with the session and the live ruleset"
else
	fail "diagnose: exit $rc; sections: $(grep '^== ' "$OUT" | tr '\n' ' ')"
fi

note "--- colour: only on a terminal, never with NO_COLOR"
tty_run() {	# tty_run ENV... : ttp status as a user on a pseudo-terminal
	in_session env "$@" script -qec "setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups $TTP status" /dev/null
}
ESC=$'\033'
out=$(tty_run TERM=xterm)
[[ $out == *"${ESC}["* ]] && pass "terminal: colour (the control)" || fail "terminal: no colour: '$out'"
out=$(tty_run TERM=xterm NO_COLOR=1)
[[ $out != *"$ESC"* ]] && [[ $out == *"ttp is active"* ]] && pass "NO_COLOR on a terminal: no escape codes" ||
    fail "NO_COLOR: escape codes or no output: $(printf %q "$out")"
out=$(tty_run TERM=dumb)
[[ $out != *"$ESC"* ]] && pass "TERM=dumb: no escape codes" || fail "TERM=dumb: $(printf %q "$out")"
out=$(ttp_as $NOBODY status 2>&1; ttp_as $NOBODY check-leak 2>&1; ttp stop --frobnicate 2>&1; ttp_as $NOBODY start 2>&1)
[[ $out != *"$ESC"* ]] && pass "not a terminal: no escape codes" || fail "pipe: $(printf %q "$out")"

note "--- --log-format json"
ttp --log-format json start --bypass-user nosuchuser >/dev/null 2>"$ERR"; rc=$?
if [ $rc = 1 ] && "$PY" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert "nosuchuser" in json.dumps(d)' "$ERR" 2>/dev/null; then
	pass "--log-format json: the error is one JSON object"
else
	fail "--log-format json: exit $rc, '$(cat "$ERR")'"
fi

ttp stop >"$OUT" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(host_state)" = "$CLEAN" ] && pass "stop: clean" || fail "stop: exit $rc, $(host_state)"

note "--- --bypass-user nobody exempts nobody, never ttp's own exit check"
# The check URLs are on the far side, whose port 80 is no exit: only
# through the TransPort (byod.py) does the check find the Tor exit.
ttp start "${TTP_START_ARGS[@]}" --bypass-user nobody >"$OUT" 2>"$ERR"; rc=$?
ttp status --json >"$OUT.status" 2>&1
if [ $rc = 0 ] && grep -q "\"exit_ip\":\"$EXIT_IP\",\"is_tor\":1" "$OUT.status"; then
	pass "start --bypass-user nobody: the exit check went through Tor"
else
	fail "start --bypass-user nobody: exit $rc, $(cat "$OUT.status" "$ERR")"
fi
ttp stop >"$OUT" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(host_state)" = "$CLEAN" ] && pass "stop: clean" || fail "stop: exit $rc, $(host_state)"
[ -z "$(tor_pids)" ] && pass "no tor was ever started" || fail "a tor runs: $(tor_pids)"

note "--- tor's bytes never reach root's terminal raw"
TORLOG=/proc/$HOLDER/root$RUN_DIR/tor.log
printf 'Dec 03 [notice] \033]0;owned\007title \033[2Jclear \233Ccsi\n' >"$TORLOG"
ttp logs --tor -n >"$OUT" 2>"$ERR"; rc=$?
[ $rc = 0 ] && grep -qF '\x1b]0;owned\x07title \x1b[2Jclear \x9bCcsi' "$OUT" &&
    ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f-\xff]' "$OUT" &&
    pass "logs --tor: control bytes shown escaped" ||
    fail "logs --tor: exit $rc: $(od -c "$OUT" | head -3)"
ttp diagnose >"$OUT" 2>"$ERR"
grep -qF '\x1b]0;owned' "$OUT" && ! LC_ALL=C grep -q $'\x1b' "$OUT" &&
    pass "diagnose: tor's log shown escaped" || fail "diagnose: raw bytes in the report"
rm -f "$TORLOG"
mkfifo -m 600 "$TORLOG"
ttp logs --tor -n >"$OUT" 2>"$ERR"; rc=$?
[ $rc = 1 ] && grep -q "tor.log is not a regular file" "$ERR" &&
    pass "logs --tor: a FIFO in place of tor.log is refused, no hang" ||
    fail "logs --tor with a FIFO: exit $rc: $(cat "$ERR")"
ttp diagnose >"$OUT" 2>"$ERR"; rc=$?
[ $rc = 0 ] && grep -q "tor.log: not a regular file" "$OUT" &&
    pass "diagnose: a FIFO in place of tor.log does not hang the report" ||
    fail "diagnose with a FIFO: exit $rc"
rm -f "$TORLOG"

note "--- tor's run directory is the tor user's: root follows nothing there"
# The tor user swaps its directory for a symlink to where another torrc
# lives (say /etc/tor): stop must not remove that file, diagnose must not
# print it.
IN_RUN=/proc/$HOLDER/root$RUN	# the session's /run tmpfs, from here
mkdir -p "$IN_RUN/victim"
echo "victim-secret" >"$IN_RUN/victim/torrc"
rm -rf "$IN_RUN/tor"
ln -s "$RUN/victim" "$IN_RUN/tor"
ttp stop --restore-only >"$OUT" 2>&1
[ -f "$IN_RUN/victim/torrc" ] && pass "stop: a torrc behind a symlinked tor directory is left alone" ||
    fail "stop removed the torrc behind the symlink"
ttp diagnose >"$OUT" 2>&1
! grep -q victim-secret "$OUT" && grep -q "run/tor: is a symbolic link" "$OUT" &&
    pass "diagnose: does not read through a symlinked tor directory, and says so" ||
    fail "diagnose read through the symlink: $(grep -n -A2 -- "-- $RUN/tor/torrc" "$OUT" | head -4)"
rm -rf "$IN_RUN/tor" "$IN_RUN/victim"

note "--- an exit check that cannot say IsTor is never called confirmed"
sed "s|^ip_urls = .*|ip_urls = http://$F4/ip|" "$CONF" >"$LIB_TMP/bareip.conf"
chmod 644 "$LIB_TMP/bareip.conf"
TTP_CONF=$LIB_TMP/bareip.conf ttp start "${TTP_START_ARGS[@]}" >"$OUT" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "exit address   $EXIT_IP (NOT confirmed as a Tor exit" "$OUT" &&
    ! grep -q "(confirmed Tor exit" "$OUT" &&
    pass "start: a bare-address answer is reported as not confirmed" ||
    fail "start with a bare-address check URL: exit $rc: $(tr '\n' '|' <"$OUT")"
TTP_CONF=$LIB_TMP/bareip.conf ttp check >"$OUT" 2>&1
grep -q "NOT confirmed" "$OUT" && ! grep -q "reaches the Internet through Tor" "$OUT" &&
    pass "check: a bare-address answer is not called Tor" ||
    fail "check with a bare-address URL: $(tr '\n' '|' <"$OUT")"
ttp stop >"$OUT" 2>&1
[ "$(host_state)" = "$CLEAN" ] || fail "stop after the bare-address start: $(host_state)"

note "--- --log-format json: every line a script reads is one JSON object"
all_json() {	# all_json FILE: each line {"time","prog","level","msg"}
	"$PY" - "$1" <<'PYJSON'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
ok = bool(lines) and all(set(json.loads(l)) == {"time", "prog", "level", "msg"}
                         for l in lines)
sys.exit(0 if ok else 1)
PYJSON
}
ttp --log-format json start "${TTP_START_ARGS[@]}" >"$OUT" 2>&1; rc=$?
[ $rc = 0 ] && all_json "$OUT" && grep -q '"level":"ok"' "$OUT" &&
    pass "start --log-format json: every line of its output is JSON" ||
    fail "start --log-format json: exit $rc: $(head -c 400 "$OUT" | tr '\n' '|')"
ttp --log-format json stop >"$OUT" 2>&1; rc=$?
[ $rc = 0 ] && all_json "$OUT" &&
    pass "stop --log-format json: every line of its output is JSON" ||
    fail "stop --log-format json: exit $rc: $(head -c 400 "$OUT" | tr '\n' '|')"
ttp --log-format json stop >"$OUT" 2>&1
all_json "$OUT" && pass "stop --log-format json without a session: JSON too" ||
    fail "stop --log-format json without a session: $(tr '\n' '|' <"$OUT")"
[ "$(host_state)" = "$CLEAN" ] || fail "after the JSON start and stop: $(host_state)"

note "--- a pid in the lock is signalled only when it is ttp's tor: executable and uid, not its name"
# A decoy with tor's command line (argv "tor ... -f <tor_run_dir>/torrc"),
# run as the tor user, but not the tor binary: what a recycled pid could
# be. The lock names it as the session's supervised tor.
ttp start "${TTP_START_ARGS[@]}" >"$OUT" 2>&1 || fail "start for the decoy case: $(tr '\n' '|' <"$OUT")"
TORU=$(id -u debian-tor)
ip netns exec "$NS_C" setpriv --reuid="$TORU" --regid="$TORU" --clear-groups \
    bash -c 'exec -a tor "$0" -c "import time; time.sleep(60)" -f "$1"' \
    "$PY" "$RUN/tor/torrc" >/dev/null 2>&1 &
DECOY=$!
LIB_PIDS+=("$DECOY")
wait_for 5 grep -q -- "-f" "/proc/$DECOY/cmdline"
"$PY" - "/proc/$HOLDER/root$RUN_DIR/ttp.lock" "$DECOY" <<'PYLOCK'
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
lock = json.load(open(path))
lock["external_daemon"] = False
lock["tor_pid"] = pid
json.dump(lock, open(path, "w"))
PYLOCK
ttp status --json >"$OUT" 2>&1
json_is tor_running=false <"$OUT" &&
    pass "status: a process named like ttp's tor is not called ttp's tor" ||
    fail "status with a decoy tor: $(tr '\n' '|' <"$OUT")"
TTP_TIMEOUT=60 ttp stop >"$OUT" 2>&1
if kill -0 "$DECOY" 2>/dev/null && grep -q "pid $DECOY in the lock is not ttp's tor any more; leaving it alone" "$OUT"; then
	pass "stop: the decoy with tor's name is left alone, and stop says so"
else
	fail "stop signalled the decoy, or did not say so: $(tr '\n' '|' <"$OUT")"
fi
kill "$DECOY" 2>/dev/null
wait "$DECOY" 2>/dev/null
[ "$(host_state)" = "$CLEAN" ] || fail "stop with a decoy tor: $(host_state)"
done_testing
