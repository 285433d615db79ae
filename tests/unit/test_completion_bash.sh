#!/bin/bash
# The bash completion (`ttp completion bash`, installed as
# bash-completion/completions/ttp) offers what `ttp --help` and every
# `ttp CMD --help` list (tests/lib/complete.sh): the file is sourced and
# its function called as bash calls it, COMP_WORDS and COMP_CWORD set as
# readline splits the line (at blanks, and '=' a word of its own).
# Needs TTP_BIN and TTP_BUILD (ctest sets them).
set -u
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/harness.sh
. "$LIB/harness.sh"
# shellcheck source=tests/lib/complete.sh
. "$LIB/complete.sh"
TTP=${TTP_BIN:?}/ttp
FILE=${TTP_BUILD:?}/completions/ttp.bash
[ -s "$FILE" ] || bail "$FILE is missing: build first (cmake --build build)"

offered() {
	bash --norc --noprofile -c '
		. "$1" || exit 2
		line=$2
		words=()
		for w in $line; do
			while [[ $w == *=* ]]; do
				[[ -n ${w%%=*} ]] && words+=("${w%%=*}")
				words+=("=")
				w=${w#*=}
			done
			[[ -n $w ]] && words+=("$w")
		done
		[[ $line == *" " ]] && words+=("")
		COMP_WORDS=("${words[@]}") COMP_CWORD=$((${#words[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		COMPREPLY=()
		_ttp ttp "${words[COMP_CWORD]}" "${words[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$FILE" "$1"
}

check "the script defines _ttp and registers it for ttp" \
    bash --norc -c '. "$1" && declare -F _ttp >/dev/null && complete -p ttp | grep -q -- "-F _ttp"' bash "$FILE"
check "the script is what the built ttp prints" \
    cmp -s "$FILE" <("$TTP" completion bash)
completion_checks
done_testing
