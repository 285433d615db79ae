# shellcheck shell=bash
# What the built ttp says about itself, for the tests of the manual pages
# and the shell completions (tests/unit/test_manpages.sh,
# tests/unit/test_completion_*.sh): read at test time from `ttp --help`,
# `ttp CMD --help` and `ttp completion table`, never from a list kept
# here. $TTP is the ttp binary.
#
#   help_text [CMD]       `ttp [CMD] --help`
#   help_commands         the commands `ttp --help` lists
#   help_options [CMD]    every option the help names, long and short
#   help_words CMD        the subcommands in CMD's usage line (watchdog:
#                         start stop status run)
#   help_values [CMD]     "OPTION META" for each option the help shows with
#                         a value: META is FILE, U,..., G,..., IF, N, ...
#                         or a|b for a choice of words
#   table [KIND]          `ttp completion table` lines of KIND (command,
#                         subcommand, option, key), tab-separated
#   opts_of               the options named in the text on stdin

help_text() { "$TTP" "$@" --help; }

# An option: after the start of a line, a blank or one of [ ] | ( , /.
opts_of() {
	grep -oE -- '(^|[][ |(,/])--?[a-zA-Z][a-zA-Z0-9-]*' |
	    sed -E 's/^[][ |(,/]//' | sort -u
}

help_options() { help_text "$@" | opts_of; }

help_commands() {
	help_text | awk '/^commands:/ { on = 1; next }
	    on && /^$/ { exit } on && /^  [a-z]/ { print $1 }'
}

help_words() {
	help_text "$1" | sed -n "1s/^usage: ttp $1 *//p" |
	    sed -E 's/\[[^]]*\]//g' | tr '| ' '\n\n' | grep -E '^[a-z][a-z-]*$'
}

help_values() {
	local meta='([A-Z]+|[A-Z],\.\.\.|[a-z]+(\|[a-z]+)+)'
	help_text "$@" | grep -oE -- "(-[a-zA-Z], )?--[a-z][a-z0-9-]*[ =]$meta" |
	    sed -E 's/^(-[a-zA-Z]), (--[^ =]*)[ =](.*)/\1 \3\n\2 \3/; s/=/ /' |
	    sort -u
}

table() {
	"$TTP" completion table | if [ $# -gt 0 ]; then
		awk -F '\t' -v k="$1" '$1 == k'
	else
		cat
	fi
}
