#!/bin/bash
# The DNS overlay, end to end through a real ttp-privd (privd_op), inside
# a private mount and network namespace created here: the overlay shows
# `nameserver 127.0.0.1` at /etc/resolv.conf in that namespace only and is
# read-only; the host's /etc/resolv.conf is unchanged (checked from
# outside while the overlay is up, and after); restore brings the original
# content back and leaves no mount behind.
set -u
# shellcheck source=tests/lib/harness.sh
. "$(dirname "$0")/../lib/harness.sh"

TOOL=$(cd "$(dirname "$0")" && pwd)/privd_op
RESOLV=/etc/resolv.conf
TMP=
INNER_PID=

cleanup() {
	[ -n "$INNER_PID" ] && kill "$INNER_PID" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
on_exit cleanup


[ "$(id -u)" -eq 0 ] || bail "needs root"
[ -x "$TOOL" ] || bail "missing $TOOL (build first)"
TMP=$(mktemp -d /tmp/ttpsys_dns.XXXXXX) || bail "mktemp"
host_sum=$(sha256sum < "$RESOLV")
host_mnt=$(readlink /proc/self/ns/mnt)

# The inner half runs in the new namespaces. It refuses to touch anything
# unless its mount namespace differs from the host's.
cat > "$TMP/inner.sh" <<'EOF'
set -u
TOOL=$1 TMP=$2 HOST_MNT=$3 RESOLV=/etc/resolv.conf
# shellcheck disable=SC1090
. "$H_LIB"
[ "$(readlink /proc/self/ns/mnt)" != "$HOST_MNT" ] ||
    bail "not in a private mount namespace"
orig=$(cat "$RESOLV")
layers_before=$(grep -c " $RESOLV " /proc/self/mountinfo)

"$TOOL" dns-overlay "$TMP/run" || bail "overlay"
grep -qx "nameserver 127.0.0.1" "$RESOLV" || bail "overlay not visible"
[ "$(grep -c '^nameserver' "$RESOLV")" = 1 ] || bail "extra nameservers"
if (echo "nameserver 192.0.2.1" >> "$RESOLV") 2>/dev/null; then
	bail "overlay is writable"
fi
"$TOOL" dns-overlay "$TMP/run" || bail "second overlay"
[ "$(grep -c " $RESOLV " /proc/self/mountinfo)" = $((layers_before + 1)) ] ||
    bail "overlaying twice did not leave exactly one layer"

touch "$TMP/overlaid"		# the outer half checks the host's file now
for ((i = 0; i < 100; i++)); do [ -e "$TMP/checked" ] && break; sleep 0.1; done
[ -e "$TMP/checked" ] || bail "outer check never came"

out=$("$TOOL" dns-restore "$TMP/run") || bail "restore: $out"
[ "$out" = "ok count=1" ] || bail "restore: expected 1 layer, got: $out"
[ "$(cat "$RESOLV")" = "$orig" ] || bail "original content not back"
[ "$(grep -c " $RESOLV " /proc/self/mountinfo)" = "$layers_before" ] ||
    bail "a layer is left in mountinfo"
grep -q "$TMP/run" /proc/self/mountinfo && bail "run dir still mounted"
out=$("$TOOL" dns-restore "$TMP/run") || bail "second restore: $out"
[ "$out" = "ok count=0" ] || bail "second restore removed: $out"

# /etc/resolv.conf through a directory another user owns, as on a host
# with systemd-resolved (/run/systemd/resolve belongs to systemd-resolve):
# a copy of /etc, in this namespace only, whose resolv.conf links there.
cp -a /etc/. "$TMP/etc"
mkdir "$TMP/resolve"
echo "nameserver 192.0.2.53" > "$TMP/resolve/stub-resolv.conf"
chown -R 65534:65534 "$TMP/resolve"
rm -f "$TMP/etc/resolv.conf"
ln -s "$TMP/resolve/stub-resolv.conf" "$TMP/etc/resolv.conf"
mount --bind "$TMP/etc" /etc || bail "bind a copy of /etc"
"$TOOL" dns-overlay "$TMP/run" || bail "overlay through another user's directory"
grep -qx "nameserver 127.0.0.1" "$RESOLV" || bail "overlay not visible there"
out=$("$TOOL" dns-restore "$TMP/run") || bail "restore there: $out"
grep -qx "nameserver 192.0.2.53" "$RESOLV" || bail "original not back there"

# That user replaces its file by a symlink to a root-only file: root must
# not follow it (before, the overlay went over the secret file).
echo "s3cret" > "$TMP/secret"
chmod 600 "$TMP/secret"
rm "$TMP/resolve/stub-resolv.conf"
ln -s "$TMP/secret" "$TMP/resolve/stub-resolv.conf"
chown -h 65534:65534 "$TMP/resolve/stub-resolv.conf"
out=$("$TOOL" dns-overlay "$TMP/run") && bail "overlay followed a symlink planted by uid 65534: $out"
case $out in
*"is a symlink owned by uid 65534; not following it"*) ;;
*) bail "no clear refusal: $out" ;;
esac
grep -q " $TMP/secret " /proc/self/mountinfo && bail "the secret file was overlaid"
[ "$(cat "$TMP/secret")" = s3cret ] || bail "the secret file changed"
umount /etc
pass "inner: a symlink planted by another user is refused"
EOF

H_CHILD=1 H_LOADED='' H_LIB=$H_LIB timeout 30 unshare --mount --net --propagation private \
    bash "$TMP/inner.sh" "$TOOL" "$TMP" "$host_mnt" > "$TMP/inner.log" 2>&1 &
INNER_PID=$!
wait_for 10 test -e "$TMP/overlaid" || { relay < "$TMP/inner.log"; bail "no overlay"; }
check "the host's $RESOLV is unchanged while the overlay is up" \
    [ "$(sha256sum < "$RESOLV")" = "$host_sum" ]
check "the overlay is not visible in the host's mount namespace" \
    eval '! grep -q "$TMP/run" /proc/self/mountinfo'
touch "$TMP/checked"
wait "$INNER_PID"; rc=$?
INNER_PID=
relay < "$TMP/inner.log"
check "the half in the namespaces exits 0 ($rc)" [ "$rc" = 0 ]
check "the host's $RESOLV is unchanged after" [ "$(sha256sum < "$RESOLV")" = "$host_sum" ]
done_testing
