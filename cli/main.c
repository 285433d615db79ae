/*
 * runs in: ttp, root or any user.
 *
 * ttp: the command-line coordinator. main() takes the global options
 * (--config, --log-format, -v: valid anywhere on the line) and dispatches
 * to one cli/cmd_<name>.c per command; each command parses its own options
 * and returns the exit code (0 ok, 1 error, 2 needs root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common/defaults.h"
#include "common/log.h"

/*
 * The global options, as main() below parses them (anywhere on the line;
 * --help and --version only as the first word). A table so that `ttp
 * completion` offers exactly these.
 */
static const struct option global_longopts[] = {
	{ "config",	required_argument, NULL, 'c' },
	{ "log-format",	required_argument, NULL, 'l' },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};
const struct optable global_optable = { global_longopts, "vh", NULL };

const struct command cli_commands[] = {
	{ "start",	cmd_start,	"send all traffic through Tor (root)",
	    &start_optable, NULL },
	{ "stop",	cmd_stop,	"zero-leak teardown (root)",
	    &stop_optable, NULL },
	{ "restart",	cmd_restart,	"stop and start, locked down in "
					"between (root)",
	    &start_optable, NULL },
	{ "refresh",	cmd_refresh,	"new Tor circuits, new exit (root)",
	    &refresh_optable, NULL },
	{ "status",	cmd_status,	"show the session",
	    &status_optable, NULL },
	{ "check",	cmd_check,	"live check: exit address, IsTor, "
					"latency",
	    &check_optable, NULL },
	{ "check-leak",	cmd_check_leak,	"DNS, IPv4 and IPv6 leak checks",
	    &check_leak_optable, NULL },
	{ "logs",	cmd_logs,	"show the session log (root)",
	    &logs_optable, NULL },
	{ "diagnose",	cmd_diagnose,	"collect a diagnostic report (root)",
	    &help_optable, NULL },
	{ "run",	cmd_run,	"run one command whose only way out "
					"is Tor",
	    &runcmd_optable, NULL },
	{ "rules",	cmd_rules,	"print the ruleset ttp-privd would "
					"load",
	    &rules_optable, NULL },
	{ "watchdog",	cmd_watchdog,	"start|stop|status|run the session "
					"watchdog",
	    &help_optable, watchdog_subs },
	{ "enable",	cmd_enable,	"fail-closed from boot: lock down "
	    "early, then start (root)",
	    &start_optable, NULL },
	{ "disable",	cmd_disable,	"no session at boot any more (root)",
	    &help_optable, NULL },
	{ "boot",	cmd_boot,	"lockdown|start: what the init system "
	    "runs at boot (root)",
	    &boot_optable, boot_subs },
	{ "uninstall",	cmd_uninstall,	"remove ttp from this system (root)",
	    &help_optable, NULL },
	{ "completion",	cmd_completion,	"print a shell completion script "
					"(bash|zsh|fish)",
	    &help_optable, completion_subs },
	{ NULL, NULL, NULL, NULL, NULL }
};

static void
usage(FILE *fp)
{
	const struct command	*c;

	fputs("usage: ttp [--config FILE] [--log-format text|json] [-v] "
	    "COMMAND [options]\n"
	    "Transparent Tor Proxy: send all traffic of this host through "
	    "Tor, fail-closed.\n\ncommands:\n", fp);
	for (c = cli_commands; c->name != NULL; c++)
		fprintf(fp, "  %-11s %s\n", c->name, c->what);
	fprintf(fp, "\n'ttp COMMAND --help' shows a command's options.\n"
	    "  --config FILE        configuration (default $TTP_CONFIG, "
	    "else %s)\n"
	    "  --log-format FORMAT  text (default) or json, for messages on "
	    "stderr\n"
	    "  -v, --verbose        debug messages\n"
	    "  -h, --help           this help\n"
	    "  --version            print the version\n"
	    "exit codes: 0 success, 1 error, 2 needs root\n",
	    TTP_DEFAULT_CONFIG);
}

/* Remove argv[i] (and its value) in place. */
static void
take(int *argc, char **argv, int i, int n)
{
	memmove(&argv[i], &argv[i + n], sizeof(*argv) *
	    (size_t)(*argc - i - n + 1));
	*argc -= n;
}

int
main(int argc, char **argv)
{
	enum log_format	 fmt = LOG_FORMAT_TEXT;
	int		 i, verbose = 0;
	const char	*v;
	const struct command *c;

	log_init("ttp", fmt, 0);
	for (i = 1; i < argc;) {
		if (strcmp(argv[i], "--") == 0)
			break;
		/* ttp run: from CMD on, every word is CMD's (its -v too). */
		if (i > 1 && strcmp(argv[1], "run") == 0) {
			if (strcmp(argv[i], "--user") == 0 ||
			    strcmp(argv[i], "--bootstrap-timeout") == 0) {
				i += 2;
				continue;
			}
			if (argv[i][0] != '-')
				break;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			cli.config_path = argv[i + 1];
			take(&argc, argv, i, 2);
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			cli.config_path = argv[i] + 9;
			take(&argc, argv, i, 1);
		} else if ((strcmp(argv[i], "--log-format") == 0 &&
		    i + 1 < argc) || strncmp(argv[i], "--log-format=", 13) ==
		    0) {
			v = argv[i][12] == '=' ? argv[i] + 13 : argv[i + 1];
			if (strcmp(v, "json") == 0)
				fmt = LOG_FORMAT_JSON;
			else if (strcmp(v, "text") != 0) {
				log_warnx("--log-format: '%s' is neither text "
				    "nor json", v);
				return TTP_EXIT_ERROR;
			}
			take(&argc, argv, i, argv[i][12] == '=' ? 1 : 2);
		} else if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0) {
			/* -v after check-leak is that command's own. */
			if (i > 1 && strcmp(argv[1], "check-leak") == 0) {
				i++;
				continue;
			}
			verbose = 1;
			take(&argc, argv, i, 1);
		} else
			i++;
	}
	log_init("ttp", fmt, verbose);
	if (argc < 2) {
		usage(stderr);
		return TTP_EXIT_ERROR;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return TTP_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ttp %s\n", TTP_VERSION);
		return TTP_EXIT_OK;
	}
	for (c = cli_commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	log_warnx("unknown command '%s'; see 'ttp --help'", argv[1]);
	return TTP_EXIT_ERROR;
}
