#!/bin/sh
# The include arrows between the tree's rooms point one way: each folder
# may include only the folders listed for it (the processes at the top,
# the shared libraries below them, common/ at the bottom). Prints every
# include that points elsewhere; exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."
allowed() {
	case $1 in
	common)   echo "" ;;
	seccomp)  echo "common" ;;
	ipc)      echo "common" ;;
	privd)    echo "ipc common" ;;
	tor)      echo "common" ;;
	torctl)   echo "tor common" ;;
	netcheck) echo "common" ;;
	anchor)   echo "common" ;;
	nftev)    echo "" ;;
	session)  echo "tor ipc common" ;;
	watchdog) echo "session tor ipc nftev common" ;;
	run)      echo "common" ;;
	cli)      echo "run watchdog session tor ipc privd common" ;;
	*)        echo "*" ;;
	esac
}
bad=0
for d in common seccomp ipc privd tor torctl netcheck anchor nftev session watchdog run cli; do
	ok=" $d $(allowed "$d") "
	for f in "$d"/*.[ch]; do
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
			case $ok in *" $inc "*) ;; *)
				echo "layers: $f includes $inc/ (allowed: $(allowed "$d"))"
				bad=1 ;;
			esac
		done
	done
done
[ "$bad" = 0 ] && echo "layers: every include points down"
exit "$bad"
