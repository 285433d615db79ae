#!/bin/bash
# Proves the lab itself, without ttp: it comes up offline, a plain tor
# client in the client namespace bootstraps from the lab's authorities only,
# traffic through it reaches the lab's web server from the exit's address
# (by IP, by name resolved at the exit, over IPv6 too) and through the
# lab's optional onion service (TTPLAB_ONION=1), a direct request
# shows the client's own address (so the server's IsTor classifier works),
# the namespaces are wired only to each other, and `lab.sh down` leaves
# nothing behind. Prints one TAP line per check and the timings; exit 0 iff
# every check passed. Bounded: about a minute, at most ~4 minutes.
set -u
LAB=$(cd "$(dirname "$0")" && pwd)/lab.sh
P=${TTPLAB_PREFIX:-ttplab}
TORPID="" LABDIR=""
# shellcheck source=tests/lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# nothing_left: no lab namespace, no process naming the state directory, no
# state directory, no record.
nothing_left() {
	local ns left=0 f
	for ns in "$P-net" "$P-cli" "$P-lan"; do
		if [ -e "/run/netns/$ns" ]; then note "left: namespace $ns"; left=1; fi
	done
	if ip -br link show 2>/dev/null | grep -q "^$P-"; then
		note "left: an interface in the host namespace"; left=1
	fi
	if [ -n "$LABDIR" ]; then
		for f in /proc/[0-9]*/cmdline; do
			if tr '\0' ' ' <"$f" 2>/dev/null | grep -qF -- "$LABDIR"; then
				note "left: process ${f//[^0-9]/}"; left=1
			fi
		done
		if [ -e "$LABDIR" ]; then note "left: $LABDIR"; left=1; fi
	fi
	if [ -e "/run/$P" ]; then note "left: /run/$P"; left=1; fi
	return $left
}

stop_tor() {
	if [ -n "$TORPID" ] && kill -0 "$TORPID" 2>/dev/null; then
		kill -TERM "$TORPID" 2>/dev/null
		wait "$TORPID" 2>/dev/null
	fi
}

# The end of the file, as checks; on an early way out, on_exit still takes
# the lab down.
teardown() {
	local t=$EPOCHREALTIME
	stop_tor
	check "lab.sh down succeeds" "$LAB" down
	note "time: down $(elapsed "$t")s"
	check "lab.sh down twice is fine" "$LAB" down
	check "nothing left after down" nothing_left
	done_testing
}

[ "$(id -u)" -eq 0 ] || bail "needs root"
for ns in "$P-net" "$P-cli" "$P-lan"; do
	[ ! -e "/run/netns/$ns" ] ||
	    bail "namespace $ns exists (a lab is up?); not touching it"
done
on_exit "$LAB" down
on_exit stop_tor

T_START=$EPOCHREALTIME
t=$EPOCHREALTIME
TTPLAB_ONION=1 timeout 180 "$LAB" up 2>&1 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || bail "lab.sh up"
pass "lab.sh up"
T_UP=$(elapsed "$t")
note "time: up ${T_UP}s"
eval "$("$LAB" env)"
LABDIR=$TTPLAB_DIR
check "lab.sh status" "$LAB" status >/dev/null

# --- isolation, by construction --------------------------------------------
# Every non-lo interface of the lab is one of its veths whose peer is in a
# lab namespace; nothing of the lab is in the host's namespace; nothing
# forwards.
wired_only_to_lab() {
	local ns line peer_ns ok=0
	for ns in "$TTPLAB_NS_NET" "$TTPLAB_NS_CLI" "$TTPLAB_NS_LAN"; do
		while read -r line; do
			case $line in
			*": lo:"*) continue ;;
			*": $P-"*) ;;
			*) note "$ns: foreign interface: $line"; ok=1; continue ;;
			esac
			peer_ns=$(ip -n "$ns" -o -d link show "$(echo "$line" | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')" |
			    grep -o 'link-netns [^ ]*' | awk '{ print $2 }')
			case $peer_ns in
			"$TTPLAB_NS_NET"|"$TTPLAB_NS_CLI"|"$TTPLAB_NS_LAN") ;;
			*) note "$ns: peer of '$line' is in '$peer_ns'"; ok=1 ;;
			esac
		done < <(ip -n "$ns" -o link show)
		for f in net.ipv4.ip_forward net.ipv6.conf.all.forwarding; do
			if [ "$(ip netns exec "$ns" sysctl -n "$f")" != 0 ]; then
				note "$ns: $f is on"; ok=1
			fi
		done
	done
	! ip -br link show | grep -q "^$P-" || { note "lab interface in host namespace"; ok=1; }
	return $ok
}
check "lab namespaces are wired only to each other, no forwarding" wired_only_to_lab

# Every torrc of the lab (relays and the client lines) joins only the lab's
# network: TestingTorNetwork 1 and DirAuthority lines on lab addresses only.
private_network_only() {
	local f ok=0
	for f in "$LABDIR"/*/torrc "$TTPLAB_TORRC_APPEND"; do
		grep -qx 'TestingTorNetwork 1' "$f" || { note "$f: no TestingTorNetwork 1"; ok=1; }
		[ "$(grep -c '^DirAuthority ' "$f")" -eq 3 ] || { note "$f: not 3 DirAuthority lines"; ok=1; }
		if grep '^DirAuthority ' "$f" | grep -vq ' 192\.0\.2\.1[1-3]:'; then
			note "$f: DirAuthority outside the lab"; ok=1
		fi
		if grep -Eq '^(AlternateDirAuthority|FallbackDir|UseBridges|Bridge) ' "$f"; then
			note "$f: other directory sources"; ok=1
		fi
	done
	return $ok
}
check "every lab tor uses only the lab's authorities" private_network_only

# --- a plain tor client in the client namespace -----------------------------
C=$LABDIR/testclient
mkdir -m 700 "$C"
{
	cat "$TTPLAB_TORRC_APPEND"
	echo "DataDirectory $C"
	echo "SocksPort 127.0.0.1:9050"
	echo "Log notice file $C/notice.log"
	echo "PidFile $C/tor.pid"
} >"$C/torrc"
: >"$C/empty"
t=$EPOCHREALTIME
"$LAB" cli tor --defaults-torrc "$C/empty" -f "$C/torrc" --quiet </dev/null &
TORPID=$!
booted=0
for ((i = 0; i < 900; i++)); do	# <= 90 s
	if grep -q 'Bootstrapped 100%' "$C/notice.log" 2>/dev/null; then booted=1; break; fi
	kill -0 "$TORPID" 2>/dev/null || break
	sleep 0.1
done
T_BOOT=$(elapsed "$t")
if [ "$booted" -eq 1 ]; then
	pass "client tor bootstrapped to 100%"
	note "time: client bootstrap ${T_BOOT}s"
	if awk -v t="$T_BOOT" 'BEGIN { exit !(t > 10) }'; then
		note "(slow; its progress:)"
		grep -E 'Bootstrapped|[Ww]arn' "$C/notice.log" | sed 's/^/#   /'
	fi
else
	tail -n 5 "$C/notice.log" 2>/dev/null | sed 's/^/#   /'
	bail "client tor did not bootstrap to 100% (gave up after ${T_BOOT}s)"
fi

# get URL [CURL ARGS]: body of a request made from the client; direct
# unless ARGS name a proxy. (--noproxy '*' would also bypass --socks5-*.)
get() {
	local url=$1; shift
	"$LAB" cli env -u http_proxy -u HTTP_PROXY -u https_proxy \
	    -u HTTPS_PROXY -u all_proxy -u ALL_PROXY -u no_proxy -u NO_PROXY \
	    curl -s --max-time 30 "$@" "$url"
}
socks=(--socks5-hostname 127.0.0.1:9050)

body=$(get "http://$TTPLAB_WEB_IP4/" "${socks[@]}")
check "via tor by IP: the server sees the exit ($body)" \
    [ "$body" = "$TTPLAB_EXIT_IP4" ]
body=$(get "http://$TTPLAB_WEB_NAME/" "${socks[@]}")
check "via tor by name: the server sees the exit ($body)" \
    [ "$body" = "$TTPLAB_EXIT_IP4" ]
body=$(get "http://check.torproject.org/api/ip" "${socks[@]}")
check "via tor /api/ip: IsTor true from the exit ($body)" \
    [ "$body" = "{\"IsTor\": true, \"IP\": \"$TTPLAB_EXIT_IP4\"}" ]
body=$(get "http://[$TTPLAB_WEB_IP6]/ip" "${socks[@]}")
check "via tor over IPv6: the server sees the exit's IPv6 ($body)" \
    [ "$body" = "$TTPLAB_EXIT_IP6" ]
# The onion service: its descriptor is published (bounded wait), and a
# request to its name (curl resolves nothing itself with --socks5-hostname)
# reaches the web server from the onion service's tor.
onion_uploaded() { grep -q 'Uploaded hidden service descriptor' "$TTPLAB_ONION_LOG" 2>/dev/null; }
t=$EPOCHREALTIME
for ((i = 0; i < 300; i++)); do	# <= 30 s
	onion_uploaded && break
	sleep 0.1
done
note "time: waited $(elapsed "$t")s more for the onion descriptor"
check "the onion service published its descriptor" onion_uploaded
body=$(get "http://$TTPLAB_ONION_NAME/?tag=onion" "${socks[@]}")
check "via tor to the onion service: the server sees the onion service's tor ($body)" \
    [ "$body" = "$TTPLAB_ONION_IP4" ]
onion_logged() {
	awk -v h="$TTPLAB_ONION_NAME" -v a="$TTPLAB_ONION_IP4" \
	    '$2 == a && $4 == h && $5 == "/?tag=onion" { n++ } END { exit !n }' "$TTPLAB_WEB_LOG"
}
check "the web log has the request to $TTPLAB_ONION_NAME" onion_logged
# In the logs, "EPOCH SRC ..." (web) and "EPOCH PROTO SRC ..." (dns).
seen_from_client() {	# seen_from_client LOG FIELD
	awk -v f="$2" -v a="$TTPLAB_CLI_IP4" -v b="$TTPLAB_CLI_IP6" \
	    '$f == a || $f == b { n++ } END { exit !n }' "$1"
}
resolved_at_exit() {
	awk -v a="$TTPLAB_CLI_IP4" -v b="$TTPLAB_CLI_IP6" \
	    'tolower($5) == "web.lab.test" && $4 == "A" && $3 != a && $3 != b { n++ }
	    END { exit !n }' "$TTPLAB_DNS_LOG"
}
check "names were resolved at the exit" resolved_at_exit
not_seen() { ! seen_from_client "$TTPLAB_WEB_LOG" 2 &&
    ! seen_from_client "$TTPLAB_DNS_LOG" 3; }
check "neither server ever saw the client through tor" not_seen

# --- direct, without tor: the classifier and the LAN ------------------------
body=$(get "http://$TTPLAB_WEB_IP4/api/ip")
check "direct /api/ip: IsTor false from the client ($body)" \
    [ "$body" = "{\"IsTor\": false, \"IP\": \"$TTPLAB_CLI_IP4\"}" ]
body=$(get "http://[$TTPLAB_WEB_IP6]/ip")
check "direct IPv6: the server sees the client's IPv6 ($body)" \
    [ "$body" = "$TTPLAB_CLI_IP6" ]
body=$(get "http://api4.my-ip.io/ip")
check "direct by name through the lab's DNS ($body)" \
    [ "$body" = "$TTPLAB_CLI_IP4" ]
body=$(get "http://$TTPLAB_LAN_HOST_IP4/ip")
check "LAN host reachable directly ($body)" \
    [ "$body" = "$TTPLAB_LAN_CLI_IP4" ]
check "the web log records the direct requests" \
    seen_from_client "$TTPLAB_WEB_LOG" 2

note "time: total before down $(elapsed "$T_START")s"
teardown
