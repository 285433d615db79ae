# shellcheck shell=bash
# The checks every shell's completion of ttp must pass, against what the
# built ttp's help says (tests/lib/help.sh). A test file
# (tests/unit/test_completion_SHELL.sh) sources the harness, this file,
# defines
#   offered LINE    the words the shell offers at the end of LINE, one a
#                   line (as it would insert them, or their last part)
# and calls completion_checks. Needs $TTP (the ttp binary).
#
# Checked: `ttp ` offers exactly the commands of `ttp --help`; `ttp -`
# every global option; `ttp CMD ` every subcommand of CMD's usage line;
# every option of `ttp CMD --help` at `ttp CMD -` (or, for a command with
# subcommands, at `ttp CMD SUB -` of one of them); and for every option
# the help shows with a value: files for FILE, user names for U,... (also
# after a comma), group names for G,..., interfaces for IF, and each word
# of a choice such as text|json, also as --opt=.

# shellcheck source=tests/lib/help.sh
. "$(dirname "${BASH_SOURCE[0]}")/help.sh"

# The part of a word a shell may leave out: up to a last '/', ',' or '='.
c_norm() { sed -E 's/.*[/,=]//' | grep -v '^$' | sort -u; }

# expect_offers WHAT LINE WORD...: LINE offers each WORD.
expect_offers() {
	local what=$1 line=$2 got w missing=()
	shift 2
	got=$(offered "$line" | c_norm)
	for w; do
		w=$(printf '%s\n' "$w" | c_norm)
		grep -qxF -- "$w" <<<"$got" || missing+=("$w")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		pass "$what"
	else
		fail "$what" "'$line' does not offer: ${missing[*]}; it offers:" \
		    "$(tr '\n' ' ' <<<"$got")"
	fi
}

# expect_exactly WHAT LINE WORD...: LINE offers the WORDs and nothing else.
expect_exactly() {
	local what=$1 line=$2 got want
	shift 2
	got=$(offered "$line" | c_norm)
	want=$(printf '%s\n' "$@" | c_norm)
	if [ "$got" = "$want" ]; then
		pass "$what"
	else
		fail "$what" "'$line' offers: $(tr '\n' ' ' <<<"$got"); the help" \
		    "lists: $(tr '\n' ' ' <<<"$want")"
	fi
}

# The values of OPTION (after LINE) that META says it takes.
check_value() {
	local line=$1 opt=$2 meta=$3 u1 u2 g1 g2 ifs
	case $meta in
	FILE)
		expect_offers "$line$opt FILE: files" \
		    "$line$opt $C_TMP/probe-" probe-file
		;;
	U,...)
		u1=$(getent passwd | sed -n '1s/:.*//p')
		u2=$(getent passwd | sed -n '2s/:.*//p')
		expect_offers "$line$opt U,...: user names" "$line$opt " "$u1" "$u2"
		expect_offers "$line$opt U,...: a user name after a comma" \
		    "$line$opt $u1,${u2:0:1}" "$u2"
		;;
	G,...)
		g1=$(getent group | sed -n '1s/:.*//p')
		g2=$(getent group | sed -n '2s/:.*//p')
		expect_offers "$line$opt G,...: group names" "$line$opt " "$g1" "$g2"
		expect_offers "$line$opt G,...: a group name after a comma" \
		    "$line$opt $g1,${g2:0:1}" "$g2"
		;;
	IF)
		mapfile -t ifs < <(ls /sys/class/net)
		expect_offers "$line$opt IF: network interfaces" "$line$opt " \
		    "${ifs[@]}"
		;;
	*'|'*)
		# shellcheck disable=SC2086
		expect_exactly "$line$opt $meta" "$line$opt " ${meta//|/ }
		# shellcheck disable=SC2086
		expect_exactly "$line$opt=$meta" "$line$opt=" ${meta//|/ }
		;;
	esac
}

completion_checks() {
	local c s opt meta words=() subs=() got want missing

	C_TMP=$(mktemp -d)
	on_exit rm -rf "$C_TMP"
	: > "$C_TMP/probe-file"

	mapfile -t words < <(help_commands)
	[ ${#words[@]} -gt 3 ] || bail "no commands in 'ttp --help'"
	expect_exactly "ttp: the commands of ttp --help" "ttp " "${words[@]}"
	mapfile -t words < <(help_options)
	expect_offers "ttp -: the options of ttp --help" "ttp -" "${words[@]}"
	while read -r opt meta; do
		check_value "ttp " "$opt" "$meta"
	done < <(help_values)

	for c in $(help_commands); do
		mapfile -t subs < <(help_words "$c")
		[ ${#subs[@]} -eq 0 ] ||
		    expect_exactly "ttp $c: its subcommands" "ttp $c " "${subs[@]}"
		# The options of the help, offered after the command or after
		# one of its subcommands.
		got=$( { offered "ttp $c -"
			for s in "${subs[@]}"; do offered "ttp $c $s -"; done
		    } | c_norm)
		want=$(help_options "$c")
		missing=$(comm -13 <(printf '%s\n' "$got") <(printf '%s\n' "$want"))
		if [ -z "$want" ]; then
			pass "ttp $c: its help lists no option"
		elif [ -z "$missing" ]; then
			pass "ttp $c -: the options of ttp $c --help"
		else
			fail "ttp $c -: the options of ttp $c --help" \
			    "not offered: $(tr '\n' ' ' <<<"$missing")"
		fi
		while read -r opt meta; do
			check_value "ttp $c " "$opt" "$meta"
		done < <(help_values "$c")
	done
}
