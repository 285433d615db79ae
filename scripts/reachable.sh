#!/bin/sh
# ttp's helpers run as _ttp, and the tests run programs as other users:
# they must be able to reach the build tree. A checkout in a `mktemp -d`
# directory is mode 0700: give the checkout itself the search bit (o+x,
# nothing readable or writable is added) and say so; a parent directory
# others cannot search is not ours to change: stop and say which.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(stat -c %A "$top" | cut -c10)" != x ] &&
    [ "$(stat -c %A "$top" | cut -c10)" != t ]; then
	chmod o+x "$top"
	echo "reachable: $top is now searchable by other users (chmod o+x): ttp's helpers run as _ttp"
fi
d=$(dirname "$top")
while [ "$d" != / ]; do
	case $(stat -c %A "$d" | cut -c10) in
	x|t) ;;
	*)	echo "reachable: $d is not searchable by other users, so _ttp cannot run the helpers built below it; clone ttp elsewhere (or chmod o+x $d)" >&2
		exit 1 ;;
	esac
	d=$(dirname "$d")
done
