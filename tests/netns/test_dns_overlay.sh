#!/bin/bash
# The DNS overlay, end to end through a real ttp-privd (privd_op), inside
# a private mount and network namespace created here: the overlay shows
# `nameserver 127.0.0.1` at /etc/resolv.conf in that namespace only and is
# read-only; the host's /etc/resolv.conf is unchanged (checked from
# outside while the overlay is up, and after); restore brings the original
# content back and leaves no mount behind.
set -u

TOOL=$(cd "$(dirname "$0")" && pwd)/privd_op
RESOLV=/etc/resolv.conf
TMP=
INNER_PID=

fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
	[ -n "$INNER_PID" ] && kill "$INNER_PID" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT

# wait_file FILE TENTHS: poll, bounded.
wait_file() {
	local i
	for ((i = 0; i < $2; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root"
[ -x "$TOOL" ] || fail "missing $TOOL (build first)"
TMP=$(mktemp -d /tmp/ttpsys_dns.XXXXXX) || fail "mktemp"
host_sum=$(sha256sum < "$RESOLV")
host_mnt=$(readlink /proc/self/ns/mnt)

# The inner half runs in the new namespaces. It refuses to touch anything
# unless its mount namespace differs from the host's.
cat > "$TMP/inner.sh" <<'EOF'
set -u
TOOL=$1 TMP=$2 HOST_MNT=$3 RESOLV=/etc/resolv.conf
fail() { echo "FAIL (inner): $*"; exit 1; }
[ "$(readlink /proc/self/ns/mnt)" != "$HOST_MNT" ] ||
    fail "not in a private mount namespace"
orig=$(cat "$RESOLV")
layers_before=$(grep -c " $RESOLV " /proc/self/mountinfo)

"$TOOL" dns-overlay "$TMP/run" || fail "overlay"
grep -qx "nameserver 127.0.0.1" "$RESOLV" || fail "overlay not visible"
[ "$(grep -c '^nameserver' "$RESOLV")" = 1 ] || fail "extra nameservers"
if (echo "nameserver 192.0.2.1" >> "$RESOLV") 2>/dev/null; then
	fail "overlay is writable"
fi
"$TOOL" dns-overlay "$TMP/run" || fail "second overlay"
[ "$(grep -c " $RESOLV " /proc/self/mountinfo)" = $((layers_before + 1)) ] ||
    fail "overlaying twice did not leave exactly one layer"

touch "$TMP/overlaid"		# the outer half checks the host's file now
for ((i = 0; i < 100; i++)); do [ -e "$TMP/checked" ] && break; sleep 0.1; done
[ -e "$TMP/checked" ] || fail "outer check never came"

out=$("$TOOL" dns-restore "$TMP/run") || fail "restore: $out"
[ "$out" = "ok count=1" ] || fail "restore: expected 1 layer, got: $out"
[ "$(cat "$RESOLV")" = "$orig" ] || fail "original content not back"
[ "$(grep -c " $RESOLV " /proc/self/mountinfo)" = "$layers_before" ] ||
    fail "a layer is left in mountinfo"
grep -q "$TMP/run" /proc/self/mountinfo && fail "run dir still mounted"
out=$("$TOOL" dns-restore "$TMP/run") || fail "second restore: $out"
[ "$out" = "ok count=0" ] || fail "second restore removed: $out"

# /etc/resolv.conf through a directory another user owns, as on a host
# with systemd-resolved (/run/systemd/resolve belongs to systemd-resolve):
# a copy of /etc, in this namespace only, whose resolv.conf links there.
cp -a /etc/. "$TMP/etc"
mkdir "$TMP/resolve"
echo "nameserver 192.0.2.53" > "$TMP/resolve/stub-resolv.conf"
chown -R 65534:65534 "$TMP/resolve"
rm -f "$TMP/etc/resolv.conf"
ln -s "$TMP/resolve/stub-resolv.conf" "$TMP/etc/resolv.conf"
mount --bind "$TMP/etc" /etc || fail "bind a copy of /etc"
"$TOOL" dns-overlay "$TMP/run" || fail "overlay through another user's directory"
grep -qx "nameserver 127.0.0.1" "$RESOLV" || fail "overlay not visible there"
out=$("$TOOL" dns-restore "$TMP/run") || fail "restore there: $out"
grep -qx "nameserver 192.0.2.53" "$RESOLV" || fail "original not back there"

# That user replaces its file by a symlink to a root-only file: root must
# not follow it (before, the overlay went over the secret file).
echo "s3cret" > "$TMP/secret"
chmod 600 "$TMP/secret"
rm "$TMP/resolve/stub-resolv.conf"
ln -s "$TMP/secret" "$TMP/resolve/stub-resolv.conf"
chown -h 65534:65534 "$TMP/resolve/stub-resolv.conf"
out=$("$TOOL" dns-overlay "$TMP/run") && fail "overlay followed a symlink planted by uid 65534: $out"
case $out in
*"is a symlink owned by uid 65534; not following it"*) ;;
*) fail "no clear refusal: $out" ;;
esac
grep -q " $TMP/secret " /proc/self/mountinfo && fail "the secret file was overlaid"
[ "$(cat "$TMP/secret")" = s3cret ] || fail "the secret file changed"
umount /etc
echo "inner: ok (a symlink planted by another user is refused)"
EOF

timeout 30 unshare --mount --net --propagation private \
    bash "$TMP/inner.sh" "$TOOL" "$TMP" "$host_mnt" > "$TMP/inner.log" 2>&1 &
INNER_PID=$!
wait_file "$TMP/overlaid" 100 || { cat "$TMP/inner.log"; fail "no overlay"; }
[ "$(sha256sum < "$RESOLV")" = "$host_sum" ] ||
    fail "the host's $RESOLV changed while the overlay was up"
grep -q "$TMP/run" /proc/self/mountinfo &&
    fail "the overlay is visible in the host's mount namespace"
touch "$TMP/checked"
wait "$INNER_PID"; rc=$?
INNER_PID=
cat "$TMP/inner.log"
[ "$rc" = 0 ] || fail "inner half failed ($rc)"
[ "$(sha256sum < "$RESOLV")" = "$host_sum" ] || fail "the host's $RESOLV changed"
echo "PASS: test_dns_overlay"
