#!/bin/sh
# Remove what `make install` put in place (the `ttp uninstall` command does
# the same for an installed ttp). Refuses while a session is active.
set -eu
prefix=${1:-/usr/local}
if [ -e /run/ttp/ttp.lock ]; then
	echo "uninstall: a ttp session is active; run 'sudo ttp stop' first" >&2
	exit 1
fi
rm -f "$prefix/sbin/ttp"
rm -rf "$prefix/libexec/ttp"
rm -f "$prefix/share/man/man8/ttp.8"
echo "removed ttp from $prefix (kept /etc/ttp and the _ttp user)"
