/*
 * runs in: ttp, root.
 *
 * ttp start / ttp restart: option parsing; the sequence itself is in
 * session.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "common/log.h"
#include "session/rotate.h"

enum {
	OPT_BOOTSTRAP_TIMEOUT = FWOPT_END,
	OPT_USE_BRIDGES,
	OPT_BRIDGE_FILE,
	OPT_BRIDGE,
	OPT_EXTERNAL,
	OPT_ROTATE,
};

static const struct option start_longopts[] = {
	FW_OPTS_LONGOPTS,
	{ "interface",		required_argument, NULL, 'i' },
	{ "bootstrap-timeout",	required_argument, NULL, OPT_BOOTSTRAP_TIMEOUT },
	{ "watchdog",		no_argument,	   NULL, 'w' },
	{ "use-bridges",	no_argument,	   NULL, OPT_USE_BRIDGES },
	{ "bridge-file",	required_argument, NULL, OPT_BRIDGE_FILE },
	{ "bridge",		required_argument, NULL, OPT_BRIDGE },
	{ "external-daemon",	no_argument,	   NULL, OPT_EXTERNAL },
	{ "rotate",		required_argument, NULL, OPT_ROTATE },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable start_optable = { start_longopts, "i:wh", NULL };

static void
start_usage(const char *cmd, FILE *fp)
{
	fprintf(fp,
"usage: ttp %s [options]\n"
"%s"
"\n"
"  -i, --interface IF      network interface (recorded; the DNS overlay\n"
"                          covers every interface)\n"
"  --bootstrap-timeout N   seconds to wait for Tor to bootstrap (default 180)\n"
"  -w, --watchdog          start the session integrity watchdog\n"
"  --use-bridges           use Tor bridges (needs --bridge or --bridge-file)\n"
"  --bridge-file FILE      file of bridge lines\n"
"  --bridge LINE           one bridge line (repeatable)\n"
"  --rotate DURATION       new circuits for new connections every DURATION\n"
"                          (90s, 10m, 1h or seconds; 10s to 24h); open\n"
"                          connections keep theirs\n"
"  --external-daemon       route into a tor you run yourself (BYOD): give\n"
"                          --tor-uid, and --transport-port/--dns-port if\n"
"                          they are not 9041/9054\n"
FW_OPTS_HELP
"  --config FILE           configuration file (default %s)\n"
"  -h, --help              this help\n",
	    cmd, strcmp(cmd, "restart") == 0 ?
	    "Stop the session and start it again with these options; the host\n"
	    "stays locked down in between (never an open gap).\n" :
	    "Send all traffic of this host through Tor, fail-closed: apply the\n"
	    "firewall, overlay resolv.conf, start tor, wait for it to bootstrap\n"
	    "and verify the exit address.\n",
	    TTP_DEFAULT_CONFIG);
}

void
start_req_init(struct start_req *r)
{
	memset(r, 0, sizeof(*r));
	fw_opts_init(&r->fw);
	r->bootstrap_timeout = 180;
}

static void
append_arg(char *dst, size_t sz, const char *arg)
{
	size_t	 n = strlen(dst);

	snprintf(dst + n, sz - n, "%s%s", n ? "," : "", arg);
}

int
start_req_parse(struct start_req *r, int argc, char **argv, const char *cmd,
    bool *help)
{
	char			 err[256];
	unsigned		 secs;
	int			 ch, rc;

	*help = false;
	optind = 0;	/* reset getopt: argv[0] is the command */
	opterr = 0;	/* our own one-line messages */
	while ((ch = getopt_long(argc, argv, start_optable.shortopts,
	    start_optable.opts, NULL)) != -1) {
		if ((rc = fw_opts_parse(&r->fw, ch, optarg)) == 1) {
			if (ch == FWOPT_BYPASS_USER)
				append_arg(r->users_arg, sizeof(r->users_arg),
				    optarg);
			if (ch == FWOPT_BYPASS_GROUP)
				append_arg(r->groups_arg,
				    sizeof(r->groups_arg), optarg);
			continue;
		} else if (rc == -1)
			return TTP_EXIT_ERROR;
		switch (ch) {
		case 'i':
			r->interface = optarg;
			break;
		case 'w':
			r->watchdog = true;
			break;
		case OPT_BOOTSTRAP_TIMEOUT:
			if (parse_bootstrap_timeout(optarg,
			    &r->bootstrap_timeout) == -1)
				return TTP_EXIT_ERROR;
			break;
		case OPT_USE_BRIDGES:
			r->use_bridges = true;
			break;
		case OPT_BRIDGE_FILE:
			r->bridge_file = optarg;
			break;
		case OPT_BRIDGE:
			if (r->nbridge_args >= TTP_MAX_BRIDGES) {
				log_warnx("--bridge: more than %d; use "
				    "--bridge-file", TTP_MAX_BRIDGES);
				return TTP_EXIT_ERROR;
			}
			r->bridge_args[r->nbridge_args++] = optarg;
			break;
		case OPT_EXTERNAL:
			r->external_daemon = true;
			break;
		case OPT_ROTATE:
			if (rotate_parse(optarg, &secs, err, sizeof(err)) ==
			    -1) {
				log_warnx("%s", err);
				return TTP_EXIT_ERROR;
			}
			r->rotate_secs = secs;
			break;
		case 'h':
			start_usage(cmd, stdout);
			*help = true;
			return TTP_EXIT_OK;
		default:
			return bad_option(cmd, argv);
		}
	}
	if (optind < argc) {
		log_warnx("unexpected argument '%s'; see 'ttp %s --help'",
		    argv[optind], cmd);
		return TTP_EXIT_ERROR;
	}
	if (r->external_daemon && r->fw.tor_uid == 0) {
		log_warnx("--external-daemon needs --tor-uid N: the uid your "
		    "tor runs as (its traffic is exempt)");
		return TTP_EXIT_ERROR;
	}
	if (r->external_daemon && r->rotate_secs != 0) {
		log_warnx("--rotate cannot be used with --external-daemon: "
		    "ttp does not own that tor's control port; set "
		    "MaxCircuitDirtiness in your tor or send it NEWNYM "
		    "yourself");
		return TTP_EXIT_ERROR;
	}
	if (r->external_daemon && (r->use_bridges || r->bridge_file ||
	    r->nbridge_args)) {
		log_warnx("bridges are configured in your own tor with "
		    "--external-daemon; drop the bridge options");
		return TTP_EXIT_ERROR;
	}
	return TTP_EXIT_OK;
}

int
start_prepare(struct start_req *r, int argc, char **argv, const char *cmd,
    bool *help)
{
	int	 rc;

	start_req_init(r);
	if ((rc = start_req_parse(r, argc, argv, cmd, help)) != TTP_EXIT_OK ||
	    *help)
		return rc;
	if (cli_need_root(cmd) == -1)
		return TTP_EXIT_NOROOT;
	if (cli_need_helper_user() == -1)
		return TTP_EXIT_ERROR;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	/* privd starts (exec, libnftables) while this command validates:
	 * that changes nothing on the host and halves the time to
	 * protection. */
	if (privd_fd() == -1 || cli_command_lock(cmd) == -1)
		return TTP_EXIT_ERROR;
	/* From here Ctrl-C undoes what this command did, step by step. */
	cli_on_signals();
	runlog_open();
	fw_opts_config(&r->fw, &cli.cfg);
	return TTP_EXIT_OK;
}

int
cmd_start(int argc, char **argv)
{
	struct start_req	 r;
	bool			 help;
	int			 rc;

	if ((rc = start_prepare(&r, argc, argv, "start", &help)) !=
	    TTP_EXIT_OK || help)
		return rc;
	rc = session_start(&r, false);
	privd_close();
	return rc;
}

int
cmd_restart(int argc, char **argv)
{
	struct start_req	 r;
	bool			 help;
	int			 rc;

	if ((rc = start_prepare(&r, argc, argv, "restart", &help)) !=
	    TTP_EXIT_OK || help)
		return rc;
	return restart_run(&r);
}

int
restart_run(struct start_req *r)
{
	struct session	 s;
	char		 err[512];
	int		 rc;

	rc = session_read(&s, err, sizeof(err));
	if (rc == -1) {
		privd_close();
		log_warnx("%s", err);
		return TTP_EXIT_ERROR;
	}
	if (rc == 0) {
		r->old_anchor = s.anchor_pid;
		ui_info("stopping the session; the host stays locked down");
		if (session_teardown(&s, TEARDOWN_KEEP_LOCKDOWN) !=
		    TTP_EXIT_OK) {
			privd_close();
			log_warnx("could not stop the old session; the host is "
			    "locked down. Run 'sudo ttp stop' to clean up");
			return TTP_EXIT_ERROR;
		}
	} else
		ui_info("no session was running: starting one");
	rc = session_start(r, rc == 0);
	privd_close();
	return rc;
}
