#!/bin/sh
# `make uninstall`: the installed `ttp uninstall` does it, so there is one
# list of what `make install` put in place (cli/cmd_uninstall.c). It
# refuses while a session exists and keeps /etc/ttp/ttp.conf and _ttp.
set -eu
prefix=${1:-/usr/local}
if [ -x "$prefix/sbin/ttp" ]; then
	exec "$prefix/sbin/ttp" uninstall
fi
echo "uninstall: no ttp in $prefix/sbin: nothing to remove"
