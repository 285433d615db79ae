#!/bin/sh
# Static checks of the product code (`make lint`): cppcheck over every
# directory with code, and shellcheck over the test scripts when present
# (and over the bash completion the build printed, when there is one).
# jansson's json_*_foreach macros are unknown to cppcheck: suppressed.
set -eu
cd "$(dirname "$0")/.."
cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
    --std=c11 -I. -D_GNU_SOURCE -DTTP_VERSION='"lint"' -DTTP_LIBEXECDIR='"/x"' \
    -DTTP_SBINDIR='"/x"' -DTTP_SYSCONFDIR_STR='"/x"' -DTTP_DEFAULT_CONFIG='"/x"' \
    -DTTP_MANDIR='"/x"' -DTTP_BASH_COMPLETION_DIR='"/x"' \
    -DTTP_ZSH_COMPLETION_DIR='"/x"' -DTTP_FISH_COMPLETION_DIR='"/x"' \
    -DTTP_PACKAGED_BY='""' \
    -DTTP_APPARMOR_DIR_STR='"/x"' \
    --suppress=missingIncludeSystem --suppress=unknownMacro \
    common ipc privd cli tor torctl netcheck seccomp anchor nftev session watchdog bench
if command -v shellcheck >/dev/null 2>&1; then
	shellcheck -x -S warning tests/run bench/run bench/*.sh scripts/*.sh \
	    tests/lib/*.sh tests/unit/*.sh tests/netns/*.sh tests/cli/*.sh \
	    tests/lab/*.sh tests/pkg/*.sh
	if [ -f build/completions/ttp.bash ]; then
		shellcheck -s bash -S warning build/completions/ttp.bash
	fi
fi
scripts/layers.sh >/dev/null || { scripts/layers.sh; exit 1; }
echo "lint: clean"
