/*
 * ttp: the command-line coordinator. main() only dispatches to one
 * cli/cmd_<name>.c per command; each command parses its own options
 * (the firewall ones through cli/options.c) and returns the exit code.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/defaults.h"
#include "common/log.h"

static const struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*what;
} commands[] = {
	{ "rules",	cmd_rules,	"print the ruleset ttp-privd would load" },
};

static void
usage(FILE *fp)
{
	size_t	 i;

	fputs("usage: ttp COMMAND [options]\n"
	    "Transparent Tor Proxy: send all traffic of this host through "
	    "Tor.\n\ncommands:\n", fp);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name,
		    commands[i].what);
	fputs("\n'ttp COMMAND --help' shows a command's options.\n"
	    "  -h, --help     this help\n"
	    "  --version      print the version\n", fp);
}

int
main(int argc, char **argv)
{
	size_t	 i;

	log_init("ttp", LOG_FORMAT_TEXT, 0);
	if (argc < 2) {
		usage(stderr);
		return TTP_EXIT_ERROR;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return TTP_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ttp %s\n", TTP_VERSION);
		return TTP_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	log_warnx("unknown command '%s'; see 'ttp --help'", argv[1]);
	return TTP_EXIT_ERROR;
}
