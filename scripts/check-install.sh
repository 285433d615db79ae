#!/bin/sh
# Every file CMake installs is one `ttp uninstall` removes: the targets of
# each install(TARGETS ...) and the files of install(FILES ...) must be
# named in cli/cmd_uninstall.c. Prints what is missing; exits 1 if any.
set -eu
cd "$(dirname "$0")/.."
bad=0
for name in $(cat CMakeLists.txt */CMakeLists.txt |
    sed -n 's/^install(\(TARGETS\|FILES\) \([^ ]*\) .*/\2/p'); do
	grep -q "\"/$name\"" cli/cmd_uninstall.c || {
		echo "check-install: $name is installed but 'ttp uninstall' does not remove it"
		bad=1
	}
done
[ "$bad" = 0 ] && echo "check-install: ttp uninstall removes every installed file"
exit "$bad"
