#!/bin/sh
# Create the unprivileged system user the sandboxed ttp processes run as
# (Debian policy 9.2.1: package-created users get an underscore prefix).
# Idempotent. The user is NOT exempt from redirection: its traffic goes
# through Tor, which is what netcheck relies on. ttp runs its helpers as
# this user only, so an existing one must be an account of its own: not
# root and not the shared nobody.
set -eu
u=_ttp
if ent=$(getent passwd "$u"); then
	uid=$(echo "$ent" | cut -d: -f3) gid=$(echo "$ent" | cut -d: -f4)
	if [ "$uid" = 0 ] || [ "$gid" = 0 ] || [ "$uid" = 65534 ]; then
		echo "install-user: the user $u exists but is uid $uid, gid $gid; ttp's helpers need an account of their own: give $u its own uid and group, or delete it and run this again" >&2
		exit 1
	fi
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-user: the system user $u does not exist; run 'sudo $0'" >&2
	exit 2
fi
if command -v adduser >/dev/null 2>&1 && adduser --help 2>&1 | grep -q -- --system; then
	adduser --system --group --no-create-home --home /nonexistent \
	    --shell /usr/sbin/nologin --quiet "$u"
else
	groupadd --system "$u" 2>/dev/null || true
	useradd --system --gid "$u" --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$u"
fi
echo "created system user $u"
