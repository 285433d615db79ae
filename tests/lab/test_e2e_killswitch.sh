#!/bin/bash
# End-to-end, the kill switch against other programs, with a real
# supervised tor in the lab: while an ordinary user sends a UDP datagram
# and a TCP SYN to the web server's IPv4 and IPv6 addresses every
# millisecond, another program runs `nft flush ruleset` (what
# nftables.service does when it loads /etc/nftables.conf). Nothing but
# tor's own connections to the relays may leave the client, with and
# without the watchdog; with it the session is repaired and HTTP goes
# through the exit again, without it ttp status says what to do and
# `ttp restart` recovers. Then kill -9 of ttp-anchor with -w: a new anchor,
# and traffic still through the exit. One lab for the file (about a
# minute). one TAP line per check; exit 0 iff all passed.
set -u
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"
STANDIN=$E2E_REPO/tests/tools/standin.py

anchors() { ip netns exec "$TTPLAB_NS_CLI" nft list tables 2>/dev/null | grep -c ttp_anchor; }
anchor_pid() { ttp_quiet status --json; json_get anchor_pid <<<"$OUT"; }
# blast SECONDS: the ordinary user's traffic, in the background.
blast() {
	bg_start "${AS_USER[@]}" "$PY" "$STANDIN" blast "$1" \
	    "$TTPLAB_WEB_IP4" "$TTPLAB_WEB_IP6" >"$E2E_TMP/blast.out" 2>&1
	sleep 0.3
}
blast_done() { bg_wait "$BG_PID" 10; note "traffic: $(cat "$E2E_TMP/blast.out")"; }

e2e_up

for wd in "" -w; do
	what="nft flush ruleset${wd:+ (-w)}"
	note "--- $what"
	ttp_quiet start $wd; rc=$?
	check "ttp start${wd:+ $wd} exits 0" [ $rc -eq 0 ]
	check "$what: one anchor table" [ "$(anchors)" = 1 ]
	far_arm
	blast 2
	cli nft flush ruleset; rc=$?
	blast_done
	check "$what: the other program's command exits 0" [ $rc -eq 0 ]
	no_leak "$what"
	check "$what: the anchor is still there" [ "$(anchors)" = 1 ]
	if [ -n "$wd" ]; then
		check "$what: the watchdog puts table inet ttp back" \
		    wait_for 5 eval '[ "$(fw_table)" = session ]'
		http_via_exit user "$what: repaired" "http://$TTPLAB_WEB_IP4"
	else
		ttp_quiet status
		check "$what: ttp status says another program removed it and to restart" \
		    grep -q "removed by another program.*sudo ttp restart" <<<"$OUT"
		ttp_quiet restart; rc=$?
		check "$what: ttp restart exits 0" [ $rc -eq 0 ]
		http_via_exit user "$what: after ttp restart" "http://$TTPLAB_WEB_IP4"
	fi
	no_leak "$what, until the repair"
	ttp_quiet stop; rc=$?
	check "$what: ttp stop exits 0" [ $rc -eq 0 ]
	nothing_left "$what: stop"
done

note "--- kill -9 ttp-anchor (-w)"
ttp_quiet start -w
A=$(anchor_pid)
far_arm
blast 2
[ -n "$A" ] && kill -KILL "$A"
blast_done
no_leak "kill -9 ttp-anchor"
check "a new ttp-anchor holds a new anchor" \
    wait_for 5 eval '[ "$(anchors)" = 1 ] && B=$(anchor_pid) && [ -n "$B" ] && [ "$B" != "$A" ]'
http_via_exit user "after the anchor's repair" "http://$TTPLAB_WEB_IP4"
ttp_quiet stop
nothing_left "kill -9 ttp-anchor: stop"

e2e_finish
