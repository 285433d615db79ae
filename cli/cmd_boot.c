/*
 * runs in: ttp, root (enable, disable, boot) or any user (boot_enabled,
 * for status).
 *
 * Fail-closed from boot (docs/boot.md). `ttp enable [start options]`
 * checks the options as `ttp start` would, records them in
 * state_dir/boot.args (one per line) and enables the init system's units;
 * `ttp disable` undoes both. At boot the init system runs `ttp boot
 * lockdown` before any network interface is up, and `ttp boot start` once
 * the network is there: the session of the recorded options, which leaves
 * the host locked down, never open, when it cannot start.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "common/atomic.h"
#include "common/exec.h"
#include "common/log.h"
#include "ipc/routes.h"
#include "tor/pkg.h"

/* The init system's units (init/): the early lockdown, the session. */
static const char *const boot_units[] = { "ttp-lockdown", "ttp" };

struct boot_args {
	char	 buf[TTP_BOOT_MAX_ARGS][TTP_BOOT_ARG_MAX];
	char	*argv[TTP_BOOT_MAX_ARGS + 2];
	int	 argc;
};

static int
boot_args_path(char *buf, size_t bufsz)
{
	if (config_state_path(&cli.cfg, TTP_BOOT_ARGS_NAME, buf, bufsz) ==
	    -1) {
		log_warnx("state_dir is too long");
		return -1;
	}
	return 0;
}

/*
 * The recorded options as an argv for start_prepare() (argv[0] "boot").
 * 1 when ttp is not enabled, 0, or -1 after saying why. Like the
 * configuration, the file decides what root does: it must be root's.
 */
static int
boot_args_read(struct boot_args *b)
{
	char	 path[PATH_MAX], err[512], *nl;
	FILE	*fp;
	int	 fd;

	memset(b, 0, sizeof(*b));
	if (boot_args_path(path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("%s", path);
		return -1;
	}
	if (config_file_trusted(fd, path, err, sizeof(err)) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		log_warnx("%s", err);
		close(fd);
		return -1;
	}
	b->argv[b->argc++] = (char *)"boot";
	while (fgets(b->buf[b->argc - 1], TTP_BOOT_ARG_MAX, fp) != NULL) {
		if ((nl = strchr(b->buf[b->argc - 1], '\n')) == NULL) {
			log_warnx("%s: a line is too long; run 'sudo ttp "
			    "enable' again", path);
			fclose(fp);
			return -1;
		}
		*nl = '\0';
		b->argv[b->argc] = b->buf[b->argc - 1];
		if (++b->argc > TTP_BOOT_MAX_ARGS) {
			log_warnx("%s: more than %d options; run 'sudo ttp "
			    "enable' again", path, TTP_BOOT_MAX_ARGS);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* Written whole or not at all (atomic_write). */
static int
boot_args_write(int argc, char **argv)
{
	char	 path[PATH_MAX], err[512], *buf;
	size_t	 len = 0, n;
	int	 i, rc;

	if (boot_args_path(path, sizeof(path)) == -1)
		return -1;
	if (mkdir(cli.cfg.state_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", cli.cfg.state_dir);
		return -1;
	}
	if ((buf = malloc((size_t)argc * TTP_BOOT_ARG_MAX)) == NULL)
		fatal("malloc");
	for (i = 1; i < argc; i++) {
		n = strlen(argv[i]);
		memcpy(buf + len, argv[i], n);
		len += n;
		buf[len++] = '\n';
	}
	if ((rc = atomic_write(path, buf, len, 0600, err, sizeof(err))) == -1)
		log_warnx("%s", err);
	free(buf);
	return rc;
}

bool
boot_enabled(void)
{
	char	 path[PATH_MAX];

	return boot_args_path(path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0;
}

/*
 * Enable or disable the units with the init system that runs: systemd,
 * else sysvinit's update-rc.d when the scripts are installed. 0, 1 when
 * there is none of them (the caller says what that means), -1 on error.
 */
static int
init_units(bool enable)
{
	char		 prog[PATH_MAX], script[PATH_MAX], unit[64], out[1024];
	char		 err[512];
	const char	*argv[6];
	struct exec_req	 r;
	size_t		 i;
	int		 status, sysv;

	sysv = access("/run/systemd/system", F_OK) == -1;
	if (!sysv && pkg_find_program("systemctl", prog, sizeof(prog)) == -1)
		return 1;
	if (sysv && pkg_find_program("update-rc.d", prog, sizeof(prog)) == -1)
		return 1;
	for (i = 0; i < sizeof(boot_units) / sizeof(boot_units[0]); i++) {
		snprintf(script, sizeof(script), "%s/%s", TTP_INITDDIR,
		    boot_units[i]);
		if (sysv && access(script, X_OK) == -1)
			return 1;
		snprintf(unit, sizeof(unit), "%s%s", boot_units[i],
		    sysv ? "" : ".service");
		argv[0] = prog;
		if (sysv) {
			/* remove, not disable: disable leaves K links, and
			 * `defaults` on existing links changes nothing, so a
			 * later enable would keep the scripts off. */
			argv[1] = unit;
			argv[2] = enable ? "defaults" : "remove";
			argv[3] = NULL;
		} else {
			argv[1] = "--quiet";
			argv[2] = enable ? "enable" : "disable";
			argv[3] = unit;
			argv[4] = NULL;
		}
		memset(&r, 0, sizeof(r));
		r.path = prog;
		r.argv = argv;
		r.out = out;
		r.outsz = sizeof(out);
		r.timeout_ms = 30000;
		if (exec_run(&r, &status, err, sizeof(err)) == -1 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			log_warnx("%s %s %s failed: %s", prog, argv[1],
			    argv[2], status ? out : err);
			return -1;
		}
	}
	ui_info("%s the %s", enable ? "enabled" : "disabled", sysv ?
	    "sysvinit scripts ttp-lockdown and ttp (update-rc.d)" :
	    "systemd units ttp-lockdown.service and ttp.service");
	return 0;
}

static void
enable_usage(FILE *fp)
{
	fputs("usage: ttp enable [start options]\n"
	    "Fail-closed from the next boot on: the host is locked down before "
	    "any\nnetwork interface is up, and 'ttp start' with these options "
	    "runs once\nthe network is there (see 'ttp start --help' for the "
	    "options). If tor\ncannot start, the host stays locked down. The "
	    "options are checked now\nand recorded in state_dir/boot.args; "
	    "run 'ttp enable' again to change them.\n\n"
	    "  --config FILE   configuration file\n"
	    "  -h, --help      this help\n", fp);
}

static bool
wants_help(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") ==
		    0)
			return true;
	return false;
}

int
cmd_enable(int argc, char **argv)
{
	struct privop_fw_apply	 a;
	struct start_req	 r;
	bool			 help;
	int			 i, rc;

	if (wants_help(argc, argv)) {
		enable_usage(stdout);
		return TTP_EXIT_OK;
	}
	start_req_init(&r);
	if ((rc = start_req_parse(&r, argc, argv, "enable", &help)) !=
	    TTP_EXIT_OK)
		return rc;
	for (i = 1; i < argc; i++)
		if (strlen(argv[i]) >= TTP_BOOT_ARG_MAX ||
		    strchr(argv[i], '\n') != NULL) {
			log_warnx("an option is longer than %d characters or "
			    "holds a line break; put bridges in a file and "
			    "use --bridge-file", TTP_BOOT_ARG_MAX - 1);
			return TTP_EXIT_ERROR;
		}
	if (argc - 1 > TTP_BOOT_MAX_ARGS) {
		log_warnx("more than %d options", TTP_BOOT_MAX_ARGS);
		return TTP_EXIT_ERROR;
	}
	if (cli_need_root("enable") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_need_helper_user() == -1 || cli_config() == -1)
		return TTP_EXIT_ERROR;
	/* Everything a boot could trip over, checked now: users, groups,
	 * the tor user (tor must be installed: no network at boot). */
	fw_opts_config(&r.fw, &cli.cfg);
	if (fw_opts_finish(&r.fw, &a) == -1)
		return TTP_EXIT_ERROR;
	if (r.bridge_file != NULL && access(r.bridge_file, R_OK) == -1) {
		log_warn("--bridge-file %s", r.bridge_file);
		return TTP_EXIT_ERROR;
	}
	if (boot_args_write(argc, argv) == -1)
		return TTP_EXIT_ERROR;
	switch (init_units(true)) {
	case -1:
		log_warnx("the options are recorded, but the init system did "
		    "not take the units; fix the error above and run 'sudo "
		    "ttp enable' again");
		return TTP_EXIT_ERROR;
	case 1:
		ui_warn("no init system ttp knows runs here (systemd, or "
		    "sysvinit with ttp's scripts installed): have yours run "
		    "'ttp boot lockdown' before the network comes up and "
		    "'ttp boot start' once it is up");
		break;
	}
	ui_good("enabled: from the next boot on the host is locked down "
	    "before the network comes up, then the session starts");
	return TTP_EXIT_OK;
}

int
cmd_disable(int argc, char **argv)
{
	char	 path[PATH_MAX];

	if (argc > 1 && wants_help(argc, argv)) {
		fputs("usage: ttp disable\nNo session at boot any more: "
		    "removes what 'ttp enable' recorded and\ndisables the "
		    "init system's units. A running session is not "
		    "touched.\n", stdout);
		return TTP_EXIT_OK;
	}
	if (argc > 1) {
		log_warnx("unexpected argument '%s'; see 'ttp disable --help'",
		    argv[1]);
		return TTP_EXIT_ERROR;
	}
	if (cli_need_root("disable") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_config() == -1 || boot_args_path(path, sizeof(path)) == -1)
		return TTP_EXIT_ERROR;
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("%s", path);
		return TTP_EXIT_ERROR;
	}
	if (init_units(false) == -1)
		return TTP_EXIT_ERROR;
	ui_good("disabled: no session and no lockdown at boot");
	return TTP_EXIT_OK;
}

/* `ttp boot [--network-wait N] lockdown|start`: the word may come before
 * or after the option; only start waits. */
static const struct option boot_longopts[] = {
	{ "network-wait", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable boot_optable = { boot_longopts, "h", NULL };
const struct subcommand boot_subs[] = {
	{ "lockdown",	&none_optable },
	{ "start",	&boot_optable },
	{ NULL, NULL }
};

static void
boot_usage(FILE *fp)
{
	fputs("usage: ttp boot lockdown|start [--network-wait N]\n"
	    "What the init system runs when 'ttp enable' is on; nothing "
	    "when it is off.\n"
	    "  lockdown   before any network interface is up: the lockdown "
	    "ruleset and\n"
	    "             its anchor (no traffic but tor's and loopback)\n"
	    "  start      once the network is up: the session of the "
	    "options 'ttp enable'\n"
	    "             recorded; on failure the host stays locked down\n"
	    "  --network-wait N  seconds 'start' waits for a default route "
	    "(default 120)\n"
	    "  -h, --help        this help\n", fp);
}

/* Wait for a default route, bounded; a host without one still starts
 * (tor's bootstrap timeout bounds what follows). */
static void
wait_network(long secs)
{
	long	 i;

	for (i = 0; i < secs * 10 && !routes_have_default(); i++) {
		if (i % 100 == 0)
			ui_info("waiting for the network (a default route), "
			    "%ld s left", secs - i / 10);
		usleep(100000);
	}
	if (!routes_have_default())
		ui_warn("no default route after %ld s; starting anyway", secs);
}

int
cmd_boot(int argc, char **argv)
{
	struct boot_args	*b;
	struct start_req	 r;
	unsigned long long	 v;
	const char		*what;
	long			 wait = TTP_BOOT_NET_WAIT;
	bool			 help;
	int			 ch, rc;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, boot_optable.shortopts,
	    boot_optable.opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (parse_uint(optarg, 0, 3600, &v) == -1) {
				log_warnx("--network-wait: '%s' is not a number "
				    "of seconds from 0 to 3600", optarg);
				return TTP_EXIT_ERROR;
			}
			wait = (long)v;
			break;
		case 'h':
			boot_usage(stdout);
			return TTP_EXIT_OK;
		default:
			return bad_option("boot", argv);
		}
	}
	if (optind != argc - 1 || (strcmp(argv[optind], "lockdown") != 0 &&
	    strcmp(argv[optind], "start") != 0)) {
		log_warnx("'ttp boot' takes one of lockdown, start; see 'ttp "
		    "boot --help'");
		return TTP_EXIT_ERROR;
	}
	what = argv[optind];
	if (cli_need_root("boot") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	if ((b = malloc(sizeof(*b))) == NULL)
		fatal("malloc");
	if ((rc = boot_args_read(b)) != 0) {
		if (rc == 1)
			ui_info("ttp is not enabled at boot ('sudo ttp "
			    "enable'): nothing to do");
		free(b);
		return rc == 1 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
	}
	if (strcmp(what, "start") == 0)
		wait_network(wait);
	if ((rc = start_prepare(&r, b->argc, b->argv, "boot", &help)) !=
	    TTP_EXIT_OK || help) {
		free(b);
		return rc;
	}
	r.boot = true;
	if (strcmp(what, "lockdown") == 0) {
		rc = session_boot_lockdown(&r);
		privd_close();
	} else
		rc = restart_run(&r);
	free(b);
	return rc;
}
