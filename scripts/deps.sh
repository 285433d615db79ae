#!/bin/sh
# Install the Debian packages ttp needs to build and test, only those
# missing; a second run installs nothing and needs no network.
set -eu

# scdoc renders the manual pages (man/*.scd).
BUILD="cmake gcc make pkg-config libnftables-dev libnetfilter-conntrack-dev
libmnl-dev libcurl4-openssl-dev libseccomp-dev libcap-ng-dev libmsgpack-dev
libinih-dev libjansson-dev check libsubunit-dev scdoc"
# Tests: tor for the private network, nft/tcpdump for the far side of the
# namespaces, clang's libFuzzer runtime, socat and python3 for stand-ins,
# zsh and fish for the tests of their completions; apparmor for
# apparmor_parser (the profiles are compiled, never loaded).
TEST="tor nftables iproute2 tcpdump clang libclang-rt-14-dev socat python3
util-linux procps psmisc curl dnsutils zsh fish apparmor"
# The Debian package (make deb, debian/control's Build-Depends beyond BUILD)
# and its test as installed (tests/pkg/): a clean Debian 12 root by
# mmdebstrap, lintian and hardening-check (devscripts) on the result.
PKG="build-essential debhelper dh-apparmor dpkg-dev devscripts lintian mmdebstrap"

missing=""
for p in $BUILD $TEST $PKG; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all packages present"; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing; run 'sudo make deps'" >&2
	exit 2
fi
echo "deps: installing:$missing"
# Installing tor must never start a system tor that would reach the public
# Tor network: forbid service starts for the duration (policy-rc.d, 101).
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	guard=1
fi
trap '[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "deps: apt-get update failed; trying the cached lists" >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
