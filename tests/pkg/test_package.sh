#!/bin/bash
# The Debian package, tested as installed. Builds it (scripts/deb.sh; a
# package built from the same tree is reused), checks it without installing
# it (lintian, hardening-check on every binary, its files, conffiles and
# relations), then installs it with apt into a clean Debian 12 root, never
# into this machine: the root is made by mmdebstrap (--variant=apt, plus
# the package's dependencies, tor among them, so the install itself needs
# no download) and cached as a tarball under the build directory, then
# unpacked afresh for every run. What the package's scripts did is checked
# (the _ttp account by sysusers.d, the volatile directories by
# tmpfiles.d), then the installed /usr/sbin/ttp runs end to end in the lab
# (tests/lab/lab.sh, prefix ttppkg): chrooted into the root inside the
# lab client's namespaces, with tor and every helper from the root. Start,
# traffic through the exit, nothing else on the far side of the client's
# veths, removal refused during the session, stop; ttp enable (removal
# refused again) and ttp disable. Then apt removes and
# purges the package and, as piuparts does, the root's file list (paths,
# types, modes, owners) and accounts are compared with those before the
# install: only the _ttp account may remain (debian/README.Debian says
# why). Every mount is made in a mount namespace of its own, every network
# step in the lab's namespaces or in none. About 2 minutes with the root
# cached; making the root first takes about a minute more (bounded).
set -u
export TTPLAB_PREFIX=ttppkg
E2E_NAME=test_package
# shellcheck source=tests/lab/e2e_lib.sh
. "$(dirname "$0")/../lab/e2e_lib.sh"

REPO=$E2E_REPO
DEB_SH=$REPO/scripts/deb.sh
# The root's tarball is cached beside the build (ctest's TTP_BIN is
# BUILD/bin).
CACHE=$(dirname "$TTP_BIN")/pkg-root
SUITE=bookworm
ROOT_TIMEOUT=${TTP_PKG_ROOT_TIMEOUT:-300}	# making the root, at most
IN_PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB_ETC=/tmp/ttp-lab	# inside the root, on the holder's /tmp

# ---------------------------------------------------------------- helpers

# unpack_elf_list DIR: the ELF files under DIR.
elf_files() {
	local f
	while IFS= read -r -d '' f; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] &&
		    printf '%s\n' "$f"
	done < <(find "$1" -type f -print0)
}

# first_alternatives DEB: the package's Depends, one name each (the first
# of each alternative, versions left out), sorted: what the root holds.
first_alternatives() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//' |
	    tr -d '[:blank:]' | grep . | sort -u
}

# host_sources: the host's apt sources for Debian's archive, the mirror
# the root is made from.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources; do
		[ -s "$f" ] && grep -q '^[^#]*/debian' "$f" && printf '%s\n' "$f"
	done
	return 0
}

# in_root CMD...: CMD in the unpacked root, in a private mount namespace
# (fresh /proc, the host's /dev, tmpfs /run and /tmp) and an empty network
# namespace: what runs there reaches no network at all. The package file
# is visible as /tmp/PKG. Output as CMD's.
in_root() {
	unshare --mount --net --propagation private -- /bin/bash -c '
		set -e
		r=$1 deb=$2; shift 2
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs -o mode=0755 ttppkg-run "$r/run"
		mount -t tmpfs -o mode=1777 ttppkg-tmp "$r/tmp"
		cp "$deb" "$r/tmp/"
		exec chroot "$r" /usr/bin/env -i PATH='"$IN_PATH"' LC_ALL=C \
		    DEBIAN_FRONTEND=noninteractive "$@"' \
	    in_root "$ROOT" "$DEB" "$@"
}

# root_exec CMD...: CMD in the root as the lab's client: in the holder's
# namespaces (the lab client's network, the root's own mounts) and root.
root_exec() {
	nsenter --target "$HOLDER" --net --mount --root --wd -- \
	    /usr/bin/env -i PATH="$IN_PATH" LC_ALL=C DEBIAN_FRONTEND=noninteractive \
	    "$@"
}
# The installed ttp, bounded, with the lab's configuration; output in $OUT.
# (e2e_lib's helpers that call ttp_quiet use it too, never the build's.)
ttp() {
	local rc
	OUT=$(root_exec TTP_CONFIG="$LAB_ETC/ttp.conf" timeout -k 5 \
	    "$E2E_CMD_TIMEOUT" /usr/sbin/ttp "$@" 2>&1)
	rc=$?
	printf '%s\n' "$OUT" | indent
	return $rc
}
ttp_quiet() {
	OUT=$(root_exec TTP_CONFIG="$LAB_ETC/ttp.conf" timeout -k 5 \
	    "$E2E_CMD_TIMEOUT" /usr/sbin/ttp "$@" 2>&1)
}

# snapshot: the root as piuparts compares it: every path with its type,
# mode and owner, leaving out what is volatile (/proc, /sys, /dev, /run,
# /tmp) and the package system's own records and logs.
snapshot() {
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./sys -o \
	    -path ./dev -o -path ./run -o -path ./tmp -o -path ./var/lib/dpkg \
	    -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log \) \
	    -prune -o -printf '%p %y %m %U:%G\n') |
	    grep -v -E '^\./etc/(passwd|group|shadow|gshadow)- |^\./etc/\.pwd\.lock ' |
	    LC_ALL=C sort
}
accounts() { cut -d: -f1 "$ROOT/etc/passwd" "$ROOT/etc/group" | LC_ALL=C sort -u; }

# resolv_mounts: mounts on the root's /etc/resolv.conf (the lab's is 1).
resolv_mounts() {
	awk '$5 == "/etc/resolv.conf" { n++ } END { print n + 0 }' \
	    "/proc/$HOLDER/mountinfo"
}

# blocked WHAT PROBE_ARGS...: the application's attempt must not get through.
blocked() {
	local what=$1 rc; shift
	probe "$@"; rc=$?
	if [ $rc -ne 0 ]; then pass "$what: blocked for the application"
	else fail "$what: the application got an answer: $OUT"; fi
}

# pkg_status: dpkg's two-letter state of ttp in the root ("ii", "rc", or
# "" when dpkg does not know it).
pkg_status() {
	root_exec dpkg-query -W -f='${db:Status-Abbrev}' ttp 2>/dev/null |
	    tr -d ' '
}

# ---------------------------------------------------------------- preflight

[ "$(id -u)" -eq 0 ] || bail "needs root (sudo)"
for b in dpkg-buildpackage dh lintian hardening-check mmdebstrap unshare \
    nsenter chroot ip nft setpriv curl dig "$PY"; do
	command -v "$b" >/dev/null || bail "missing $b: run 'sudo make deps'"
done
for ns in "$TTPLAB_PREFIX-net" "$TTPLAB_PREFIX-cli" "$TTPLAB_PREFIX-lan"; do
	[ ! -e "/run/netns/$ns" ] ||
	    bail "namespace $ns exists (a lab with prefix $TTPLAB_PREFIX is up): run 'TTPLAB_PREFIX=$TTPLAB_PREFIX $LAB down'"
done
E2E_TMP=$(mktemp -d "/tmp/$E2E_NAME.XXXXXX")
chmod 755 "$E2E_TMP"
on_exit e2e_cleanup	# the lab down, the scratch directory removed
ROOT=$E2E_TMP/root HOLDER=""

# ---------------------------------------------------------------- build

echo "# --- the package"
DEB=$("$DEB_SH" --path)
t=$(now)
if [ -f "$DEB" ] && [ "$(cat "$(dirname "$DEB")/source.sha256" 2>/dev/null)" = "$("$DEB_SH" --hash)" ]; then
	pass "the package of this tree is built ($(basename "$DEB"), reused)"
elif TTP_DEB_LINTIAN=0 "$DEB_SH" >"$E2E_TMP/deb.log" 2>&1; then
	pass "make deb builds the package ($(basename "$DEB"), $(elapsed "$t")s)"
else
	indent <"$E2E_TMP/deb.log"
	bail "make deb (scripts/deb.sh) failed"
fi
CHANGES=${DEB%.deb}.changes

OUT=$(lintian --fail-on error,warning "$CHANGES" 2>&1); rc=$?
printf '%s\n' "$OUT" | grep -v 'root privileges' | indent
check "lintian: no error, no warning" [ "$rc" -eq 0 ]

mkdir "$E2E_TMP/x"
dpkg-deb -x "$DEB" "$E2E_TMP/x"
mapfile -t elves < <(elf_files "$E2E_TMP/x")
check "the package has its 5 programs" [ "${#elves[@]}" -eq 5 ]
# Control-flow protection is not asked: Debian 12's glibc start files
# carry no CET marking, so no binary linked there has it (CMakeLists.txt).
for f in "${elves[@]}"; do
	OUT=$(hardening-check --nocfprotection "$f" 2>&1); rc=$?
	[ "$rc" -eq 0 ] || printf '%s\n' "$OUT" | indent
	check "hardening-check: ${f#"$E2E_TMP"/x}" [ "$rc" -eq 0 ]
done

listing=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $1, $2, $6 }' | sed 's| \./| /|')
for f in /usr/sbin/ttp /usr/libexec/ttp/ttp-privd /usr/libexec/ttp/ttp-torctl \
    /usr/libexec/ttp/ttp-netcheck /usr/libexec/ttp/ttp-anchor; do
	check "$f: root's, 0755" grep -qx -- "-rwxr-xr-x root/root $f" <<<"$listing"
done
for f in /etc/init.d/ttp /etc/init.d/ttp-lockdown; do
	check "$f: root's, 0755" grep -qx -- "-rwxr-xr-x root/root $f" <<<"$listing"
done
for f in /etc/ttp/ttp.conf /usr/lib/sysusers.d/ttp.conf \
    /usr/lib/tmpfiles.d/ttp.conf /lib/systemd/system/ttp.service \
    /lib/systemd/system/ttp-lockdown.service /usr/share/doc/ttp/copyright \
    /usr/share/man/man8/ttp.8.gz /usr/share/man/man5/ttp.conf.5.gz \
    /usr/share/bash-completion/completions/ttp \
    /usr/share/zsh/vendor-completions/_ttp \
    /usr/share/fish/vendor_completions.d/ttp.fish; do
	check "$f: root's, 0644" grep -qx -- "-rw-r--r-- root/root $f" <<<"$listing"
done
profiles="usr.sbin.ttp usr.libexec.ttp.ttp-anchor usr.libexec.ttp.ttp-netcheck usr.libexec.ttp.ttp-privd usr.libexec.ttp.ttp-torctl"
for p in $profiles; do
	check "/etc/apparmor.d/$p: root's, 0644" grep -qx -- "-rw-r--r-- root/root /etc/apparmor.d/$p" <<<"$listing"
	check "/etc/apparmor.d/$p ships in complain mode" \
	    grep -Eq '^profile .*flags=\(.*complain' "$E2E_TMP/x/etc/apparmor.d/$p"
done
check "postinst loads the profiles where AppArmor is (dh_apparmor)" \
    eval 'dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./postinst | grep -q apparmor_parser'
stray=$(awk '{ print $3 }' <<<"$listing" | grep -v -E '^/(etc/apparmor\.d/usr\.(sbin\.ttp|libexec\.ttp\.ttp-[a-z]+)$|etc/ttp/|etc/init\.d/ttp(-lockdown)?$|lib/systemd/system/ttp(-lockdown)?\.service$|usr/sbin/ttp$|usr/libexec/ttp/|usr/lib/(sysusers|tmpfiles)\.d/ttp\.conf$|usr/share/(doc/ttp|lintian/overrides|man|bash-completion|zsh|fish)/)')
check "nothing outside ttp's own places${stray:+: $stray}" [ -z "$stray" ]
want_conf="$(for p in $profiles; do echo "/etc/apparmor.d/$p"; done | LC_ALL=C sort | paste -sd' ') /etc/init.d/ttp /etc/init.d/ttp-lockdown /etc/ttp/ttp.conf"
check "the conffiles: the AppArmor profiles, ttp.conf and the two boot scripts" \
    [ "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles | LC_ALL=C sort | paste -sd' ')" = "$want_conf" ]
check "/etc/ttp/ttp.conf is ttp.conf.example" cmp -s "$E2E_TMP/x/etc/ttp/ttp.conf" "$REPO/ttp.conf.example"
check "it depends on tor" grep -qw tor < <(first_alternatives "$DEB")
check "it suggests obfs4proxy and snowflake-client" \
    eval 'dpkg-deb -f "$DEB" Suggests | grep -w obfs4proxy | grep -qw snowflake-client'

# ---------------------------------------------------------------- the root

echo "# --- a clean Debian 12 root"
mapfile -t sources < <(host_sources)
[ "${#sources[@]}" -gt 0 ] || bail "no apt source for Debian's archive in /etc/apt"
includes=$(first_alternatives "$DEB" | paste -sd, -)
key=$( { echo "$SUITE apt $includes"; mmdebstrap --version; cat "${sources[@]}"; } |
    sha256sum | cut -c1-16)
tarball=$CACHE/$SUITE-$key.tar
mkdir -p "$CACHE"
if [ -s "$tarball" ]; then
	pass "the root is cached ($(basename "$tarball"))"
else
	t=$(now)
	# mmdebstrap mounts /proc, /sys and /dev into its directory while it
	# works: in a mount namespace of its own. Its policy-rc.d keeps the
	# tor it installs from starting.
	if unshare --mount --propagation private -- timeout -k 10 "$ROOT_TIMEOUT" \
	    mmdebstrap --variant=apt --mode=root --format=tar \
	    --include="$includes" "$SUITE" "$tarball.part" "${sources[@]}" \
	    >"$E2E_TMP/mmdebstrap.log" 2>&1; then
		mv "$tarball.part" "$tarball"
		find "$CACHE" -maxdepth 1 -name "$SUITE-*.tar*" ! -name "$(basename "$tarball")" -delete
		pass "mmdebstrap made the root ($(elapsed "$t")s, with $includes)"
	else
		tail -n 20 "$E2E_TMP/mmdebstrap.log" | indent
		rm -f "$tarball.part"
		bail "mmdebstrap failed or took more than ${ROOT_TIMEOUT}s"
	fi
fi
mkdir -m 755 "$ROOT"
tar -C "$ROOT" --numeric-owner -xpf "$tarball" || bail "cannot unpack $tarball"
# The lab's resolv.conf is bound onto this file; it must exist before.
[ -f "$ROOT/etc/resolv.conf" ] || : >"$ROOT/etc/resolv.conf"
snapshot >"$E2E_TMP/before.files"
accounts >"$E2E_TMP/before.accounts"
check "the root has tor and no ttp" eval '[ -x "$ROOT/usr/bin/tor" ] && [ ! -e "$ROOT/usr/sbin/ttp" ]'

# ---------------------------------------------------------------- install

echo "# --- apt install ./$(basename "$DEB")"
# One in_root for the install and what its scripts did: /run is a tmpfs
# of that namespace alone.
t=$(now)
# shellcheck disable=SC2016 # expanded by the root's sh
OUT=$(in_root /bin/sh -c 'apt-get install -y --no-install-recommends "$1"
	echo "apt $?"; getent passwd _ttp; getent group _ttp
	stat -c "%n %a %U:%G" /run/ttp /run/tor/ttp
	echo "dpkg $(dpkg-query -W -f="\${db:Status-Abbrev}" ttp)"
	ttp --version; ttp uninstall; echo "uninstall $?"; ls /usr/sbin/ttp' \
    sh "/tmp/$(basename "$DEB")" 2>&1)
printf '%s\n' "$OUT" | grep -v -E '^(\(Reading database|Reading|Building|debconf:)' | indent
check "apt installs it with no network ($(elapsed "$t")s)" grep -qx 'apt 0' <<<"$OUT"
grep -qx 'apt 0' <<<"$OUT" || bail "the package did not install"
ttp_uid=$(awk -F: '$1 == "_ttp" && NF == 7 { print $3 }' <<<"$OUT")
check "sysusers.d made _ttp: a system account of its own, no home, no shell" \
    grep -qE '^_ttp:x:[1-9][0-9]{0,2}:[1-9][0-9]{0,2}:[^:]*:/nonexistent:/usr/sbin/nologin$' <<<"$OUT"
check "and its group _ttp" grep -qE '^_ttp:x:[0-9]+:$' <<<"$OUT"
check "tmpfiles.d made /run/ttp (0755 root)" grep -qx '/run/ttp 755 root:root' <<<"$OUT"
check "tmpfiles.d made /run/tor/ttp (0700 debian-tor)" grep -qx '/run/tor/ttp 700 debian-tor:debian-tor' <<<"$OUT"
check "dpkg: installed" grep -qx 'dpkg ii *' <<<"$OUT"
check "ttp --version: the package's" grep -qx "ttp $(dpkg-deb -f "$DEB" Version)" <<<"$OUT"
# The boot units stay off until `ttp enable` (docs/boot.md).
on=$(cd "$ROOT/etc" && ls -d systemd/system/*.wants/ttp* rc?.d/*ttp* 2>/dev/null | tr '\n' ' ')
check "the boot units and scripts are installed, not enabled${on:+: $on}" [ -z "$on" ]
check "ttp uninstall refuses: apt removes the package" \
    eval 'grep -q "installed by the Debian package" <<<"$OUT" && grep -qx "uninstall 1" <<<"$OUT" && grep -qx /usr/sbin/ttp <<<"$OUT"'

# ---------------------------------------------------------------- the lab

echo "# --- the installed ttp in the lab"
t=$(now)
timeout -k 5 180 "$LAB" up >"$E2E_TMP/lab-up.log" 2>&1 ||
    { tail -n 30 "$E2E_TMP/lab-up.log" | indent; bail "lab up (its last lines above)"; }
eval "$("$LAB" env)"
e2e_client_prefixes
note "lab up in $(elapsed "$t")s (prefix $TTPLAB_PREFIX, state $TTPLAB_DIR)"
ip netns exec "$TTPLAB_NS_CLI" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

# The holder: a process in the lab client's network namespace and in a
# mount namespace of its own under the client's, chrooted into the root,
# whose mounts are the root's /proc, /sys, /dev, the client's /run (so the
# lab's checks see ttp's lock), a /tmp with the lab's ttp.conf and torrc
# lines, and the lab's resolv.conf. Every root_exec enters it. It ends by
# its PID, and its mounts with it.
kill_holder() {
	[ -n "$HOLDER" ] || return 0
	kill -TERM "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null	# sleep ends on TERM: bounded
	HOLDER=""
}
# in_root_procs: the PIDs of every process whose root is the root.
in_root_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && echo "${p#/proc/}"
	done
	return 0
}
# shellcheck disable=SC2016 # expanded by the inner bash
nsenter --target "$TTPLAB_CLI_PID" --net --mount -- \
    unshare --mount --propagation private -- /bin/bash -c '
	set -e
	r=$1 lab=$2 etc=$3 ready=$4
	mount -t proc proc "$r/proc"
	mount --rbind /sys "$r/sys"
	mount --rbind /dev "$r/dev"
	mount --bind /run "$r/run"
	mount -t tmpfs -o mode=1777 ttppkg-tmp "$r/tmp"
	mkdir -m 755 "$r$etc"
	install -m 644 "$lab/client-torrc-append" "$r$etc/torrc-append"
	# The lab ttp.conf, but tor'\''s data in the default place (purge
	# removes it) and the torrc lines from inside the root.
	sed -e "s|^torrc_append = .*|torrc_append = $etc/torrc-append|" \
	    -e "/^data_dir = /d" "$lab/ttp.conf" >"$r$etc/ttp.conf"
	chmod 644 "$r$etc/ttp.conf"
	mount --bind "$lab/client-resolv.conf" "$r/etc/resolv.conf"
	: >"$ready"
	exec chroot "$r" /bin/sleep infinity' \
    ttppkg-holder "$ROOT" "$TTPLAB_DIR" "$LAB_ETC" "$E2E_TMP/holder.ready" \
    </dev/null >"$E2E_TMP/holder.log" 2>&1 &
HOLDER=$!
on_exit kill_holder
wait_for 10 test -e "$E2E_TMP/holder.ready" && wait_for 5 eval \
    '[ "$(readlink "/proc/$HOLDER/root")" = "$ROOT" ]' ||
    { indent <"$E2E_TMP/holder.log"; bail "the holder of the root's mounts did not start"; }
check "the root sees the lab's resolv.conf (1 mount)" [ "$(resolv_mounts)" = 1 ]

far_arm
t=$(now)
ttp start; rc=$?
check "ttp start exits 0 ($(elapsed "$t")s)" [ $rc -eq 0 ]
check "start showed bootstrap progress up to 100%" grep -q 'bootstrap 100%' <<<"$OUT"
check "start confirmed a Tor exit" grep -q 'confirmed Tor exit' <<<"$OUT"
check "firewall is the session ruleset" [ "$(fw_table)" = session ]
check "the root's resolv.conf is overlaid (2 mounts)" [ "$(resolv_mounts)" = 2 ]
# Every process of the session runs from the root: the package's programs
# and the root's tor, not this machine's.
procs=$(ns_procs tor ttp-anchor | tr '\n' ' ')
off=""
for p in $procs; do
	[ "$(readlink "/proc/$p/root")" = "$ROOT" ] || off+=" $p"
done
check "tor and ttp-anchor run from the root (pids $procs)" \
    eval '[ -n "${procs// /}" ] && [ -z "$off" ]'
check "tor is the root's /usr/bin/tor" \
    eval '[ "$(readlink "/proc/$(ns_procs tor | head -n 1)/exe")" = "$ROOT/usr/bin/tor" ]'
no_leak "during start"

http_via_exit user "HTTP by IP" "http://$TTPLAB_WEB_IP4"
http_via_exit user "HTTP by name ($TTPLAB_WEB_NAME)" "http://$TTPLAB_WEB_NAME"
http_via_exit user "HTTP over IPv6" "http://[$TTPLAB_WEB_IP6]"
http_via_exit root "root's HTTP (no --allow-root)" "http://$TTPLAB_WEB_IP4"
blocked "UDP to $TTPLAB_WEB_IP4:9999" udp "$TTPLAB_WEB_IP4" 9999
blocked "ICMP echo to $TTPLAB_WEB_IP4" icmp "$TTPLAB_WEB_IP4"
blocked "UDP over IPv6" udp "$TTPLAB_WEB_IP6" 9999
ttp_quiet status --json
check "ttp status --json: active, tor running, firewall intact" \
    json_is state=active tor_running=true firewall=session firewall_intact=true <<<"$OUT"
ttp check; rc=$?
check "ttp check (ttp-netcheck as _ttp, from the root): IsTor yes" rc_and_out $rc 'IsTor *yes'
no_leak "traffic, status and check"

OUT=$(root_exec apt-get remove -y ttp 2>&1); rc=$?
printf '%s\n' "$OUT" | grep -E 'ttp:|dpkg:' | indent
check "apt remove refuses during the session" \
    eval '[ "$rc" -ne 0 ] && grep -q "a session is active" <<<"$OUT"'
check "and ttp stays installed" eval '[ "$(pkg_status)" = ii ] && [ -x "$ROOT/usr/sbin/ttp" ]'

t=$(now)
ttp stop; rc=$?
check "ttp stop exits 0 ($(elapsed "$t")s)" [ $rc -eq 0 ]
no_leak "whole session and stop"
left=""
[ "$(fw_table)" = none ] || left+=" table inet ttp;"
! ip netns exec "$TTPLAB_NS_CLI" nft list tables 2>/dev/null | grep -q ttp_anchor ||
    left+=" an anchor table;"
[ "$(resolv_mounts)" = 1 ] || left+=" $(resolv_mounts) mounts on resolv.conf;"
p=$(ns_procs tor ttp ttp-privd ttp-torctl ttp-netcheck ttp-anchor | tr '\n' ' ')
[ -z "${p// /}" ] || left+=" processes: $p;"
p=$(trans_sockets)
[ -z "$p" ] || left+=" sockets on tor's TransPort: $p;"
! cli test -e /run/ttp/ttp.lock || left+=" /run/ttp/ttp.lock;"
ttp_quiet status --json
json_is state=inactive <<<"$OUT" 2>/dev/null || left+=" status: $OUT;"
check "after stop nothing is left${left:+:$left}" [ -z "$left" ]
check "the root's resolv.conf is the lab's again" \
    cmp -s "$TTPLAB_CLI_RESOLV" "/proc/$HOLDER/root/etc/resolv.conf"
direct_ok "after stop"
tor_uid=$(awk -F: '$1 == "debian-tor" { print $3 }' "$ROOT/etc/passwd")
check "tor's state for ttp is in /var/lib/tor/ttp (debian-tor, 0700)" \
    [ "$(stat -c '%a %u' "$ROOT/var/lib/tor/ttp" 2>&1)" = "700 $tor_uid" ]

echo "# --- ttp enable, ttp disable"
ttp enable; rc=$?
check "ttp enable exits 0 (sysvinit here: update-rc.d)" [ $rc -eq 0 ]
links=$(find "$ROOT"/etc/rc?.d -regextype egrep -regex '.*/S[0-9]+ttp(-lockdown)?' | wc -l)
check "ttp enable made both scripts' start links ($links)" [ "$links" -ge 2 ]
OUT=$(root_exec apt-get remove -y ttp 2>&1); rc=$?
printf '%s\n' "$OUT" | grep -E '^ttp:' | indent
check "apt remove refuses while ttp is enabled at boot" \
    eval '[ "$rc" -ne 0 ] && grep -q "enabled at boot" <<<"$OUT" && [ "$(pkg_status)" = ii ]'
ttp disable; rc=$?
check "ttp disable exits 0" [ $rc -eq 0 ]
links=$(find "$ROOT"/etc/rc?.d -regextype egrep -regex '.*/[SK][0-9]+ttp(-lockdown)?' | wc -l)
check "ttp disable left no link ($links)" [ "$links" -eq 0 ]

# ---------------------------------------------------------------- remove

echo "# --- apt remove, apt purge"
OUT=$(root_exec apt-get remove -y ttp 2>&1); rc=$?
check "apt remove ttp" [ "$rc" -eq 0 ]
check "removed: programs gone, the conffile kept (dpkg: rc)" \
    eval '[ "$(pkg_status)" = rc ] && [ ! -e "$ROOT/usr/sbin/ttp" ] && [ ! -e "$ROOT/usr/libexec/ttp" ] && [ -f "$ROOT/etc/ttp/ttp.conf" ]'
OUT=$(root_exec apt-get purge -y ttp 2>&1); rc=$?
check "apt purge ttp" [ "$rc" -eq 0 ]
check "purged: dpkg knows no ttp" [ -z "$(pkg_status)" ]
check "purge removed /etc/ttp, /var/lib/ttp and /var/lib/tor/ttp" \
    eval '[ ! -e "$ROOT/etc/ttp" ] && [ ! -e "$ROOT/var/lib/ttp" ] && [ ! -e "$ROOT/var/lib/tor/ttp" ]'
check "purge removed /run/ttp and /run/tor/ttp" \
    eval '! cli test -e /run/ttp && ! cli test -e /run/tor/ttp'
kill_holder
p=$(in_root_procs | tr '\n' ' ')
check "no process is left in the root, so none of its mounts${p:+: $p}" [ -z "$p" ]

snapshot >"$E2E_TMP/after.files"
accounts >"$E2E_TMP/after.accounts"
d=$(diff "$E2E_TMP/before.files" "$E2E_TMP/after.files" | grep '^[<>]' | head -n 20)
[ -z "$d" ] || printf '%s\n' "$d" | indent
check "after purge the root's files are as before the install" [ -z "$d" ]
d=$(diff "$E2E_TMP/before.accounts" "$E2E_TMP/after.accounts" | grep '^[<>]' | tr '\n' ' ')
check "the only account left is _ttp, as Debian leaves system accounts (got: ${d:-none})" \
    [ "$d" = "> _ttp " ]
if [ -n "$ttp_uid" ]; then
	owned=$(find "$ROOT" -xdev \( -uid "$ttp_uid" -o -gid "$ttp_uid" \) -print | head -n 5 | tr '\n' ' ')
else
	owned="(_ttp's uid unknown)"
fi
check "no file in the root is _ttp's (uid ${ttp_uid:-?})${owned:+: $owned}" [ -z "$owned" ]

rm -rf --one-file-system -- "$ROOT"
e2e_finish
