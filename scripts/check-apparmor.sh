#!/bin/sh
# The AppArmor profiles (apparmor/*.in, as CMake generated them into
# BUILD/apparmor): apparmor_parser compiles each one completely, for the
# feature set Debian's apparmor package ships, without loading anything
# into a kernel (-Q); and the rule set is checked against the code:
#  - the profiles are exactly those SECURITY.md ("AppArmor") lists, each
#    binary `make install` puts in place attached to its installed path;
#  - each may use exactly the capabilities listed below (abstractions
#    included), and ttp-privd's are
#    the two privd keeps (privd/privd.c) plus CAP_SETPCAP;
#  - ttp's helpers execute nothing; unconfined execution
#    is the package managers' alone (tor/pkg.c);
#  - every path default a profile names is common/defaults.h's.
# What this cannot show, on a kernel without AppArmor, is enforcement:
# SECURITY.md says what is and is not exercised.
# Usage: check-apparmor.sh BUILD_DIR. Prints what is wrong; exits 1 if any.
set -eu
cd "$(dirname "$0")/.."
dir=${1:?usage: check-apparmor.sh BUILD_DIR}/apparmor
bad=0
say() { echo "check-apparmor: $*"; bad=1; }

command -v apparmor_parser >/dev/null 2>&1 || {
	echo "check-apparmor: apparmor_parser is missing (Debian package" \
	    "apparmor; scripts/deps.sh installs it)"
	exit 1
}
features=/usr/share/apparmor-features/features
set -- -Q -K -S
[ -r "$features" ] && set -- "$@" -M "$features"

profiles="usr.sbin.ttp usr.libexec.ttp.ttp-privd usr.libexec.ttp.ttp-torctl
usr.libexec.ttp.ttp-netcheck usr.libexec.ttp.ttp-anchor"
names=""
for p in $profiles; do
	f=$dir/$p
	[ -r "$f" ] || { say "$f is missing (configure the build first)"; continue; }
	# Compiled to binary policy (rules, globs, DFA), written nowhere.
	if ! apparmor_parser "$@" "$f" >/dev/null 2>"$dir/$p.err"; then
		say "$p: apparmor_parser failed:"
		grep -v '^Cache read/write disabled' "$dir/$p.err" || true
	fi
	rm -f "$dir/$p.err"
	names="$names $(apparmor_parser -N "$f" 2>/dev/null | tr '\n' ' ')"
done
# shellcheck disable=SC2086
names=$(printf '%s\n' $names | sort | tr '\n' ' ')
want="ttp ttp-anchor ttp-netcheck ttp-notify ttp-privd ttp-tor ttp-torctl ttp-watchdog ttp-watchdog//wall "
[ "$names" = "$want" ] || say "profiles are '$names', not '$want'"

# The body of profile NAME in FILE (up to the closing brace at column 0,
# or at two spaces for a child profile).
body() {
	awk -v n="$2" '
	    $1 == "profile" && $2 == n { on = 1; ind = index($0, "p") - 1; next }
	    on && (ind == 0 ? /^}/ : /^  }/) { exit }
	    on' "$dir/$1"
}
# The capabilities profile NAME may use, abstractions included, as the
# parser compiled them.
caps() {
	apparmor_parser -Q -K -d "$dir/$1" 2>/dev/null | awk -v n="$2" '
	    $1 == "Name:" { p = $2 }
	    $1 == "Capabilities:" && (p == n || p ~ ("//" n "$")) {
		for (i = 2; i <= NF; i++) printf "%s ", $i }'
}
expect_caps() {	# FILE PROFILE CAPS (sorted, each followed by a space)
	got=$(caps "$1" "$2")
	[ "$got" = "$3" ] || say "$2 has the capabilities '$got', not '$3'"
}
expect_caps usr.libexec.ttp.ttp-privd ttp-privd "net_admin setpcap sys_admin "
expect_caps usr.libexec.ttp.ttp-torctl ttp-torctl \
    "dac_override dac_read_search setgid setpcap setuid "
expect_caps usr.libexec.ttp.ttp-netcheck ttp-netcheck "setgid setpcap setuid "
expect_caps usr.libexec.ttp.ttp-anchor ttp-anchor ""
expect_caps usr.sbin.ttp ttp-watchdog \
    "kill net_admin setgid setpcap setuid sys_ptrace "
expect_caps usr.sbin.ttp ttp-tor "setgid setuid "
expect_caps usr.sbin.ttp ttp-notify "setgid setuid "
expect_caps usr.sbin.ttp wall ""
# net_bind_service comes with abstractions/nameservice (NIS's
# bindresvport), which ttp needs for bypass users from any NSS source.
expect_caps usr.sbin.ttp ttp "chown dac_override dac_read_search fowner kill net_bind_service setgid setpcap setuid sys_ptrace "
# privd keeps exactly these (privd/privd.c); setpcap only to empty its
# bounding set, before seccomp.
kept=$(sed -n 's/.*static const int caps\[\] = {\(.*\)};/\1/p' privd/privd.c |
    tr -d ' ' | tr ',' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sort |
    tr '\n' ' ')
[ "$kept" = "net_admin sys_admin " ] ||
	say "privd/privd.c keeps '$kept': update ttp-privd's profile and this check"

# Execution: none for the helpers; Px/Cx/ix into ttp's own profiles; U
# only for the package managers.
for p in usr.libexec.ttp.ttp-privd:ttp-privd usr.libexec.ttp.ttp-torctl:ttp-torctl \
    usr.libexec.ttp.ttp-netcheck:ttp-netcheck usr.libexec.ttp.ttp-anchor:ttp-anchor; do
	x=$(body "${p%%:*}" "${p#*:}" | grep -E ' [a-zA-Z]*x(,| ->)' || true)
	[ -z "$x" ] || say "${p#*:} may execute: $x"
done
u=$(grep -nE ' [PpCc]?[Uu]x,' "$dir/usr.sbin.ttp" | grep -vE '/usr/bin/(apt-get|dnf|pacman) Ux,' || true)
[ -z "$u" ] || say "unconfined execution other than a package manager: $u"

# Attachments: the installed path of each binary.
sbindir=$(sed -n 's/^@{ttp_sbindir}=//p' "$dir/usr.sbin.ttp")
libexecdir=$(sed -n 's/^@{ttp_libexecdir}=//p' "$dir/usr.sbin.ttp")
grep -q "^profile ttp @{ttp_sbindir}/ttp " "$dir/usr.sbin.ttp" ||
	say "ttp is not attached to @{ttp_sbindir}/ttp"
for h in privd torctl netcheck anchor; do
	f=$dir/usr.libexec.ttp.ttp-$h
	grep -q "^profile ttp-$h @{ttp_libexecdir}/ttp-$h " "$f" ||
		say "ttp-$h is not attached to @{ttp_libexecdir}/ttp-$h"
	[ "$(sed -n 's/^@{ttp_libexecdir}=//p' "$f")" = "$libexecdir" ] ||
		say "ttp-$h: another libexec directory than usr.sbin.ttp's"
	grep -q "^  @{ttp_libexecdir}/ttp-$h Px," "$dir/usr.sbin.ttp" ||
		[ "$h" = anchor ] || [ "$h" = privd ] ||
		say "ttp does not enter ttp-$h (Px) to run it"
done
[ -n "$sbindir" ] && [ -n "$libexecdir" ] || say "install paths not substituted"

# Path defaults: as common/defaults.h has them.
def() { sed -n "s/^#define $1[[:space:]]*\"\(.*\)\"/\1/p" common/defaults.h; }
for v in ttp_run:TTP_DEF_RUN_DIR ttp_tor_run:TTP_DEF_TOR_RUN_DIR \
    ttp_tor_data:TTP_DEF_DATA_DIR; do
	want=$(def "${v#*:}")
	for f in "$dir"/usr.*; do
		got=$(sed -n "s/^@{${v%%:*}}=//p" "$f")
		[ -z "$got" ] || [ "$got" = "$want" ] ||
			say "$(basename "$f"): @{${v%%:*}} is $got, common/defaults.h says $want"
	done
done

# shellcheck disable=SC2086
[ "$bad" = 0 ] && echo "check-apparmor: $(echo "$profiles" | wc -w) files" \
    "(profiles $(echo $names)) compiled and reviewed; not enforced here" \
    "(SECURITY.md, \"AppArmor\")"
exit "$bad"
