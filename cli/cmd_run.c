/*
 * runs in: ttp, any user (under sudo: root until the child is forked,
 *   then the user named by SUDO_UID or --user).
 *
 * ttp run [--user USER] [--share-circuits] [--] CMD [ARG...]: CMD in
 * namespaces of its own whose only way out is Tor (docs/run.md). This
 * file is the glue: options, the user, which tor (the host session's
 * SOCKS listener, else the user's own, started here), then the child
 * (run/ns.c) and the forwarder (run/fwd.c). Exit code: CMD's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/session.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "run/run.h"
#include "tor/tor_proc.h"

enum {
	OPT_USER = FWOPT_END,
	OPT_SHARE,
	OPT_BOOTSTRAP_TIMEOUT,
};

static const struct option runcmd_longopts[] = {
	{ "user",		required_argument, NULL, OPT_USER },
	{ "share-circuits",	no_argument,	   NULL, OPT_SHARE },
	{ "bootstrap-timeout",	required_argument, NULL, OPT_BOOTSTRAP_TIMEOUT },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable runcmd_optable = { runcmd_longopts, "+h", NULL };

static void
run_usage(FILE *fp)
{
	fputs(
"usage: ttp run [--user USER] [--share-circuits] [--] CMD [ARG...]\n"
"Run CMD so that its only way out is Tor, fail-closed, with or without a\n"
"session, changing nothing for the rest of the host. CMD runs as you (under\n"
"sudo: as SUDO_UID's user, or --user), never as root; the exit code is\n"
"CMD's (128+N for a signal). Without a session, your own tor is started\n"
"(state in ~/.local/state/ttp) and stopped when your last 'ttp run' ends.\n"
"\n"
"  --user USER             run CMD as USER (root only)\n"
"  --share-circuits        share circuits with your other runs that say so\n"
"                          (default: circuits of its own)\n"
"  --bootstrap-timeout N   seconds to wait for your tor (default 180)\n"
"  -h, --help              this help\n", fp);
}

struct run_opts {
	const char	*user;
	bool		 share;
	long		 bootstrap_timeout;
	char *const	*argv;
};

static int
run_parse(int argc, char **argv, struct run_opts *o, bool *help)
{
	int			 ch;

	memset(o, 0, sizeof(*o));
	o->bootstrap_timeout = 180;
	*help = false;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, runcmd_optable.shortopts,
	    runcmd_optable.opts, NULL)) != -1) {
		switch (ch) {
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_SHARE:
			o->share = true;
			break;
		case OPT_BOOTSTRAP_TIMEOUT:
			if (parse_bootstrap_timeout(optarg,
			    &o->bootstrap_timeout) == -1)
				return TTP_EXIT_ERROR;
			break;
		case 'h':
			run_usage(stdout);
			*help = true;
			return TTP_EXIT_OK;
		default:
			return bad_option("run", argv);
		}
	}
	if (optind >= argc) {
		log_warnx("run: no command given; usage: ttp run [--user USER] "
		    "[--share-circuits] [--] CMD [ARG...]");
		return TTP_EXIT_ERROR;
	}
	o->argv = argv + optind;
	return TTP_EXIT_OK;
}

/* Who CMD runs as: never root. */
static int
run_target(const struct run_opts *o, struct run_target *w)
{
	const struct passwd	*pw = NULL;
	unsigned long long	 v;
	const char		*su;

	memset(w, 0, sizeof(*w));
	if (o->user != NULL) {
		if (parse_uint(o->user, 0, 0xfffffffeULL, &v) == 0)
			pw = getpwuid((uid_t)v);
		else
			pw = getpwnam(o->user);
		if (pw == NULL) {
			log_warnx("--user: no user '%s'; check the name with "
			    "'getent passwd %s'", o->user, o->user);
			return TTP_EXIT_ERROR;
		}
		if (geteuid() != 0 && pw->pw_uid != getuid()) {
			log_warnx("--user %s: only root may run a command as "
			    "another user; run 'sudo ttp run --user %s ...'",
			    o->user, o->user);
			return TTP_EXIT_NOROOT;
		}
	} else if (geteuid() == 0) {
		su = getenv("SUDO_UID");
		if (su == NULL || parse_uint(su, 1, 0xfffffffeULL, &v) == -1 ||
		    (pw = getpwuid((uid_t)v)) == NULL) {
			log_warnx("run: as root, give --user USER: the command "
			    "never runs as root (under sudo, SUDO_UID names "
			    "the user)");
			return TTP_EXIT_ERROR;
		}
	} else if ((pw = getpwuid(getuid())) == NULL) {
		log_warnx("run: uid %u has no passwd entry", (unsigned)getuid());
		return TTP_EXIT_ERROR;
	}
	if (pw->pw_uid == 0) {
		log_warnx("--user %s: the command never runs as root; give an "
		    "ordinary user", o->user ? o->user : "root");
		return TTP_EXIT_ERROR;
	}
	w->uid = pw->pw_uid;
	w->gid = pw->pw_gid;
	snprintf(w->name, sizeof(w->name), "%s", pw->pw_name);
	snprintf(w->home, sizeof(w->home), "%s", pw->pw_dir);
	return TTP_EXIT_OK;
}

static int
drop_to_user(const struct run_target *w)
{
	if (geteuid() != 0)
		return 0;
	if (initgroups(w->name, w->gid) == -1 ||
	    setresgid(w->gid, w->gid, w->gid) == -1 ||
	    setresuid(w->uid, w->uid, w->uid) == -1 || setuid(0) != -1) {
		log_warn("cannot become %s", w->name);
		return -1;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	(void)capng_apply(CAPNG_SELECT_BOTH);
	return 0;
}

static pid_t		 child_pid;

static void
on_term(int sig)
{
	if (child_pid > 0)
		(void)kill(child_pid, sig);
}

/* The child's sockets and its ready message; one line on a failure. */
static int
child_ready(int sock, int *tcp, int *udp, bool as_root)
{
	struct pollfd	 p = { .fd = sock, .events = POLLIN };
	char		 m[256], *what;
	ssize_t		 n;
	int		 fd, err;

	*tcp = *udp = -1;
	for (;;) {
		if (poll(&p, 1, 15000) != 1) {
			log_warnx("run: the namespace was not ready within 15 s");
			return -1;
		}
		if ((n = fdpass_recv(sock, m, sizeof(m) - 1, &fd)) <= 0) {
			log_warnx("run: the child ended while setting up");
			return -1;
		}
		m[n < (ssize_t)sizeof(m) ? n : (ssize_t)sizeof(m) - 1] = '\0';
		if (m[0] == 'T' && fd != -1 && *tcp == -1)
			*tcp = fd;
		else if (m[0] == 'U' && fd != -1 && *udp == -1)
			*udp = fd;
		else if (m[0] == 'R' && fd == -1 && *tcp != -1 && *udp != -1)
			return 0;
		else if (m[0] == 'E') {
			err = (int)strtol(m + 1, &what, 10);
			if (*what == ' ')
				what++;
			if (strcmp(what, "unshare-user") == 0 && !as_root)
				log_warnx("run: cannot create a user namespace "
				    "(%s): unprivileged user namespaces are "
				    "disabled here; enable them (sysctl "
				    "kernel.unprivileged_userns_clone=1 and "
				    "user.max_user_namespaces > 0) or use "
				    "'sudo ttp run'", strerror(err));
			else
				log_warnx("run: setting up the namespace failed "
				    "at %s: %s", what, strerror(err));
			if (fd != -1)
				close(fd);
			return -1;
		} else {
			if (fd != -1)
				close(fd);
			log_warnx("run: unexpected message from the child");
			return -1;
		}
	}
}

/* ttp-torctl bootstrap on the user's tor, parsed by the worker. */
static int
user_bootstrap(const struct run_usertor *t, long timeout, bool quiet)
{
	const char	*argv[12];
	char		 tbuf[24], pbuf[24], res[256];
	int		 n = 0, out, rc, q = quiet;
	pid_t		 pid;

	snprintf(tbuf, sizeof(tbuf), "%ld", timeout);
	argv[n++] = "ttp-torctl";
	argv[n++] = "--control";
	argv[n++] = t->control;
	argv[n++] = "--cookie";
	argv[n++] = t->cookie;
	argv[n++] = "--timeout";
	argv[n++] = tbuf;
	if (t->tor_pid > 0) {
		snprintf(pbuf, sizeof(pbuf), "%d", (int)t->tor_pid);
		argv[n++] = "--pid";
		argv[n++] = pbuf;
	}
	argv[n++] = "bootstrap";
	argv[n] = NULL;
	if (spawn_helper("ttp-torctl", argv, &out, &pid) == -1)
		return -1;
	rc = privsep_parse(out, parse_bootstrap, &q, res, sizeof(res));
	close(out);
	(void)spawn_wait(pid, 5000);
	if (rc == 0 && strcmp(res, "ok\n") == 0)
		return 0;
	log_warnx("your tor did not finish bootstrapping: %.200s; its log: "
	    "%s/tor.log", strncmp(res, "error ", 6) == 0 ? res + 6 :
	    "no answer", t->dir);
	return -1;
}

/*
 * The host session's SOCKS listener. 1: a session is active and *path is
 * its listener; 0: no session (the user's own tor is for that); -1: a
 * session that cannot serve `ttp run` (said). Its tor is not identified
 * here (another user's /proc entries are closed to us): its socket's
 * answering is what counts.
 */
static int
session_socks(char *path, size_t sz)
{
	struct sockaddr_un	 sun;
	struct session		 s;
	char			 err[512];
	int			 fd, ok;

	if (session_read(&s, err, sizeof(err)) != 0)
		return 0;
	if (s.socks_path[0] == '\0') {
		log_warnx("run: the host session's tor has no SOCKS listener "
		    "for 'ttp run' (%s); run 'sudo ttp restart'",
		    s.external_daemon ? "an external tor: add 'SocksPort "
		    "unix:PATH WorldWritable' to it" : "started by an older "
		    "ttp");
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(s.socks_path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, s.socks_path, strlen(s.socks_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (!ok || s.state != SESSION_ACTIVE) {
		log_warnx("run: a host session is %s but its SOCKS listener %s "
		    "does not answer; see 'ttp status'", session_state_name(
		    s.state), s.socks_path);
		return -1;
	}
	snprintf(path, sz, "%s", s.socks_path);
	return 1;
}

static int
run_parent(const struct run_opts *o, const struct run_target *w, int sock,
    pid_t child)
{
	struct run_usertor	 t;
	struct run_fwd		 f;
	struct sigaction	 sa;
	char			 socks[PATH_MAX], tor[PATH_MAX], err[512];
	uint8_t			 rnd[8];
	int			 st, rc = TTP_EXIT_ERROR;
	bool			 host, fresh, root = geteuid() == 0;

	memset(&f, 0, sizeof(f));
	f.tcp = f.udp = -1;
	t.ref_fd = t.mutex_fd = -1;
	f.child_pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (f.child_pidfd == -1) {
		log_warn("pidfd_open");
		goto fail;
	}
	if (drop_to_user(w) == -1)
		goto fail;
	if (child_ready(sock, &f.tcp, &f.udp, root) == -1)
		goto fail;
	if ((rc = session_socks(socks, sizeof(socks))) == -1) {
		rc = TTP_EXIT_ERROR;
		goto fail;
	}
	host = rc == 1;
	rc = TTP_EXIT_ERROR;
	if (!host) {
		/* Root's environment says nothing of the user's. */
		if (usertor_open(&t, w, !root, err,
		    sizeof(err)) == -1) {
			log_warnx("run: %s", err);
			goto fail;
		}
		fresh = !usertor_alive(&t);
		if (fresh) {
			if (tor_find(&cli.cfg, tor, sizeof(tor)) == -1) {
				log_warnx("run: tor is not installed; install "
				    "it (e.g. apt-get install tor)");
				goto fail;
			}
			ui_info("starting your own tor (state in %s)", t.dir);
			if (usertor_start(&t, tor, cli.cfg.torrc_append, err,
			    sizeof(err)) == -1) {
				log_warnx("run: %s", err);
				goto fail;
			}
		}
		if (user_bootstrap(&t, o->bootstrap_timeout, !fresh) == -1)
			goto fail;
		usertor_unlock(&t);
		snprintf(socks, sizeof(socks), "%s", t.socks);
	}
	f.socks_path = socks;
	if (o->share)
		snprintf(f.user, sizeof(f.user), "ttp-run-shared-%u",
		    (unsigned)w->uid);
	else {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			log_warn("getrandom");
			goto fail;
		}
		snprintf(f.user, sizeof(f.user), "ttp-run-%u-%02x%02x%02x%02x"
		    "%02x%02x%02x%02x", (unsigned)w->uid, rnd[0], rnd[1],
		    rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	}
	snprintf(f.pass, sizeof(f.pass), "ttp");
	log_debug("run: through %s (%s), credentials %s", socks, host ?
	    "the host session's tor" : "your own tor", f.user);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGQUIT, &sa, NULL);
	(void)sigaction(SIGPIPE, &sa, NULL);
	if (write(sock, "g", 1) != 1) {
		log_warnx("run: the child ended before the command started");
		goto fail;
	}
	(void)run_fwd_loop(&f);
	close(f.tcp);
	close(f.udp);
	while (waitpid(child, &st, 0) == -1)
		if (errno != EINTR)
			return TTP_EXIT_ERROR;
	if (!host)
		usertor_release(&t, 10000);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : TTP_EXIT_ERROR;
fail:
	(void)kill(child, SIGKILL);
	(void)waitpid(child, &st, 0);
	if (f.tcp != -1)
		close(f.tcp);
	if (f.udp != -1)
		close(f.udp);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	struct run_opts		 o;
	struct run_target	 w;
	struct run_child	 c;
	bool			 help;
	int			 rc, sv[2];
	pid_t			 pid;

	if ((rc = run_parse(argc, argv, &o, &help)) != TTP_EXIT_OK || help)
		return rc;
	if ((rc = run_target(&o, &w)) != TTP_EXIT_OK)
		return rc;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	memset(&c, 0, sizeof(c));
	/* What ttp says goes to stderr: CMD's stdout is CMD's alone. */
	fflush(stdout);
	if ((c.stdout_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) == -1) {
		log_warn("dup");
		return TTP_EXIT_ERROR;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		return TTP_EXIT_ERROR;
	}
	c.sock = sv[1];
	c.as_root = geteuid() == 0;
	c.who = w;
	c.argv = o.argv;
	c.parent = getpid();
	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		return TTP_EXIT_ERROR;
	}
	if (pid == 0) {
		close(sv[0]);
		run_child_main(&c);
	}
	close(sv[1]);
	close(c.stdout_fd);
	child_pid = pid;
	rc = run_parent(&o, &w, sv[0], pid);
	close(sv[0]);
	return rc;
}
