#!/bin/bash
# Fail-closed from boot (docs/boot.md), the boot path run for real in
# namespaces: `ttp enable` records the options, then the client's link is
# down as at boot while `ttp boot lockdown` runs (what the early unit or
# init script runs); the link comes up and nothing leaves, a firewall
# service flushing the ruleset opens nothing; `ttp boot start` (what the
# late unit runs) starts the session and traffic goes through the
# TransPort stand-in. A boot start that cannot start (tor does not
# bootstrap) leaves the host locked down, never open. `ttp disable` turns
# it off. The init scripts are run as sysvinit runs them; the systemd
# units pass `systemd-analyze verify`. Zero packets on the far side is the
# assertion of every leak check.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || bail "needs root (namespaces)"
[ -x "$TTP" ] || bail "no $TTP; build first"
cli_setup || { cat "$LIB_TMP"/*.log; bail "harness setup"; }
U=$USER_UID
OUT=$LIB_TMP/out
# shellcheck disable=SC2034  # read in the eval checks
STATE=$RUN/state
BUILD=$(dirname "$TTP_BIN")
# Whatever happens, end the session before the namespaces go.
on_exit ttp stop --restore-only

# The network comes up as ifupdown brings it: the link, then the routes.
link_up() {
	in_client ip link set "$IF_C" up
	in_client ip route replace default via $F4
	in_client ip -6 route replace default via $F6
}

leaks_none() {	# leaks_none WHAT: the probes of a locked-down host
	probe_check "$1: TCP (user) leaves nothing" 0 '^FAIL' $U tcp $F4 $FAR_PORT
	probe_check "$1: TCP (root) leaves nothing" 0 '^FAIL' 0 tcp $F4 $FAR_PORT
	probe_check "$1: IPv6 TCP leaves nothing" 0 '^FAIL' $U tcp $F6 $FAR_PORT
	probe_check "$1: UDP leaves nothing" 0 '^FAIL' $U udp $F4 9999
	probe_check "$1: DNS leaves nothing" 0 '^FAIL' $U dns-query $F4
	probe_check "$1: ping leaves nothing" 0 '^FAIL' $U ping $F4
	probe_check "$1: the LAN leaves nothing" 0 '^FAIL' $U tcp $F4LAN $FAR_PORT
}

note "--- enable"
ttp enable "${TTP_START_ARGS[@]}" >"$OUT" 2>&1; rc=$?
expect "ttp enable (BYOD): exit 0" 0 "enabled: from the next boot on" $rc "$(cat "$OUT")"
check "enable records the options in state_dir/boot.args, root's, mode 0600" \
    eval '[ "$(in_session stat -c %U:%a "$STATE/boot.args")" = root:600 ] &&
        [ "$(in_session cat "$STATE/boot.args" | tr "\n" " ")" = "${TTP_START_ARGS[*]} " ]'
check "enable says when no init system of its own runs here" \
    grep -q 'no init system ttp knows runs here' "$OUT"
check "status --json (inactive): boot_enabled true" \
    eval 'ttp_as $U status --json | json_is state=inactive boot_enabled=true'
check "host unchanged by enable" [ "$(host_state)" = "$CLEAN" ]
ttp enable --bypass-user nosuchuser >"$OUT" 2>&1; rc=$?
expect "enable with an unknown user: exit 1, names it" 1 "nosuchuser" $rc "$(cat "$OUT")"
check "a refused enable keeps the recorded options" \
    eval '[ "$(in_session cat "$STATE/boot.args" | tr "\n" " ")" = "${TTP_START_ARGS[*]} " ]'
ttp_as $U enable "${TTP_START_ARGS[@]}" >"$OUT" 2>&1; rc=$?
expect "enable as a user: exit 2" 2 "needs root" $rc "$(cat "$OUT")"

note "--- boot: the early lockdown, the link still down"
in_client ip link set "$IF_C" down
ttp boot lockdown >"$OUT" 2>&1; rc=$?
expect "ttp boot lockdown: exit 0" 0 "locked down for boot" $rc "$(cat "$OUT")"
check "the lockdown table is in the kernel, with its anchor" \
    eval '[ "$(table_kind)" = lockdown ] && has_anchor'
check "the lock says lockdown, from boot" \
    eval 'ttp_as $U status --json | json_is state=lockdown boot=true anchor_running=true'
ttp_as $U status >"$OUT" 2>&1
check "status says it is locked down since boot" grep -q 'LOCKDOWN since boot' "$OUT"
link_up
wait_for 5 probe 64001 ping $F4 || note "the far side did not answer the tor uid's ping yet"
leaks_none "link up, before the session"
# A firewall service loading its own rules at boot (nftables.service).
in_client nft flush ruleset
check "after another program's flush, the anchor is still there" has_anchor
leaks_none "after a flush of the ruleset"

note "--- boot: the session, once the network is up"
ttp boot start --network-wait 10 >"$OUT" 2>&1; rc=$?
expect "ttp boot start: exit 0, session active" 0 "ttp is active|firewall applied" $rc "$(cat "$OUT")"
check "the session ruleset and the overlay are in place" \
    [ "$(host_state)" = "table=session overlay=yes lock=yes" ]
check "status --json: active, from boot, enabled" \
    eval 'ttp_as $U status --json | json_is state=active boot=true boot_enabled=true'
probe_check "TCP (user) reaches the TransPort stand-in, not the far side" 0 \
    "^STANDIN $F4:$FAR_PORT ECHO=ok\$" $U tcp $F4 $FAR_PORT
probe_check "DNS goes to the DNSPort stand-in" 0 "^ANSWER $DNS_ANSWER\$" $U dns-query $F4
probe_check "UDP is still refused" 0 '^FAIL' $U udp $F4 9999
ttp stop >"$OUT" 2>&1; rc=$?
expect "ttp stop after a boot session: exit 0, clean" 0 "ttp stopped" $rc "$(cat "$OUT")"
check "the host is clean after stop" [ "$(host_state)" = "$CLEAN" ]

note "--- boot: tor cannot bootstrap: the host stays locked down"
if ! use_supervised_tor; then
	fail "the failing boot needs tor and its user debian-tor (scripts/deps.sh)"
else
	ttp enable --bootstrap-timeout 2 >"$OUT" 2>&1; rc=$?
	expect "enable a supervised tor: exit 0" 0 "enabled" $rc "$(cat "$OUT")"
	ttp boot lockdown >"$OUT" 2>&1
	ttp boot start --network-wait 0 >"$OUT" 2>&1; rc=$?
	expect "boot start that cannot bootstrap: exit 1, says LOCKDOWN" 1 \
	    "stays in LOCKDOWN" $rc "$(tr '\n' ' ' <"$OUT")"
	check "the host is locked down (table, anchor), tor gone" \
	    eval '[ "$(table_kind)" = lockdown ] && has_anchor && wait_for 5 no_tor_left'
	check "the lock says lockdown" eval 'ttp_as $U status --json | json_is state=lockdown'
	leaks_none "after a failed boot start"
	ttp boot start --network-wait 0 >"$OUT" 2>&1; rc=$?
	expect "a second try (the unit's restart) fails the same way" 1 \
	    "stays in LOCKDOWN" $rc "$(tr '\n' ' ' <"$OUT")"
	check "still locked down after the second try" \
	    eval '[ "$(table_kind)" = lockdown ] && has_anchor'
	ttp stop >"$OUT" 2>&1; rc=$?
	expect "ttp stop opens it again: exit 0" 0 "ttp stopped" $rc "$(cat "$OUT")"
	check "clean after stop, tor gone" \
	    eval '[ "$(host_state)" = "$CLEAN" ] && ! has_anchor && no_tor_left'
	unset TTP_CONF
fi

note "--- the init scripts, as sysvinit runs them"
# The configured scripts, with this build's ttp in place of the installed.
for s in ttp-lockdown ttp; do
	sed "s|^TTP=.*|TTP=$TTP|" "$BUILD/init/$s" > "$LIB_TMP/$s.init"
	chmod 755 "$LIB_TMP/$s.init"
done
ttp enable "${TTP_START_ARGS[@]}" >/dev/null 2>&1
in_client ip link set "$IF_C" down
in_session "$LIB_TMP/ttp-lockdown.init" start >"$OUT" 2>&1; rc=$?
expect "init.d/ttp-lockdown start: exit 0" 0 "locked down for boot" $rc "$(cat "$OUT")"
link_up
leaks_none "init script: before the session"
in_session "$LIB_TMP/ttp.init" start >"$OUT" 2>&1; rc=$?
expect "init.d/ttp start: exit 0" 0 "firewall applied" $rc "$(cat "$OUT")"
probe_check "init script: TCP reaches the stand-in" 0 \
    "^STANDIN $F4:$FAR_PORT ECHO=ok\$" $U tcp $F4 $FAR_PORT
in_session "$LIB_TMP/ttp.init" stop >"$OUT" 2>&1; rc=$?
expect "init.d/ttp stop: exit 0" 0 "ttp stopped" $rc "$(cat "$OUT")"
check "clean after the script's stop" [ "$(host_state)" = "$CLEAN" ]

note "--- disable"
ttp disable >"$OUT" 2>&1; rc=$?
expect "ttp disable: exit 0" 0 "disabled" $rc "$(cat "$OUT")"
check "boot.args is gone; status says disabled" \
    eval '! in_session test -e "$STATE/boot.args" && ttp_as $U status --json | json_is boot_enabled=false'
ttp boot lockdown >"$OUT" 2>&1; rc=$?
expect "boot lockdown when disabled: exit 0, does nothing" 0 "not enabled" $rc "$(cat "$OUT")"
check "nothing applied when disabled" [ "$(host_state)" = "$CLEAN" ]

note "--- the systemd units"
units=$LIB_TMP/units
mkdir -p "$units"
for u in ttp-lockdown.service ttp.service; do
	sed "s|=[^ ]*/ttp |=$TTP |" "$BUILD/init/$u" > "$units/$u"
done
if systemd-analyze verify --man=no "$units"/*.service >"$OUT" 2>&1; then
	pass "systemd-analyze verify: both units clean"
else
	fail "systemd-analyze verify" "$(cat "$OUT")"
fi
check "the early unit runs before the network and at sysinit" \
    eval 'grep -qx "Before=network-pre.target shutdown.target" "$units/ttp-lockdown.service" &&
        grep -qx "DefaultDependencies=no" "$units/ttp-lockdown.service" &&
        grep -qx "WantedBy=sysinit.target" "$units/ttp-lockdown.service"'
check "no unit gets a mount namespace of its own (the overlay must be the host's)" \
    eval '! grep -Eq "^(ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|ReadOnlyPaths|ReadWritePaths|InaccessiblePaths|ProtectKernelModules|ProtectKernelTunables|ProtectControlGroups|TemporaryFileSystem|BindPaths|PrivateMounts)=" "$units"/*.service'

no_ttp_procs || fail "ttp processes left: $(ttp_procs)"
done_testing
