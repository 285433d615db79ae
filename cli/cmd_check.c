/*
 * runs in: ttp: check and check-leak as any user, refresh as root.
 *
 * ttp check, ttp check-leak and ttp refresh: the commands that ask
 * ttp-netcheck (through Tor) what the world sees. Their answers are
 * parsed and shown by the unprivileged worker (privsep.c); the parent
 * only learns pass or fail.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/session.h"
#include "common/log.h"

#define CHECK_TIMEOUT	"15"

struct show {
	bool	 json;
	bool	 verbose;
	bool	 session;	/* a ttp session is active */
};

/* Worker: show `ttp check` (netcheck "check" JSON). */
static int
show_check(FILE *in, FILE *result, void *arg)
{
	struct show	*sh = arg;
	json_t		*j, *lat, *errs, *e;
	json_error_t	 jerr;
	const char	*ip;
	size_t		 i;
	int		 ok;

	if ((j = json_loadf(in, JSON_DISABLE_EOF_CHECK, &jerr)) == NULL ||
	    !json_is_object(j)) {
		ui_bad("ttp-netcheck gave no answer");
		return 1;
	}
	ok = json_is_true(json_object_get(j, "ok"));
	if (sh->json) {
		json_object_set_new(j, "session_active",
		    json_boolean(sh->session));
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		ip = json_string_value(json_object_get(j, "ip"));
		lat = json_object_get(j, "latency");
		ui_info("session        %s", sh->session ? "active" :
		    "inactive (traffic is NOT sent through Tor by ttp)");
		if (ip != NULL) {
			json_t	*it = json_object_get(j, "is_tor");

			ui_info("exit address   %s (from %s)", ip,
			    json_string_value(json_object_get(j, "url")));
			ui_info("IsTor          %s", json_is_true(it) ? "yes" :
			    json_is_false(it) ? "NO" : "unknown (this "
			    "endpoint does not say)");
		}
		errs = json_object_get(j, "errors");
		json_array_foreach(errs, i, e)
			ui_warn("%s: %s",
			    json_string_value(json_object_get(e, "url")),
			    json_string_value(json_object_get(e, "error")));
		if (json_is_true(json_object_get(lat, "ok")))
			ui_info("latency        %.0f ms to %s",
			    json_real_value(json_object_get(lat, "seconds")) *
			    1000, json_string_value(json_object_get(lat,
			    "url")));
		else if (lat != NULL)
			ui_warn("latency: %s: %s",
			    json_string_value(json_object_get(lat, "url")),
			    json_string_value(json_object_get(lat, "error")));
		/* Only an endpoint's IsTor confirms Tor; without it all that
		 * is known is that the answer names none of this host's own
		 * addresses, which a direct path behind NAT would pass too. */
		if (ok && json_is_true(json_object_get(j, "is_tor")))
			ui_good("traffic reaches the Internet through Tor");
		else if (ok)
			ui_warn("the exit address is none of this host's own, "
			    "but the endpoint does not say whether it is a Tor "
			    "exit: NOT confirmed (behind NAT a direct path "
			    "would look the same); set [check] ip_urls to a "
			    "URL that answers IsTor");
		else
			ui_bad("traffic is not confirmed to go through Tor");
	}
	fputs(ok ? "ok\n" : "fail\n", result);
	json_decref(j);
	return ok ? 0 : 1;
}

/* Worker: show `ttp check-leak` (netcheck "leak" JSON). */
static int
show_leak(FILE *in, FILE *result, void *arg)
{
	struct show	*sh = arg;
	json_t		*j, *f, *r;
	json_error_t	 jerr;
	const char	*fam[] = { "ipv4", "ipv6" };
	size_t		 i;
	int		 ok;

	if ((j = json_loadf(in, JSON_DISABLE_EOF_CHECK, &jerr)) == NULL ||
	    !json_is_object(j)) {
		ui_bad("ttp-netcheck gave no answer");
		return 1;
	}
	ok = json_is_true(json_object_get(j, "ok"));
	if (sh->json) {
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		goto done;
	}
	for (i = 0; i < 2; i++) {
		f = json_object_get(j, fam[i]);
		if (json_is_true(json_object_get(f, "leak")))
			ui_bad("%s LEAK: %s sees this host's own address %s",
			    fam[i], json_string_value(json_object_get(f,
			    "url")), json_string_value(json_object_get(f,
			    "ip")));
		else if (json_is_true(json_object_get(f, "reachable")))
			ui_good("%s: no leak (seen as %s)", fam[i],
			    json_string_value(json_object_get(f, "ip")));
		else
			ui_good("%s: no leak (%s unreachable: %s)", fam[i],
			    json_string_value(json_object_get(f, "url")),
			    json_string_value(json_object_get(f, "error")));
		if (sh->verbose && (r = json_object_get(f, "raw")) != NULL)
			ui_info("  raw answer: %s", json_string_value(r));
	}
	f = json_object_get(j, "dns");
	if (json_is_true(json_object_get(f, "leak")))
		ui_bad("DNS LEAK: resolv.conf names a resolver that is not "
		    "local (Tor's DNSPort)");
	else
		ui_good("DNS: every resolver is local (Tor's DNSPort)");
	if (sh->verbose) {
		char	*s = json_dumps(json_object_get(f, "resolvers"), 0);

		ui_info("  resolvers: %s", s ? s : "?");
		free(s);
	}
done:
	fputs(ok ? "ok\n" : "fail\n", result);
	json_decref(j);
	return ok ? 0 : 1;
}

static bool
session_active(void)
{
	struct session	 s;
	char		 err[256];

	return session_read(&s, err,
	    sizeof(err)) == 0 && s.state == SESSION_ACTIVE && session_alive(&s);
}

static int
run_netcheck(const char *const argv[], privsep_parser show, struct show *sh)
{
	char	 res[64];
	pid_t	 pid;
	int	 out, rc;

	if (spawn_helper("ttp-netcheck", argv, &out, &pid) == -1)
		return TTP_EXIT_ERROR;
	rc = privsep_parse(out, show, sh, res, sizeof(res));
	close(out);
	(void)spawn_wait(pid, 5000);
	return rc == 0 && strcmp(res, "ok\n") == 0 ? TTP_EXIT_OK :
	    TTP_EXIT_ERROR;
}

/* -v/--verbose of check-leak is its own (main() leaves it alone); the
 * other commands' -v is the global option, taken before they run. */
static const struct option check_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
static const struct option check_leak_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable check_optable = { check_longopts, "h", NULL };
const struct optable check_leak_optable = { check_leak_longopts, "vh", NULL };
static const struct option refresh_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable refresh_optable = { refresh_longopts, "h", NULL };

static int
parse_simple(int argc, char **argv, struct show *sh, const struct optable *t,
    const char *usage)
{
	int	 ch;

	memset(sh, 0, sizeof(*sh));
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, t->shortopts, t->opts,
	    NULL)) != -1) {
		if (ch == 'j')
			sh->json = true;
		else if (ch == 'v')
			sh->verbose = true;
		else if (ch != 'h')
			return bad_option(argv[0], argv);
		else {
			fputs(usage, ch == 'h' ? stdout : stderr);
			return ch == 'h' ? 0 : TTP_EXIT_ERROR;
		}
	}
	if (optind < argc) {
		log_warnx("unexpected argument '%s'; see 'ttp %s --help'",
		    argv[optind], argv[0]);
		return TTP_EXIT_ERROR;
	}
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	return -1;	/* go on */
}

int
cmd_check(int argc, char **argv)
{
	const char	*av[TTP_MAX_IP_URLS + 8];
	struct show	 sh;
	size_t		 i;
	int		 n = 0, rc;

	if ((rc = parse_simple(argc, argv, &sh, &check_optable,
	    "usage: ttp check [--json]\nLive check through Tor: exit address, "
	    "IsTor flag and latency, from the\n[check] URLs of the "
	    "configuration. Needs no root.\n")) != -1)
		return rc;
	if (cli_need_helper_user() == -1)
		return TTP_EXIT_ERROR;
	sh.session = session_active();
	av[n++] = "ttp-netcheck";
	av[n++] = "--timeout";
	av[n++] = CHECK_TIMEOUT;
	av[n++] = "check";
	for (i = 0; i < cli.cfg.n_ip_urls; i++)
		av[n++] = cli.cfg.ip_urls[i];
	av[n++] = "--latency";
	av[n++] = cli.cfg.latency_url;
	av[n] = NULL;
	return run_netcheck(av, show_check, &sh);
}

int
cmd_check_leak(int argc, char **argv)
{
	const char	*av[10];
	struct show	 sh;
	int		 n = 0, rc;

	if ((rc = parse_simple(argc, argv, &sh, &check_leak_optable,
	    "usage: ttp check-leak [-v] [--json]\nDNS and IP leak detection: "
	    "IPv4 and IPv6 answers must not show this\nhost's own addresses; "
	    "every resolver must be local (Tor's DNSPort).\n"
	    "  -v, --verbose   show the raw answers\n")) != -1)
		return rc;
	if (cli_need_helper_user() == -1)
		return TTP_EXIT_ERROR;
	av[n++] = "ttp-netcheck";
	av[n++] = "--timeout";
	av[n++] = CHECK_TIMEOUT;
	if (sh.verbose)
		av[n++] = "-v";
	av[n++] = "leak";
	av[n++] = "--v4";
	av[n++] = cli.cfg.leak_ipv4_url;
	av[n++] = "--v6";
	av[n++] = cli.cfg.leak_ipv6_url;
	av[n] = NULL;
	return run_netcheck(av, show_leak, &sh);
}

/* Worker: discard torctl's words, return its "ok". */
static int
show_newnym(FILE *in, FILE *result, void *arg)
{
	char	 line[512];

	(void)arg;
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strcmp(line, "ok\n") == 0) {
			fputs("ok\n", result);
			return 0;
		}
		if (strncmp(line, "error ", 6) == 0)
			ui_bad("tor: %.200s", line + 6);
	}
	fputs("fail\n", result);
	return 1;
}

int
cmd_refresh(int argc, char **argv)
{
	struct exit_result	 er;
	struct session		 s, now;
	struct show		 sh;
	char			 err[512], res[32];
	pid_t			 pid;
	int			 out, rc;

	if ((rc = parse_simple(argc, argv, &sh, &refresh_optable,
	    "usage: ttp refresh\nNew Tor circuits (SIGNAL NEWNYM): new "
	    "connections get a new exit.\n")) != -1)
		return rc;
	if (cli_need_root("refresh") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_need_helper_user() == -1)
		return TTP_EXIT_ERROR;
	if (cli_command_lock("refresh") == -1)
		return TTP_EXIT_ERROR;
	runlog_open();
	if (session_read(&s, err, sizeof(err)) != 0 ||
	    s.external_daemon) {
		log_warnx(s.external_daemon ? "the session uses an external "
		    "tor: send it NEWNYM yourself" : "no ttp session is "
		    "running; start one with 'sudo ttp start'");
		return TTP_EXIT_ERROR;
	}
	if (spawn_torctl("newnym", 0, 0, &out, &pid) == -1)
		return TTP_EXIT_ERROR;
	rc = privsep_parse(out, show_newnym, NULL, res, sizeof(res));
	close(out);
	(void)spawn_wait(pid, 5000);
	if (rc != 0 || strcmp(res, "ok\n") != 0) {
		log_warnx("tor did not accept NEWNYM; see 'sudo ttp logs'");
		return TTP_EXIT_ERROR;
	}
	ui_good("new circuits requested: new connections use a new exit");
	if (check_exit(&er) == 0) {
		ui_info("exit address   %s%s", er.ip, strcmp(er.ip,
		    s.exit_ip) == 0 ? " (unchanged: tor may pick the same "
		    "exit)" : "");
		/* Read the lock again: the watchdog may have changed it (tor
		 * restarted, lockdown) while the check ran. */
		if (session_read(&now, err,
		    sizeof(err)) == 0 && now.started == s.started) {
			snprintf(now.exit_ip, sizeof(now.exit_ip), "%s", er.ip);
			now.is_tor = er.is_tor;
			if (lock_write(session_run_path(TTP_LOCK_NAME), &now, err,
			    sizeof(err)) == -1)
				log_warnx("%s", err);
		}
	}
	return TTP_EXIT_OK;
}
