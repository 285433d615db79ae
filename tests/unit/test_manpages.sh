#!/bin/bash
# The manual pages (man/*.scd) name everything ttp has, as the built
# binaries say it at test time (tests/lib/help.sh):
#   ttp(8)       a "## CMD" part for every command of `ttp --help`; every
#                option of `ttp --help` in GLOBAL OPTIONS; every option of
#                `ttp CMD --help`, every subcommand of its usage line and
#                of its table, and every option of its tables in `ttp
#                completion table` (internal ones too) in its part, in GLOBAL OPTIONS or in a
#                section its part names (START OPTIONS, FIREWALL OPTIONS);
#   ttp.conf(5)  every key of the parser's table (`ttp completion table`)
#                as "*key* = default" under its "## [section]", the default
#                being the built-in one; ttp.conf.example says the same;
#   ttp-torctl(8), ttp-netcheck(8), ttp-privd(8), ttp-anchor(8): every
#                option and command their usage names.
# An option is documented as *--opt* (scdoc's bold). Also: each page was
# rendered by scdoc into the build tree. Needs TTP_BIN and TTP_BUILD
# (ctest sets them).
set -u
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/harness.sh
. "$LIB/harness.sh"
# shellcheck source=tests/lib/help.sh
. "$LIB/help.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$SRC/man
TTP=${TTP_BIN:?}/ttp
PAGE=$MAN/ttp.8.scd
CONF=$MAN/ttp.conf.5.scd

# scd_section PAGE TITLE: the text of "# TITLE" up to the next section.
scd_section() {
	awk -v t="# $2" '$0 == t { on = 1; next } on && /^# / { exit } on' "$1"
}
# scd_part PAGE NAME: the text of "## NAME ..." up to the next heading.
scd_part() {
	awk -v h="## $2" 'index($0, h) == 1 && (length($0) == length(h) ||
	    substr($0, length(h) + 1, 1) == " ") { on = 1; next }
	    on && /^#/ { exit } on' "$1"
}
# The text that documents the options of command CMD: its part, the
# GLOBAL OPTIONS, and every other section its part names.
doc_of() {
	local part t
	part=$(scd_part "$PAGE" "$1")
	printf '%s\n' "$part"
	scd_section "$PAGE" "GLOBAL OPTIONS"
	sed -n 's/^# //p' "$PAGE" | while read -r t; do
		[ "$t" != "GLOBAL OPTIONS" ] &&
		    tr -s '\n\t' '  ' <<<"$part" | grep -qF "$t" &&
		    scd_section "$PAGE" "$t"
	done
}
# missing_in TEXT WORD...: the WORDs not in TEXT as *WORD*.
missing_in() {
	local text=$1 w
	shift
	for w; do
		grep -qF -- "*$w*" <<<"$text" || printf '%s ' "$w"
	done
}
# expect_documented WHAT TEXT WORD...
expect_documented() {
	local what=$1 text=$2 m
	shift 2
	m=$(missing_in "$text" "$@")
	if [ -z "$m" ]; then pass "$what"; else fail "$what" "not documented: $m"; fi
}

for p in ttp.8 ttp.conf.5 ttp-privd.8 ttp-torctl.8 ttp-netcheck.8 ttp-anchor.8; do
	check "$p: rendered by scdoc" test -s "${TTP_BUILD:?}/man/$p"
done

note "ttp(8)"
mapfile -t cmds < <(help_commands)
[ ${#cmds[@]} -gt 3 ] || bail "no commands in 'ttp --help'"
m=""
for c in "${cmds[@]}"; do
	[ -n "$(scd_part "$PAGE" "$c")" ] || m="$m $c"
done
[ -z "$m" ] && pass "a part for each of the ${#cmds[@]} commands of ttp --help" ||
    fail "a part for each command of ttp --help" "no '## CMD' part for:$m"
mapfile -t opts < <(help_options)
expect_documented "GLOBAL OPTIONS: the options of ttp --help" \
    "$(scd_section "$PAGE" "GLOBAL OPTIONS")" "${opts[@]}"
mapfile -t opts < <(table option | awk -F '\t' '$2 == "-" { print $3; if ($4 != "-") print $4 }')
expect_documented "GLOBAL OPTIONS: the global option table" \
    "$(scd_section "$PAGE" "GLOBAL OPTIONS")" "${opts[@]}"

for c in "${cmds[@]}"; do
	doc=$(doc_of "$c")
	mapfile -t opts < <(help_options "$c")
	expect_documented "$c: the options of ttp $c --help" "$doc" "${opts[@]}"
	mapfile -t opts < <( { help_words "$c"; table subcommand |
	    awk -F '\t' -v c="$c" '$2 == c { print $3 }'; } | sort -u)
	[ ${#opts[@]} -eq 0 ] ||
	    expect_documented "$c: its subcommands" "$doc" "${opts[@]}"
	# Its tables, and its subcommands' (ctx "CMD" and "CMD SUB").
	mapfile -t opts < <(table option | awk -F '\t' -v c="$c" \
	    '$2 == c || index($2, c " ") == 1 { print $3; if ($4 != "-") print $4 }')
	expect_documented "$c: its option tables (internal options too)" \
	    "$doc" "${opts[@]}"
done

note "ttp.conf(5)"
mapfile -t keys < <(table key)
[ ${#keys[@]} -gt 5 ] || bail "no keys in 'ttp completion table'"
for k in "${keys[@]}"; do
	IFS=$'\t' read -r _ sec name def <<<"$k"
	# The section's part, scdoc's \_ read as _.
	part=$(scd_part "$CONF" "[$sec]" | sed 's/\\_/_/g')
	line="*$name* =${def:+ $def}"
	if grep -qxF -- "$line" <<<"$part"; then
		pass "ttp.conf(5) [$sec] $name = $def"
	else
		fail "ttp.conf(5) [$sec] $name = $def" "no line '$line' under '## [$sec]'"
	fi
	ex=$(awk -v s="[$sec]" '/^\[/ { on = ($0 == s); next } on' "$SRC/ttp.conf.example")
	line="$name =${def:+ $def}"
	grep -qxF -- "$line" <<<"$ex" && pass "ttp.conf.example [$sec] $line" ||
	    fail "ttp.conf.example [$sec] $name" "no line '$line' under [$sec]"
done

note "the helpers' pages"
# Each prints its usage for --help, or on a bad command line.
for h in ttp-torctl ttp-netcheck ttp-privd ttp-anchor; do
	usage=$("$TTP_BIN/$h" --help 2>&1 </dev/null)
	case $h in ttp-privd) usage=$("$TTP_BIN/$h" 2>&1 </dev/null) ;; esac
	grep -q "usage: $h" <<<"$usage" || fail "$h: prints its usage" "$usage"
	mapfile -t opts < <(opts_of <<<"$usage")
	expect_documented "$h(8): the options of its usage" \
	    "$(cat "$MAN/$h.8.scd")" "${opts[@]}"
	# Its commands: the usage's lines "  word ...".
	mapfile -t opts < <(grep -oE '^  [a-z]+' <<<"$usage" | tr -d ' ')
	[ ${#opts[@]} -eq 0 ] ||
	    expect_documented "$h(8): the commands of its usage" \
	    "$(cat "$MAN/$h.8.scd")" "${opts[@]}"
done
done_testing
