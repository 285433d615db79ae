/*
 * runs in: ttp, root.
 *
 * ttp stop: zero-leak teardown of the session in the lock (session.c), or
 * with --restore-only, removal of whatever ttp left behind without one.
 */
#include <getopt.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "common/log.h"

static const struct option stop_longopts[] = {
	{ "restore-only", no_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable stop_optable = { stop_longopts, "h", NULL };

static void
stop_usage(FILE *fp)
{
	fputs("usage: ttp stop [--restore-only]\n"
	    "Zero-leak teardown: lock down, shut tor down, destroy the "
	    "connections\nthat went into Tor, flush conntrack, remove the "
	    "firewall, restore\nresolv.conf, delete the session lock.\n\n"
	    "  --restore-only   clean up even without a (readable) session "
	    "lock:\n                   remove ttp's table, overlay and lock\n"
	    "  --config FILE    configuration file\n"
	    "  -h, --help       this help\n", fp);
}

int
cmd_stop(int argc, char **argv)
{
	struct session	 s;
	char		 err[512];
	bool		 restore_only = false;
	int		 ch, rc;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, stop_optable.shortopts,
	    stop_optable.opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			restore_only = true;
			break;
		case 'h':
			stop_usage(stdout);
			return TTP_EXIT_OK;
		default:
			return bad_option("stop", argv);
		}
	}
	if (optind < argc) {
		log_warnx("unexpected argument '%s'; see 'ttp stop --help'",
		    argv[optind]);
		return TTP_EXIT_ERROR;
	}
	if (cli_need_root("stop") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_config() == -1 || cli_command_lock("stop") == -1)
		return TTP_EXIT_ERROR;

	runlog_open();
	rc = session_read(&s, err, sizeof(err));
	if (rc == -1 && !restore_only) {
		log_warnx("%s", err);
		return TTP_EXIT_ERROR;
	}
	if (rc == 1 && !restore_only) {
		ui_info("no ttp session is running (nothing to stop); "
		    "'sudo ttp stop --restore-only' removes leftovers");
		return TTP_EXIT_OK;
	}
	rc = session_teardown(rc == 0 ? &s : NULL, restore_only ?
	    TEARDOWN_RESTORE_ONLY : TEARDOWN_FULL);
	privd_close();
	if (rc == TTP_EXIT_OK)
		ui_good("ttp stopped: traffic no longer goes through Tor and "
		    "the host is as before 'ttp start'");
	return rc;
}
