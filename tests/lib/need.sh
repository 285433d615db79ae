# shellcheck shell=bash
# need PROGRAM PACKAGE: a test that needs a program installs its Debian
# package when it is missing (as root), and stops with what to do when it
# cannot; it never skips (tests/lib/harness.sh). Sourced after the harness.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		note "installing $2 for $1"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends "$2" >/dev/null 2>&1 ||
		    { apt-get update -qq >/dev/null 2>&1 &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends "$2" >/dev/null 2>&1; }
	fi
	command -v "$1" >/dev/null 2>&1 ||
	    bail "$1 is missing: install the Debian package $2 (sudo make deps)"
}
