#!/bin/sh
# Every file CMake installs is one `ttp uninstall` removes: install the
# build into a scratch directory (DESTDIR) and look for each file's full
# path among the strings of the built ttp, where cli/cmd_uninstall.c's list
# is compiled in. Prints what is missing; exits 1 if any.
#   scripts/check-install.sh [BUILD_DIR]   (default: build)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/bin/ttp" ] || { echo "check-install: no $build/bin/ttp: build first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR=$tmp cmake --install "$build" >/dev/null
strings -a "$build/bin/ttp" > "$tmp.strings"
trap 'rm -rf "$tmp" "$tmp.strings"' EXIT
bad=0 n=0
for f in $(cd "$tmp" && find . -type f -o -type l | sed 's/^\.//' | sort); do
	n=$((n + 1))
	grep -qxF -- "$f" "$tmp.strings" || {
		echo "check-install: $f is installed but 'ttp uninstall' does not remove it"
		bad=1
	}
done
[ "$n" -gt 0 ] || { echo "check-install: cmake --install installed nothing"; exit 1; }
[ "$bad" = 0 ] && echo "check-install: ttp uninstall removes all $n installed files"
exit "$bad"
