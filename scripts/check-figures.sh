#!/bin/sh
# SECURITY.md's counts are what scripts/figures.sh computes from the tree
# now: each row of its Figures table that figures.sh recomputes must start
# with the figure's current value. A unit test (after a build: the link
# map and the syscall counter come from it).
set -eu
cd "$(dirname "$0")/.."
out=$(sh scripts/figures.sh)
val() {
	printf '%s\n' "$out" | awk -v k="$1" 'index($0, k) == 1 {
	    s = substr($0, length(k) + 1); sub(/^ */, "", s); sub(/[^0-9].*/, "", s)
	    print s; exit }'
}
bad=0
row() {	# row FIGURE-REGEX VALUE: the table row's value cell starts with VALUE
	cell=$(grep -E "^\| $1 \|" SECURITY.md | head -n 1 | awk -F'|' '{ print $3 }' |
	    sed 's/^ *//')
	case $cell in
	"$2"*) ;;
	*) echo "SECURITY.md: the row '$1' says '${cell%% *}', figures.sh says $2"; bad=1 ;;
	esac
}
row 'privileged ops \(figures.sh\)' "$(val 'privileged ops:')"
row 'privd lines of code[^|]*' "$(val 'privd SLOC (no codec):')"
row 'codec lines of code[^|]*' "$(val 'codec SLOC (ipc/codec.c):')"
row 'resident root code[^|]*' "$(val 'resident root SLOC:')"
row 'syscalls allowed: ttp-privd' "$(val 'syscalls privd:')"
row 'syscalls allowed: ttp-anchor' "$(val 'syscalls anchor:')"
row 'syscalls allowed: ttp-torctl' "$(val 'syscalls torctl:')"
row 'syscalls allowed: ttp-netcheck' "$(val 'syscalls netcheck:')"
row 'syscalls allowed: CLI parsing worker' "$(val 'syscalls cli:')"
row 'syscalls allowed: watchdog guard' "$(val 'syscalls watchdog:')"
if [ "$bad" -ne 0 ]; then
	echo "run scripts/figures.sh and update SECURITY.md's Figures table"
	exit 1
fi
echo "SECURITY.md's figures are the tree's"
