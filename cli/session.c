/*
 * runs in: ttp, root.
 *
 * Session start and teardown. The order is the safety argument:
 *
 *   start: validate everything (options, users, bridges, config) while
 *   nothing has changed; write the lock; FW_APPLY (from here the host is
 *   fail-closed); FW_ANCHOR and ttp-anchor (from here no other program can
 *   open it); the torrc through `tor --verify-config`; DNS_OVERLAY; start
 *   tor; follow bootstrap; verify the exit. A failure after FW_APPLY
 *   undoes exactly what this start did, or leaves the host in lockdown
 *   when it cannot be undone safely, and says which.
 *
 *   teardown: stop the watchdog and the rotator; FW_LOCKDOWN; SHUTDOWN
 *   tor and wait for it; SOCK_KILL (while the redirect's conntrack state still exists, so
 *   the RSTs of killed sockets go to loopback, not to the destination);
 *   CT_FLUSH; end ttp-anchor (its table goes with it); FW_REMOVE;
 *   DNS_RESTORE; remove the lock.
 *
 * Every privileged step goes through ttp-privd; output from tor and the
 * network is parsed only in the unprivileged worker (privsep.c).
 */
#include "cli/session.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "session/anchor.h"
#include "session/rotate.h"
#include "cli/parse.h"
#include "watchdog/watchdog.h"
#include "common/log.h"
#include "ipc/privop.h"
#include "tor/pkg.h"
#include "tor/ports.h"
#include "tor/tor_proc.h"
#include "tor/torrc.h"

#define TOR_SHUTDOWN_SECS	10
#define TOR_KILL_MS		3000
#define NETCHECK_TIMEOUT_SECS	20

static int	 pfd = -1;
static pid_t	 ppid_privd;

int
privd_fd(void)
{
	if (pfd == -1 && (pfd = privop_spawn(cli.cfg.run_dir, NULL,
	    &ppid_privd)) == -1)
		log_warnx("cannot start ttp-privd");
	return pfd;
}

void
privd_close(void)
{
	if (pfd == -1)
		return;
	close(pfd);	/* privd exits when its peer is gone */
	(void)spawn_wait(ppid_privd, 2000);
	pfd = -1;
}

/* Run one privileged op; log a failure with its step name. */
static int
priv_step(const char *step, int rc, const struct privop_reply *rep)
{
	cli_crash_point(step);
	if (rc == 0)
		return 0;
	/* privd gone (it exits on what it sees as a compromised peer, or
	 * was killed): the next step starts a fresh one. */
	if (rep->err == EPIPE)
		privd_close();
	log_warnx("%s failed: %s", step, rep->msg[0] ? rep->msg :
	    strerror(rep->err));
	return -1;
}

bool
session_alive(const struct session *s)
{
	if (s->external_daemon)
		return true;
	return session_tor(s->tor_pid);
}

/* ---- start: validation, nothing changes on the host ---------------- */

/* Ctrl-C (or SIGTERM) during a start: treated as a failed step. */
static int
interrupted(void)
{
	if (!cli_interrupted)
		return 0;
	ui_progress_done();
	log_warnx("interrupted (signal %d)", (int)cli_interrupted);
	return 1;
}


static int
ensure_tor(char *tor, size_t torsz)
{
	char	 err[512];

	if (tor_find(&cli.cfg, tor, torsz) == 0)
		return 0;
	ui_info("tor is not installed: installing it with the system "
	    "package manager");
	if (pkg_install("tor", err, sizeof(err)) == -1) {
		log_warnx("cannot install tor: %s; install it yourself "
		    "(e.g. apt-get install tor) and run 'sudo ttp start' "
		    "again", err);
		return -1;
	}
	if (tor_find(&cli.cfg, tor, torsz) == -1) {
		log_warnx("tor is still not found after installing it; set "
		    "[tor] binary in %s", cli.cfg.file[0] ? cli.cfg.file :
		    TTP_DEFAULT_CONFIG);
		return -1;
	}
	return 0;
}

static int
load_bridges(struct start_req *r, struct bridge_list *bl,
    struct torrc_opts *o)
{
	char	 err[512];
	int	 i;

	memset(bl, 0, sizeof(*bl));
	if (r->bridge_file != NULL &&
	    bridges_load_file(bl, r->bridge_file, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	for (i = 0; i < r->nbridge_args; i++)
		if (bridges_add(bl, r->bridge_args[i], "--bridge", i + 1, err,
		    sizeof(err)) == -1) {
			log_warnx("%s", err);
			return -1;
		}
	if (bl->n > 0)
		r->use_bridges = true;
	if (r->use_bridges && bl->n == 0) {
		log_warnx("--use-bridges needs bridge lines: add --bridge "
		    "LINE or --bridge-file FILE");
		return -1;
	}
	if (!r->use_bridges)
		return 0;
	if (bridges_find_programs(bl, 1, o->pt_path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	o->use_bridges = 1;
	o->bridges = bl;
	return 0;
}

/* FW_ANCHOR for these options, then ttp-anchor to hold it; its pid. */
static int
anchor_create(const struct privop_fw_apply *a, pid_t *pid)
{
	struct privop_reply	 rep;
	int			 rc;

	*pid = 0;
	if (privd_fd() == -1)
		return -1;
	if (privop_fw_anchor(privd_fd(), a, &rep) == -1) {
		log_warnx("FW_ANCHOR failed: %s", rep.msg[0] ? rep.msg :
		    strerror(rep.err));
		return -1;
	}
	rc = spawn_anchor(rep.fd, pid);
	/* ttp-anchor holds it now, or nobody should: then the anchor goes
	 * with this copy. */
	close(rep.fd);
	if (rc == -1)
		*pid = 0;
	return rc;
}

static int
check_existing(bool restart)
{
	struct session	 old;
	char		 err[512];
	int		 rc;

	if ((rc = session_read(&old, err, sizeof(err))) == 1)
		return 0;
	if (rc == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if (restart)
		return 0;
	if (old.state == SESSION_STOPPING || old.state == SESSION_LOCKDOWN) {
		log_warnx("a session is %s (a stop did not finish, or a "
		    "fault locked it down); run 'sudo ttp stop' first",
		    session_state_name(old.state));
		return -1;
	}
	if (session_alive(&old) && old.state != SESSION_STARTING) {
		if (old.external_daemon)
			log_warnx("ttp is already running (since %s, external "
			    "tor); run 'sudo ttp stop' or 'sudo ttp restart'",
			    old.started ? strtok(ctime(&old.started), "\n") :
			    "?");
		else
			log_warnx("ttp is already running (since %s, tor pid "
			    "%d); run 'sudo ttp stop' or 'sudo ttp restart'",
			    old.started ? strtok(ctime(&old.started), "\n") :
			    "?", (int)old.tor_pid);
		return -1;
	}
	ui_warn("found the lock of a session that is gone (state %s); "
	    "cleaning it up first", session_state_name(old.state));
	if (session_teardown(&old, TEARDOWN_FULL) != TTP_EXIT_OK) {
		log_warnx("could not clean up the orphaned session; run "
		    "'sudo ttp stop --restore-only'");
		return -1;
	}
	return 0;
}

static int
choose_ports(struct start_req *r, struct privop_fw_apply *a,
    struct torrc_opts *o)
{
	struct port_choice	 pc;
	char			 err[256];

	if (r->external_daemon) {
		/* BYOD: the user's tor must already listen there. */
		if (port_is_free(SOCK_STREAM, a->trans_port, 0) == 1) {
			log_warnx("nothing listens on 127.0.0.1:%u (TCP); "
			    "start your tor with TransPort %u first, or pass "
			    "--transport-port", a->trans_port, a->trans_port);
			return -1;
		}
		return 0;
	}
	if (ports_choose(a->trans_port, a->dns_port, a->ipv6, &pc, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if ((pc.trans_changed || pc.dns_changed) && r->fw.ports_given) {
		log_warnx("port %u is taken by another process; choose "
		    "another with --transport-port/--dns-port",
		    pc.trans_changed ? a->trans_port : a->dns_port);
		return -1;
	}
	if (pc.trans_changed)
		ui_info("TransPort %u is taken by another process: using %u",
		    a->trans_port, pc.trans_port);
	if (pc.dns_changed)
		ui_info("DNSPort %u is taken by another process: using %u",
		    a->dns_port, pc.dns_port);
	a->trans_port = o->trans_port = pc.trans_port;
	a->dns_port = o->dns_port = pc.dns_port;
	return 0;
}

/*
 * Gateway mode's and isolation's ports are fixed (the ruleset and the
 * hosts behind the gateway rely on them): taken by another program, the
 * start stops here, before anything changed. tor binds the gateway ports
 * on every address; this checks loopback, the usual squatter's.
 */
static int
extra_ports_free(const struct start_req *r, const struct privop_fw_apply *a)
{
	unsigned	 p, hi;

	if (r->external_daemon && (a->gw.n_ifs > 0 || a->iso.base != 0)) {
		log_warnx("--gateway and --isolate-users need the tor ttp "
		    "starts; leave out --external-daemon");
		return -1;
	}
	if (a->gw.n_ifs > 0 &&
	    (port_is_free(SOCK_STREAM, a->gw.trans_port, a->ipv6) != 1 ||
	    port_is_free(SOCK_DGRAM, a->gw.dns_port, a->ipv6) != 1)) {
		log_warnx("gateway mode's ports %u (TCP) and %u (UDP) must be "
		    "free; stop the program that holds them (see 'ss -lntup')",
		    a->gw.trans_port, a->gw.dns_port);
		return -1;
	}
	hi = a->iso.base + 2U * a->iso.n_uids + 1U;
	for (p = a->iso.base; a->iso.base != 0 && p < hi; p += 2)
		if (port_is_free(SOCK_STREAM, (uint16_t)p, a->ipv6) != 1 ||
		    port_is_free(SOCK_DGRAM, (uint16_t)(p + 1), a->ipv6) !=
		    1) {
			log_warnx("--isolate-users needs ports %u-%u free; %u "
			    "or %u is taken (see 'ss -lntup')", a->iso.base,
			    hi, p, p + 1);
			return -1;
		}
	return 0;
}

static void
session_fill(struct session *s, const struct start_req *r,
    const struct privop_fw_apply *a)
{
	int	 i;

	memset(s, 0, sizeof(*s));
	s->state = SESSION_STARTING;
	s->pid = getpid();
	s->started = time(NULL);
	s->tor_uid = a->tor_uid;
	s->trans_port = a->trans_port;
	s->dns_port = a->dns_port;
	s->external_daemon = r->external_daemon;
	s->allow_root = a->allow_root;
	s->lan_bypass = a->lan_bypass;
	s->lan_allow_router = a->lan_bypass && r->fw.lan_allow_router;
	s->routers = a->routers;
	s->gw = a->gw;
	s->iso = a->iso;
	s->ipv6 = a->ipv6;
	s->use_bridges = r->use_bridges;
	s->is_tor = -1;
	snprintf(s->interface, sizeof(s->interface), "%s",
	    r->interface ? r->interface : "");
	for (i = 0; i < a->n_bypass_uids; i++)
		s->bypass_uids[i] = a->bypass_uids[i];
	for (i = 0; i < a->n_bypass_gids; i++)
		s->bypass_gids[i] = a->bypass_gids[i];
	s->n_bypass_uids = a->n_bypass_uids;
	s->n_bypass_gids = a->n_bypass_gids;
	/* A restart's old anchor stays until the new one exists; a failure
	 * before that ends it with the rest. */
	s->anchor_pid = r->old_anchor;
	s->boot = r->boot;
	snprintf(s->config, sizeof(s->config), "%s", cli.cfg.file);
}

static int
save(const char *lockp, const struct session *s)
{
	char	 err[512];

	if (lock_write(lockp, s, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/* ---- start: the parts that read from tor and the network ----------- */

static int
wait_bootstrap(const struct session *s, long timeout)
{
	char	 res[256];
	pid_t	 pid;
	int	 out, rc;

	if (spawn_torctl("bootstrap", timeout, s->tor_pid, &out, &pid) == -1)
		return -1;
	rc = privsep_parse(out, parse_bootstrap, NULL, res, sizeof(res));
	close(out);
	(void)spawn_wait(pid, 5000);
	if (rc == 0 && strcmp(res, "ok\n") == 0)
		return 0;
	if (cli_interrupted)
		return -1;	/* said by the caller */
	log_warnx("tor did not finish bootstrapping: %.200s",
	    strncmp(res, "error ", 6) == 0 ? res + 6 : "no answer");
	return -1;
}

/* Ask ttp-netcheck (through Tor) which address the world sees. */
int
check_exit(struct exit_result *er)
{
	const char	*argv[TTP_MAX_IP_URLS + 6];
	char		 tbuf[16], res[256];
	pid_t		 pid;
	size_t		 i;
	int		 out, rc, n = 0;

	snprintf(tbuf, sizeof(tbuf), "%d", NETCHECK_TIMEOUT_SECS);
	argv[n++] = "ttp-netcheck";
	argv[n++] = "--timeout";
	argv[n++] = tbuf;
	argv[n++] = "ip";
	for (i = 0; i < cli.cfg.n_ip_urls; i++)
		argv[n++] = cli.cfg.ip_urls[i];
	argv[n] = NULL;
	if (spawn_helper("ttp-netcheck", argv, &out, &pid) == -1)
		return -1;
	rc = privsep_parse(out, parse_exit_check, NULL, res, sizeof(res));
	close(out);
	(void)spawn_wait(pid, 5000);
	if (rc != 0 || exit_result_parse(res, er) == -1)
		return -1;
	return 0;
}

/* ---- start --------------------------------------------------------- */

static void
print_summary(const struct session *s, const struct start_req *r)
{
	ui_good("ttp is active: all traffic of this host goes through Tor");
	if (s->exit_ip[0] != '\0')
		ui_info("  exit address   %s%s", s->exit_ip,
		    s->is_tor == 1 ? " (confirmed Tor exit: the check URL "
		    "says IsTor)" : " (NOT confirmed as a Tor exit: the check "
		    "URL does not say; it is only none of this host's own "
		    "addresses)");
	ui_info("  tor            %s, TransPort %u, DNSPort %u",
	    s->external_daemon ? "external daemon" : "supervised by ttp",
	    s->trans_port, s->dns_port);
	ui_info("  bypasses Tor   loopback%s%s%s%s%s%s",
	    !s->lan_bypass ? "" : s->lan_allow_router ? ", LAN and its "
	    "routers (no DNS, NetBIOS, mDNS, LLMNR)" : ", LAN but not its "
	    "routers (no DNS, NetBIOS, mDNS, LLMNR)",
	    s->allow_root ? ", root" : "",
	    r->fw.nuids ? ", users " : "", r->fw.nuids ?
	    s->bypass_users : "", r->fw.ngids ? ", groups " : "",
	    r->fw.ngids ? s->bypass_groups : "");
	ui_info("  IPv6           %s", s->ipv6 ? "through Tor" : "blocked");
	if (s->gw.n_ifs > 0) {
		char	 ifs[TTP_MAX_GATEWAYS * (TTP_IFNAME_MAX + 2)] = "";
		uint8_t	 i;

		for (i = 0; i < s->gw.n_ifs; i++)
			snprintf(ifs + strlen(ifs), sizeof(ifs) - strlen(ifs),
			    "%s%s", i ? ", " : "", s->gw.ifs[i]);
		ui_info("  gateway        %s: their TCP and DNS through Tor "
		    "(TransPort %u, DNSPort %u), nothing forwarded", ifs,
		    s->gw.trans_port, s->gw.dns_port);
	}
	if (s->iso.base != 0)
		ui_info("  isolation      per user: %u uids with circuits of "
		    "their own, the others share one set", s->iso.n_uids);
	if (s->rotate_secs != 0) {
		char	 every[32];

		rotate_format(s->rotate_secs, every, sizeof(every));
		if (s->rotator_pid != 0)
			ui_info("  rotation       every %s: new circuits for new "
			    "connections; open ones keep theirs", every);
	}
	ui_info("stop with 'sudo ttp stop'");
}

/*
 * Undo a start that failed after the firewall was applied. Returns the
 * exit code to use (always an error). A session started at boot is never
 * undone into an open host: it stays locked down (docs/boot.md).
 */
static int
start_failed(struct session *s, const char *lockp)
{
	struct privop_reply	 rep;

	if (s->boot && session_teardown(s, TEARDOWN_KEEP_LOCKDOWN) ==
	    TTP_EXIT_OK) {
		s->state = SESSION_LOCKDOWN;
		(void)save(lockp, s);
		ui_bad("the session did not start; the host stays in LOCKDOWN "
		    "(no traffic except tor's and loopback). Fix the problem "
		    "above, then run 'sudo ttp restart' (or 'sudo ttp stop' "
		    "to open the host without Tor)");
		return TTP_EXIT_ERROR;
	}
	ui_info("undoing this start");
	if (session_teardown(s, TEARDOWN_FULL) == TTP_EXIT_OK) {
		ui_info("the host is as it was before 'ttp start'");
		return TTP_EXIT_ERROR;
	}
	/* Could not undo cleanly: make sure it is at least fail-closed. */
	if (privd_fd() != -1 &&
	    privop_fw_lockdown(privd_fd(), s->tor_uid, &rep) == 0) {
		s->state = SESSION_LOCKDOWN;
		(void)save(lockp, s);
		ui_bad("the host is left in LOCKDOWN (no traffic except tor's "
		    "and loopback); fix the problem above, then run "
		    "'sudo ttp stop --restore-only'");
	} else
		ui_bad("could not restore the host nor lock it down; run "
		    "'sudo ttp stop --restore-only'");
	return TTP_EXIT_ERROR;
}

int
session_start(struct start_req *r, bool restart)
{
	struct privop_fw_apply	 a;
	struct privop_reply	 rep;
	struct torrc_opts	 o;
	struct bridge_list	*bl = NULL;
	struct session		 s;
	struct exit_result	 er;
	char			 lockp[PATH_MAX], tor[PATH_MAX], torrc_path[PATH_MAX];
	char			 err[1024], *torrc = NULL;
	int			 rc = TTP_EXIT_ERROR;
	pid_t			 anchor;

	/* 1. Validate everything while nothing has changed (privd is
	 * already starting: start_prepare). */
	if (r->interface != NULL && if_nametoindex(r->interface) == 0) {
		log_warnx("no network interface named '%s' (see 'ip link'); "
		    "omit -i to use all of them", r->interface);
		return TTP_EXIT_ERROR;
	}
	/* tor first: installing it creates the user whose uid we need. */
	if (!r->external_daemon && ensure_tor(tor, sizeof(tor)) == -1)
		return TTP_EXIT_ERROR;
	if (fw_opts_check_gateways(&r->fw, r->interface) == -1 ||
	    fw_opts_finish(&r->fw, &a) == -1)
		return TTP_EXIT_ERROR;
	snprintf(lockp, sizeof(lockp), "%s", session_run_path(TTP_LOCK_NAME));
	if (check_existing(restart) == -1)
		return TTP_EXIT_ERROR;
	torrc_opts_init(&o, &cli.cfg);
	o.ipv6 = a.ipv6;
	o.gw_trans_port = a.gw.trans_port;
	o.gw_dns_port = a.gw.dns_port;
	o.iso_base = a.iso.base;
	o.n_iso = a.iso.n_uids;
	if (!r->external_daemon && tor_socks_dir(&cli.cfg, o.socks_path,
	    sizeof(o.socks_path), err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return TTP_EXIT_ERROR;
	}
	if (!r->external_daemon) {
		if ((bl = calloc(1, sizeof(*bl))) == NULL ||
		    (torrc = malloc(TORRC_MAX)) == NULL) {
			log_warn("malloc");
			goto out;
		}
		if (load_bridges(r, bl, &o) == -1)
			goto out;
	}
	if (choose_ports(r, &a, &o) == -1 || extra_ports_free(r, &a) == -1)
		goto out;
	session_fill(&s, r, &a);
	snprintf(s.bypass_users, sizeof(s.bypass_users), "%s", r->users_arg);
	snprintf(s.bypass_groups, sizeof(s.bypass_groups), "%s",
	    r->groups_arg);
	snprintf(s.socks_path, sizeof(s.socks_path), "%s", o.socks_path);
	cli_crash_point("validated");
	if (interrupted())
		goto out;

	/* 2. From here on the host changes; every failure is undone. */
	if (privd_fd() == -1)
		goto out;
	if (mkdir(cli.cfg.run_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", cli.cfg.run_dir);
		goto out;
	}
	if (save(lockp, &s) == -1)
		goto out;
	cli_crash_point("lock");
	if (priv_step("FW_APPLY", privop_fw_apply(privd_fd(), &a, &rep),
	    &rep) == -1) {
		/* One transaction: nothing was applied (or the lockdown of a
		 * restart is still in place). */
		if (!restart)
			(void)lock_remove(lockp);
		goto out;
	}
	s.fw_hash = rep.hash;
	/* The anchor: what no other program's flush or reload can remove. */
	if (interrupted() || anchor_create(&a, &anchor) == -1) {
		if (!cli_interrupted)
			log_warnx("cannot anchor the kill switch (needs "
			    "nftables owned tables, Linux 5.12 or later); "
			    "not starting a session other programs could "
			    "open");
		rc = start_failed(&s, lockp);
		goto out;
	}
	anchor_stop(s.anchor_pid);
	s.anchor_pid = anchor;
	(void)save(lockp, &s);
	cli_crash_point("anchor");
	ui_good("firewall applied: the host is fail-closed from now on");
	/*
	 * tor --verify-config takes 10-50 ms, so it runs once the host is
	 * protected rather than before; a torrc tor refuses undoes this
	 * start like any later failure, and the host is as it was.
	 */
	if (!r->external_daemon && tor_build_torrc(&cli.cfg, &o, torrc,
	    TORRC_MAX, err, sizeof(err)) < 0) {
		log_warnx("the generated torrc is not valid: %s", err);
		rc = start_failed(&s, lockp);
		goto out;
	}
	if (interrupted() || priv_step("DNS_OVERLAY",
	    privop_dns_overlay(privd_fd(), &rep), &rep) == -1) {
		rc = start_failed(&s, lockp);
		goto out;
	}
	s.dns_overlay = true;
	(void)save(lockp, &s);

	if (interrupted()) {
		rc = start_failed(&s, lockp);
		goto out;
	}
	if (!r->external_daemon) {
		if (tor_prepare_dirs(&cli.cfg, err, sizeof(err)) == -1 ||
		    tor_write_torrc(&cli.cfg, torrc, torrc_path,
		    sizeof(torrc_path), err, sizeof(err)) == -1 ||
		    tor_spawn(&cli.cfg, torrc_path, &s.tor_pid, err,
		    sizeof(err)) == -1) {
			log_warnx("cannot start tor: %s", err);
			rc = start_failed(&s, lockp);
			goto out;
		}
		(void)save(lockp, &s);
		cli_crash_point("tor");
		ui_info("tor started (pid %d); waiting for it to bootstrap "
		    "(at most %ld s)", (int)s.tor_pid, r->bootstrap_timeout);
		if (wait_bootstrap(&s, r->bootstrap_timeout) == -1 ||
		    cli_interrupted) {
			if (!interrupted())
				ui_info("tor's log: %s",
				    session_run_path("tor.log"));
			rc = start_failed(&s, lockp);
			goto out;
		}
	}
	cli_crash_point("bootstrap");

	/* 3. Verify the exit through Tor, as an ordinary redirected user. */
	if (check_exit(&er) == 0 && !cli_interrupted) {
		if (er.host_address || er.is_tor == 0) {
			ui_bad("the exit check sees %s, %s: NOT through Tor",
			    er.ip, er.host_address ? "one of this host's own "
			    "addresses" : "which is not a Tor exit");
			if (privop_fw_lockdown(privd_fd(), s.tor_uid, &rep) ==
			    0) {
				s.state = SESSION_LOCKDOWN;
				(void)save(lockp, &s);
				ui_bad("the host is in LOCKDOWN; run 'sudo ttp "
				    "diagnose', then 'sudo ttp stop'");
			}
			goto out;
		}
		snprintf(s.exit_ip, sizeof(s.exit_ip), "%s", er.ip);
		s.is_tor = er.is_tor;
	} else if (interrupted()) {
		rc = start_failed(&s, lockp);
		goto out;
	} else
		ui_warn("could not verify the exit address (see above); "
		    "traffic stays fail-closed. Try 'ttp check' later");

	s.state = SESSION_ACTIVE;
	/* Rotation, like the watchdog, is not a reason to undo a session
	 * that is up and fail-closed: one that does not start is said, and
	 * `ttp status` shows it stopped (docs/rotation.md). */
	if (r->rotate_secs != 0) {
		s.rotate_secs = r->rotate_secs;
		if (spawn_rotator(r->rotate_secs, &s.rotator_pid) == 0)
			s.rotate_since = time(NULL);
		else
			ui_warn("the session runs WITHOUT identity rotation; "
			    "'sudo ttp restart --rotate ...' tries again");
	}
	if (save(lockp, &s) == -1) {
		rotator_stop(s.rotator_pid);
		goto out;
	}
	print_summary(&s, r);
	rc = TTP_EXIT_OK;
	/* The session is complete and fail-closed without it: a watchdog
	 * that does not come up is reported, not a reason to undo. */
	if (r->watchdog && watchdog_start() == -1)
		ui_warn("the session runs WITHOUT its watchdog; try 'sudo ttp "
		    "watchdog start'");
out:
	free(bl);
	free(torrc);
	return rc;
}

/*
 * The early half of fail-closed from boot (docs/boot.md), run before any
 * network interface is up: the lockdown ruleset, and an anchor as strict
 * as it (no LAN bypass, no exempt user or root), so a firewall service
 * that flushes the ruleset later in the boot cannot open the host either.
 * The lock records it; `ttp boot start` takes it over as a restart does.
 */
int
session_boot_lockdown(struct start_req *r)
{
	struct privop_fw_apply	 a;
	struct privop_reply	 rep;
	struct session		 s, old;
	char			 lockp[PATH_MAX], err[512];
	pid_t			 anchor;

	if (fw_opts_finish(&r->fw, &a) == -1)
		return TTP_EXIT_ERROR;
	snprintf(lockp, sizeof(lockp), "%s", session_run_path(TTP_LOCK_NAME));
	if (session_read(&old, err, sizeof(err)) == 0 &&
	    session_alive(&old)) {
		ui_info("a session is already running (state %s); leaving it",
		    session_state_name(old.state));
		return TTP_EXIT_OK;
	}
	a.allow_root = false;
	a.lan_bypass = false;
	a.n_bypass_uids = a.n_bypass_gids = 0;
	memset(&a.routers, 0, sizeof(a.routers));
	memset(&a.gw, 0, sizeof(a.gw));
	memset(&a.iso, 0, sizeof(a.iso));
	session_fill(&s, r, &a);
	s.state = SESSION_LOCKDOWN;
	s.boot = true;
	if (mkdir(cli.cfg.run_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", cli.cfg.run_dir);
		return TTP_EXIT_ERROR;
	}
	if (save(lockp, &s) == -1)
		return TTP_EXIT_ERROR;
	if (priv_step("FW_LOCKDOWN", privop_fw_lockdown(privd_fd(), a.tor_uid,
	    &rep), &rep) == -1) {
		(void)lock_remove(lockp);
		return TTP_EXIT_ERROR;
	}
	if (anchor_create(&a, &anchor) == -1) {
		ui_bad("the host is locked down but not anchored: a firewall "
		    "service that flushes the ruleset would open it");
		return TTP_EXIT_ERROR;
	}
	s.anchor_pid = anchor;
	(void)save(lockp, &s);
	ui_good("locked down for boot: no traffic but tor's and loopback "
	    "until the session starts");
	return TTP_EXIT_OK;
}

/* ---- teardown ------------------------------------------------------ */

static int
stop_tor(const struct session *s)
{
	pid_t	 pid;

	if (s->external_daemon || s->tor_pid <= 0)
		return 0;
	if (kill(s->tor_pid, 0) == -1 && errno == ESRCH)
		return 0;
	if (!session_tor(s->tor_pid)) {
		log_warnx("pid %d in the lock is not ttp's tor any more; "
		    "leaving it alone", (int)s->tor_pid);
		return 0;
	}
	/* SIGNAL SHUTDOWN through the control port; tor exits at once as a
	 * client. Only the outcome matters here, and it is read from the
	 * kernel (tor's pidfd), not from torctl's words. */
	if (spawn_torctl("shutdown", TOR_SHUTDOWN_SECS, s->tor_pid, NULL,
	    &pid) == 0)
		(void)spawn_wait(pid, (TOR_SHUTDOWN_SECS + 2) * 1000);
	if (tor_wait_exit(s->tor_pid, 1000) == 0)
		return 0;
	/* No answer on the control port: the signal, then SIGKILL, to the
	 * process a pidfd names once it is known to be our tor. */
	return proc_stop(s->tor_pid, session_tor, SIGTERM, TOR_KILL_MS,
	    "tor");
}

/*
 * Stop the session's watchdog before anything else changes: it would take
 * the teardown's own lockdown for tampering. Only a pid that is still a
 * ttp watchdog (pids are reused); it ends its guard and privd on SIGTERM.
 */
static void
stop_watchdog(struct session *s)
{
	(void)proc_stop(s->watchdog_pid, watchdog_alive, SIGTERM, 3000,
	    "the watchdog");
	s->watchdog_pid = 0;
}

/*
 * The rotator next, before tor's shutdown: it would only see its control
 * connection close, but a stop ends what it started, by pid, once that pid
 * proves to be the rotator (session/rotate.c).
 */
static void
stop_rotator(struct session *s)
{
	rotator_stop(s->rotator_pid);
	s->rotator_pid = 0;
}

/*
 * End the anchor while table inet ttp is still the lockdown: the session's
 * ttp-anchor, and any other one left by a command that died before it
 * could record its anchor (only one session exists at a time). An anchor
 * that stays would keep the host closed after the stop.
 */
static int
stop_anchor(struct session *s)
{
	struct privop_reply	 rep;

	anchor_stop(s->anchor_pid);
	s->anchor_pid = 0;
	if (priv_step("FW_STATUS", privop_fw_status(privd_fd(), &rep),
	    &rep) == -1)
		return -1;
	if (rep.anchors != 0 && anchor_stop_all() > 0 &&
	    priv_step("FW_STATUS", privop_fw_status(privd_fd(), &rep),
	    &rep) == -1)
		return -1;
	if (rep.anchors != 0) {
		log_warnx("an anchor table (inet %s%s) is still held by a "
		    "process that is not ttp-anchor; the host stays locked "
		    "down until it exits", TTP_ANCHOR_TABLE,
		    rep.anchors & 1 ? "0" : "1");
		return -1;
	}
	return 0;
}

int
session_teardown(struct session *s, enum teardown_mode mode)
{
	struct privop_reply	 rep;
	struct session		 none;
	char			 lockp[PATH_MAX], err[256];
	uint16_t		 tport;
	unsigned		 i;
	int			 failed = 0;

	snprintf(lockp, sizeof(lockp), "%s", session_run_path(TTP_LOCK_NAME));
	if (s == NULL) {
		memset(&none, 0, sizeof(none));
		s = &none;
	}
	if (privd_fd() == -1)
		return TTP_EXIT_ERROR;

	/* The watchdog first, so it cannot "repair" what stop tears down;
	 * the session's rules stay in place meanwhile. Then fail closed:
	 * only tor and loopback may send from now on. */
	stop_watchdog(s);
	stop_rotator(s);
	if (s->tor_uid != 0) {
		if (priv_step("FW_LOCKDOWN", privop_fw_lockdown(privd_fd(),
		    s->tor_uid, &rep), &rep) == -1)
			failed = 1;
		else if (mode != TEARDOWN_RESTORE_ONLY) {
			s->state = SESSION_STOPPING;
			(void)save(lockp, s);
		}
	}
	if (stop_tor(s) == -1) {
		log_warnx("tor (pid %d) did not exit", (int)s->tor_pid);
		failed = 1;
	}
	cli_crash_point("tor_stopped");
	tport = s->trans_port ? s->trans_port : cli.cfg.transport_port;
	if (priv_step("SOCK_KILL", privop_sock_kill(privd_fd(), tport, &rep),
	    &rep) == -1)
		failed = 1;
	else if (rep.count > 0)
		log_debug("%u redirected connection(s) destroyed", rep.count);
	/* --isolate-users: the connections redirected to each uid's
	 * TransPort, and to the other uids'. */
	for (i = 0; s->iso.base != 0 && i <= s->iso.n_uids; i++) {
		tport = (uint16_t)(s->iso.base + 2U * i);
		if (priv_step("SOCK_KILL", privop_sock_kill(privd_fd(), tport,
		    &rep), &rep) == -1)
			failed = 1;
	}
	if (priv_step("CT_FLUSH", privop_ct_flush(privd_fd(), &rep),
	    &rep) == -1)
		failed = 1;
	if (mode == TEARDOWN_KEEP_LOCKDOWN)
		return failed ? TTP_EXIT_ERROR : TTP_EXIT_OK;
	if (failed && mode == TEARDOWN_FULL) {
		/* Something above failed: removing the firewall now could
		 * let an old connection out. Stay locked down. */
		s->state = SESSION_LOCKDOWN;
		(void)save(lockp, s);
		ui_bad("stop did not complete; the host stays in LOCKDOWN. "
		    "Fix the error above and run 'sudo ttp stop' again, or "
		    "'sudo ttp stop --restore-only' to force it");
		return TTP_EXIT_ERROR;
	}
	if (stop_anchor(s) == -1)
		return TTP_EXIT_ERROR;
	if (priv_step("FW_REMOVE", privop_fw_remove(privd_fd(), &rep),
	    &rep) == -1)
		return TTP_EXIT_ERROR;
	if (priv_step("DNS_RESTORE", privop_dns_restore(privd_fd(), &rep),
	    &rep) == -1)
		return TTP_EXIT_ERROR;
	if (lock_remove(lockp) == -1) {
		log_warn("cannot remove %s", lockp);
		return TTP_EXIT_ERROR;
	}
	/* Through the tor user's directory by descriptor only. */
	(void)tor_dir_unlink(&cli.cfg, TTP_TORRC_NAME, err, sizeof(err));
	tor_socks_remove(&cli.cfg);
	return TTP_EXIT_OK;
}
