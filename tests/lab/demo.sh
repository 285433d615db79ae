#!/bin/bash
# `sudo make demo`: ttp doing its job on a machine with no Internet. Brings
# the lab up (a private Tor network in network namespaces, tests/lab/
# README.md), runs the real `ttp start` in the lab's client (its own network
# and mount namespaces: this machine's resolv.conf, /run and network are
# never touched), shows what a user would see, each step with one line on
# what it proves (a TAP line), then `ttp stop`, then `ttp run` for one
# program as an ordinary user, and takes the lab down, leaving nothing
# running (also on failure or Ctrl-C). About two minutes. Exit 0 iff every
# step did what it should. TTPLAB_PREFIX picks the lab's names (default
# ttplab); TTP_BIN the binaries (default build/bin of this tree).
set -u
# shellcheck disable=SC2034 # read by e2e_lib.sh
E2E_NAME=demo E2E_LAB_VERBOSE=1
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

STEP=0 RESULTS=()
step() {
	STEP=$((STEP + 1))
	echo
	echo "[$STEP] $*"
}
# proves OK TEXT: the step's one-line conclusion, remembered for the summary.
proves() {
	if [ "$1" -eq 0 ]; then
		pass "$2"
		RESULTS+=("ok    $2")
	else
		fail "$2"
		RESULTS+=("FAIL  $2")
	fi
}
show() { printf '%s\n' "$1" | sed 's/^/    /'; }
# live CMD...: CMD in the client, its output shown as it comes.
live() {
	cli timeout -k 5 "$E2E_CMD_TIMEOUT" "$@" 2>&1 | sed -u 's/^/    /'
	return "${PIPESTATUS[0]}"
}

e2e_summary() {
	local r
	echo "=== summary"
	for r in "${RESULTS[@]}"; do echo "  $r"; done
	if [ "$H_FAIL" -eq 0 ]; then
		echo "demo: all $H_PASS steps did what they should ($(elapsed "$H_T0")s); nothing is left running"
	else
		echo "demo: $H_FAIL step(s) FAILED; the lab was taken down all the same"
	fi
}

cat <<EOF
ttp demo: the real ttp, in a private Tor network that lives in network
namespaces on this machine (offline; this machine's own network, resolv.conf
and /run are never touched). Binaries: $TTP_BIN
EOF

step "Bringing the lab up: 3 directory authorities, a middle and an exit relay," \
    "a web server, a DNS server and a client (about 20-30 s)"
e2e_up
proves 0 "a private Tor network is up ($E2E_T_UP s): the exit is $TTPLAB_EXIT_IP4, the client $TTPLAB_CLI_IP4"
far_arm

step "Without ttp: curl http://$TTPLAB_WEB_IP4/ from the client"
curl_as user "http://$TTPLAB_WEB_IP4/"
show "web server answers: $OUT"
[ "$OUT" = "$TTPLAB_CLI_IP4" ]
proves $? "without ttp, the web server sees the client's own address ($TTPLAB_CLI_IP4)"

step "sudo ttp start   (in the client)"
far_arm
t=$(now)
live "$TTP" start; rc=$?
[ $rc -eq 0 ] && [ "$(fw_table)" = session ]
proves $? "ttp started in $(elapsed "$t") s: tor bootstrapped from the lab's authorities and the firewall is fail-closed"

step "curl http://$TTPLAB_WEB_IP4/   (a request by IP)"
t=$(tag demo-ip)
curl_as user "http://$TTPLAB_WEB_IP4/?tag=$t"
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
show "curl prints:         $OUT"
show "web server saw:      ${src:-nothing}   (its log: $(grep -F "tag=$t" "$TTPLAB_WEB_LOG" | tail -n 1))"
[ -n "$src" ] && is_exit "$src"
proves $? "the request went through Tor: the web server saw the exit relay ($src), not the client ($TTPLAB_CLI_IP4)"

step "curl http://$TTPLAB_WEB_NAME/   (a request by name)"
t=$(tag demo-name)
curl_as user "http://$TTPLAB_WEB_NAME/?tag=$t"
src=$(web_src "$TTPLAB_WEB_LOG" "$t")
show "curl prints:         $OUT"
show "web server saw:      ${src:-nothing}"
[ -n "$src" ] && is_exit "$src"
proves $? "the name was resolved through Tor (DNSPort) and the answer came via the exit ($src)"

step "ttp status"
live "$TTP" status; rc=$?
proves $rc "ttp status shows the active session, its exit and an intact firewall"

step "ttp check"
live "$TTP" check; rc=$?
proves $rc "ttp check sees traffic leave through a Tor exit (IsTor yes)"

step "ttp check-leak"
live "$TTP" check-leak; rc=$?
proves $rc "ttp check-leak finds no IPv4, IPv6 or DNS leak"

step "A direct UDP datagram to $TTPLAB_WEB_IP4:9999 (Tor carries only TCP and DNS)"
far_arm
probe udp "$TTPLAB_WEB_IP4" 9999 >/dev/null; rc=$?
show "application:         $OUT"
n=$(far_count net); l=$(far_count lan)
show "far side counted:    $n packet(s) from the client other than Tor's"
[ $rc -ne 0 ] && [ "$n" = 0 ] && [ "$l" = 0 ]
proves $? "what Tor cannot carry is refused on the client: nothing reached the far side"

step "sudo ttp stop"
t=$(now)
live "$TTP" stop; rc=$?
left=$(nothing_left "after stop" | sed 's/^\(not \)\{0,1\}ok [0-9]* - //')
show "$left"
[ $rc -eq 0 ] && [ "$(fw_table)" = none ] && [ "$(resolv_layers)" = 1 ] &&
    [ -z "$(ns_procs tor)" ]
proves $? "ttp stopped in $(elapsed "$t") s: no firewall table, resolv.conf restored, no tor left"

step "curl http://$TTPLAB_WEB_IP4/ again"
curl_as user "http://$TTPLAB_WEB_IP4/"
show "web server answers: $OUT"
[ "$OUT" = "$TTPLAB_CLI_IP4" ]
proves $? "the client is back to normal: direct traffic, its own address"

step "ttp run: one program through Tor, the rest of the client untouched" \
    "(as an ordinary user, no root, no session: ttp run starts the user's own tor)"
DU=ttpdemo$$
DHOME=$E2E_TMP/demo-home
if e2e_user "$DU" "$DHOME"; then
	duid=$(id -u "$DU")
	far_arm
	t=$(tag demo-run)
	show "\$ ttp run -- sh -c 'curl http://$TTPLAB_WEB_NAME/; <a UDP datagram to $TTPLAB_WEB_IP4:9999>'"
	OUT=$("${E2E_AS_USER[@]}" timeout -k 5 "$E2E_CMD_TIMEOUT" \
	    "$TTP" run -- sh -c "curl -sS --max-time 30 'http://$TTPLAB_WEB_NAME/?tag=$t'; echo \" (curl: exit \$?)\"; $PY $PROBE --timeout 3 udp $TTPLAB_WEB_IP4 9999; echo \" (udp: exit \$?)\"" 2>&1)
	rc=$?
	show "$OUT"
	src=$(web_src "$TTPLAB_WEB_LOG" "$t")
	n=$(far_count net); l=$(far_count lan)
	show "web server saw:      ${src:-nothing}"
	show "far side counted:    $n packet(s) from the client other than Tor's"
	[ $rc -eq 0 ] && [ -n "$src" ] && is_exit "$src" &&
	    grep -q '(udp: exit [1-9]' <<<"$OUT" && [ "$n" = 0 ] && [ "$l" = 0 ]
	proves $? "inside ttp run, HTTP by name went through the exit ($src) and UDP was refused at once; nothing else left the client"
	curl_as user "http://$TTPLAB_WEB_IP4/"
	direct=$OUT
	# The last run returns once its keeper has ended the user's tor.
	left=$(pgrep -u "$duid" -a | tr '\n' ';')
	show "processes of the user left: ${left:-none}"
	[ "$direct" = "$TTPLAB_CLI_IP4" ] && [ -z "$left" ]
	proves $? "outside it the client stays direct ($direct), and nothing of ttp run is left: no process of the user, no tor"
else
	proves 1 "a temporary user for ttp run could be made"
fi

step "Taking the lab down"
e2e_down
proves $? "the lab is gone: no namespace, no process, no state left (checked, not assumed)"

e2e_summary
done_testing
