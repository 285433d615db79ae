#!/bin/sh
# Create the unprivileged system user the sandboxed ttp processes run as
# (Debian policy 9.2.1: package-created users get an underscore prefix).
# Idempotent. The user is NOT exempt from redirection: its traffic goes
# through Tor, which is what netcheck relies on.
set -eu
u=_ttp
if getent passwd "$u" >/dev/null; then exit 0; fi
if command -v adduser >/dev/null 2>&1 && adduser --help 2>&1 | grep -q -- --system; then
	adduser --system --group --no-create-home --home /nonexistent \
	    --shell /usr/sbin/nologin --quiet "$u"
else
	groupadd --system "$u" 2>/dev/null || true
	useradd --system --gid "$u" --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$u"
fi
echo "created system user $u"
