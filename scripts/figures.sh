#!/bin/sh
# The figures SECURITY.md states, computed from the tree: privileged ops,
# privd's lines of code (comments and blank lines excluded), and the
# syscalls each process's seccomp allowlist permits (sanitizer-only lines
# counted apart), the paths Landlock leaves each unprivileged process, and
# the capabilities each AppArmor profile may use. The resident root code,
# the syscalls and the AppArmor capabilities read a release build
# (TTP_BUILD_DIR, build/ by default).
set -eu
cd "$(dirname "$0")/.."
sloc() { cat "$@" | gcc -fpreprocessed -dD -E -P -x c - 2>/dev/null | grep -cv '^\s*$'; }
echo "privileged ops:            $(grep -c '^	{ PRIVOP_' privd/privd.c)"
echo "  served to the CLI:       $(grep -c '^	{ PRIVOP_' privd/privd.c)"
echo "  served to the watchdog:  $(grep '^	{ PRIVOP_' privd/privd.c | grep -c OP_WATCHDOG) (FW_APPLY and FW_ANCHOR with the pinned arguments only)"
echo "privd SLOC (no codec):     $(sloc privd/*.c privd/*.h)"
echo "codec SLOC (ipc/codec.c):  $(sloc ipc/codec.c)"
# Resident root code: every source file with an object in ttp-privd (its
# link map names them), the only process that stays root while a session
# runs. The set-up halves of `ttp start` and `ttp watchdog run` are root
# too, but exit (or drop root) before the session is in use.
map=${TTP_BUILD_DIR:-build}/privd/ttp-privd.map
if [ -r "$map" ]; then
	files=$(python3 - "$map" <<'PY'
import re, sys
out = set()
for line in open(sys.argv[1]):
    m = re.match(r'(\S*?)lib[a-z_]+\.a\(([a-z_]+\.c)\.o\)', line)
    if m:
        d = m.group(1).strip('./').rstrip('/') or 'privd'
        out.add(f"{d}/{m.group(2)}")
    m = re.search(r'CMakeFiles/ttp-privd\.dir/([a-z_]+\.c)\.o', line)
    if m:
        out.add(f"privd/{m.group(1)}")
print(" ".join(sorted(out)))
PY
)
	# shellcheck disable=SC2086
	echo "resident root SLOC:        $(sloc $files) ($(echo $files | wc -w) files: $files)"
else
	echo "resident root SLOC:        (build first: no $map)"
fi
# The syscalls each allowlist permits, as tests/tools/seccomp_count counts
# them (the tests count them the same way): over the tables as this release
# build has them, and as sanitizer builds have them (seccomp_count_san).
count=${TTP_BUILD_DIR:-build}/tests/seccomp_count
if [ -x "$count" ] && [ -x "${count}_san" ]; then
	{ "$count"; echo --; "${count}_san"; } | awk '
	$1 == "--" { san = 1; next }
	!san { n[$1] = $2; role[++k] = $1; next }
	{ s[$1] = $2 }
	END {
		for (i = 1; i <= k; i++) {
			r = role[i]
			printf "syscalls %-10s %d", r ":", n[r]
			if (s[r] > n[r])
				printf " (+%d in sanitizer builds)", s[r] - n[r]
			printf "\n"
		}
	}'
else
	echo "syscalls:                  (build first: no $count)"
fi
# Landlock: the paths each process may still open once confined (its
# list in seccomp/<process>.c; paths added at run time counted apart).
for f in seccomp/*.c; do
	grep -q 'sandbox_fs_policy' "$f" || continue
	n=$(grep -c '^	{ "/' "$f" || true)
	name=$(basename "$f" .c)
	case $name in
	netcheck) extra=" (+1 at run time: the C library's directory)" ;;
	watchdog) extra=" (+1 at run time: privd's resolv.conf)" ;;
	*) extra="" ;;
	esac
	echo "landlock paths $name: $n$extra"
done
# AppArmor: the capabilities each profile may use, abstractions included,
# as apparmor_parser compiles the build's profiles (nothing is loaded).
aa=${TTP_BUILD_DIR:-build}/apparmor
if command -v apparmor_parser >/dev/null 2>&1 && [ -r "$aa/usr.sbin.ttp" ]; then
	for f in "$aa"/usr.*; do
		apparmor_parser -Q -K -d "$f" 2>/dev/null | awk '
		    $1 == "Name:" { if (p != "") print p, n; p = $2; n = 0 }
		    $1 == "Capabilities:" { n = NF - 1 }
		    END { if (p != "") print p, n }'
	done | sort | while read -r p n; do
		echo "apparmor capabilities $p: $n"
	done
else
	echo "apparmor capabilities:     (build first, with apparmor_parser)"
fi
