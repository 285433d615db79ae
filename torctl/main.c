/*
 * runs in: ttp-torctl: root until connected, then _ttp, no capabilities,
 *   Landlock (no path), seccomp.
 *
 * ttp-torctl: the unprivileged Tor control client the CLI runs for
 * bootstrap progress, NEWNYM, SHUTDOWN and GETINFO, and the session's
 * rotator (`rotate`: NEWNYM on a timer, docs/rotation.md). Started as root, it
 * does only two things with root's rights: connect to tor's control
 * socket and read the cookie (both are the tor user's, mode 0700/0600).
 * Then it becomes TTP_UNPRIV_USER with no capabilities, closes every
 * other descriptor, gives up opening any file (Landlock) and loads its
 * seccomp allowlist, all before it reads a single byte from tor. Its stdout is a line protocol for the CLI
 * (torctl/torctl.h); every wait is bounded by --timeout, except the
 * rotator's wait for its next tick.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "torctl/ctl.h"
#include "common/exec.h"
#include "tor/tor_proc.h"
#include "torctl/torctl.h"

struct bstate {
	int	 pct;		/* last progress printed, -1 none */
	char	 tag[64];
	int	 done;
	int	 bad;		/* a malformed bootstrap status */
};

static void __attribute__((noreturn))
usage(int code)
{
	FILE	*fp = code == 0 ? stdout : stderr;

	fprintf(fp,
"usage: ttp-torctl [--control SOCK] [--cookie FILE] [--config FILE]\n"
"                  [--pid PID] [--timeout SECS] [-v] COMMAND [ARGS]\n"
"       ttp-torctl [options] rotate --every SECS\n"
"\n"
"Talk to ttp's tor over its control socket (cookie authentication).\n"
"\n"
"commands:\n"
"  bootstrap      follow bootstrap progress until 100%% or the timeout\n"
"                 (default %d s); prints \"progress PCT TAG SUMMARY\" lines,\n"
"                 then \"done 100\"\n"
"  newnym         new circuits for new streams (SIGNAL NEWNYM); prints \"ok\"\n"
"  shutdown       SIGNAL SHUTDOWN, then wait until tor has closed the\n"
"                 connection (and exited, with --pid); prints \"ok\"\n"
"  getinfo KEY... print KEY=VALUE lines (KEY+ ... . for multi-line values)\n"
"  rotate         SIGNAL NEWNYM every --every SECS (1-%d) on CLOCK_BOOTTIME,\n"
"                 for as long as tor keeps the connection open or until\n"
"                 SIGTERM; prints \"ok\" once connected, then closes stdout\n"
"\n"
"options:\n"
"  --control SOCK  control socket (default: [paths] tor_run_dir/%s)\n"
"  --cookie FILE   cookie file (default: [paths] tor_run_dir/%s)\n"
"  --config FILE   ttp configuration (default: $TTP_CONFIG, else %s)\n"
"  --pid PID       tor's pid: waiting stops when tor exits\n"
"  --timeout SECS  bound of the whole command, connecting included\n"
"                  (default %d s; bootstrap %d s; rotate: connecting and\n"
"                  each NEWNYM's answer)\n"
"  --every SECS    rotate's period\n"
"  -v              debug messages on stderr\n"
"\n"
"Failures print \"error MESSAGE\"; exit status 1, 2 for usage, 3 at the\n"
"timeout.\n",
	    TORCTL_DEF_BOOTSTRAP_TIMEOUT, TORCTL_MAX_EVERY, TTP_CONTROL_SOCK_NAME,
	    TTP_COOKIE_NAME, TTP_DEFAULT_CONFIG, TORCTL_DEF_TIMEOUT,
	    TORCTL_DEF_BOOTSTRAP_TIMEOUT);
	exit(code);
}

static int __attribute__((format(printf, 2, 3)))
fail(int code, const char *fmt, ...)
{
	va_list	 ap;

	fputs("error ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return code;
}

/* Tor's text on our stdout: no control characters. */
static void
put_clean(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		putchar((s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
}

static void
put_word(const char *s)
{
	size_t	 i;

	if (*s == '\0') {
		putchar('-');
		return;
	}
	for (i = 0; s[i] != '\0'; i++)
		putchar((s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '_');
}

static void
report_bootstrap(struct bstate *st, const struct ctl_bootstrap *bs)
{
	if (bs->warning[0] != '\0' || strcmp(bs->severity, "NOTICE") != 0) {
		printf("problem %d ", bs->progress);
		put_word(bs->tag);
		putchar(' ');
		put_word(bs->recommendation);
		putchar(' ');
		put_word(bs->reason);
		putchar(' ');
		put_clean(bs->warning, strlen(bs->warning));
		putchar('\n');
	} else if (bs->progress != st->pct || strcmp(bs->tag, st->tag) != 0) {
		printf("progress %d ", bs->progress);
		put_word(bs->tag);
		putchar(' ');
		put_clean(bs->summary, strlen(bs->summary));
		putchar('\n');
		st->pct = bs->progress;
		snprintf(st->tag, sizeof(st->tag), "%s", bs->tag);
	}
	if (bs->progress == 100)
		st->done = 1;
}

static void
on_event(struct ctl_conn *c, const struct ctl_reply *ev, void *arg)
{
	struct bstate		*st = arg;
	struct ctl_bootstrap	 bs;
	int			 rc;

	(void)c;
	if (ev->nlines == 0)
		return;
	rc = ctl_parse_bootstrap(ev->lines[0].text, &bs);
	if (rc == 0)
		report_bootstrap(st, &bs);
	else if (rc == -1) {
		log_debug("malformed status event: %s", ev->lines[0].text);
		st->bad = 1;
	}
}

static int
cmd_bootstrap(struct ctl_conn *c, long long deadline, int timeout)
{
	/* Static: the connection keeps a pointer to it for events. */
	static struct bstate	 st;
	struct ctl_bootstrap	 bs;
	struct ctl_reply	 r;
	const char		*val;
	size_t			 len;
	int			 rc;

	memset(&st, 0, sizeof(st));
	st.pct = -1;
	c->on_event = on_event;
	c->arg = &st;
	/* Subscribe first, then ask: no progress can fall in between. */
	if (ctl_command_ok(c, "SETEVENTS STATUS_CLIENT", deadline) == -1 ||
	    ctl_command(c, "GETINFO status/bootstrap-phase", &r,
	    deadline) == -1)
		return fail(TORCTL_EXIT_ERROR, "%s", c->err);
	if (r.code != 250 || ctl_reply_value(&r, "status/bootstrap-phase",
	    &val, &len) == -1 || ctl_parse_bootstrap(val, &bs) != 0) {
		rc = fail(TORCTL_EXIT_ERROR, "unexpected answer to GETINFO "
		    "status/bootstrap-phase: %d %s", r.code,
		    ctl_reply_text(&r));
		ctl_reply_free(&r);
		return rc;
	}
	ctl_reply_free(&r);
	report_bootstrap(&st, &bs);
	while (!st.done) {
		if (st.bad)
			return fail(TORCTL_EXIT_ERROR, "malformed bootstrap "
			    "status from tor");
		rc = ctl_wait_event(c, deadline);
		if (rc == -1)
			return fail(TORCTL_EXIT_ERROR, "%s", c->err);
		if (rc == 0)
			return fail(TORCTL_EXIT_TIMEOUT, "timeout: tor did not "
			    "bootstrap within %d s (at %d%%, %s)", timeout,
			    st.pct, st.tag[0] ? st.tag : "-");
	}
	printf("done 100\n");
	return TORCTL_EXIT_OK;
}

static int
cmd_shutdown(struct ctl_conn *c, int pidfd, long long deadline, int timeout)
{
	struct ctl_reply r;
	int		 rc;

	rc = ctl_command(c, "SIGNAL SHUTDOWN", &r, deadline);
	/* tor may close the connection before its "250 OK" arrives. */
	if (rc == -1 && !c->eof)
		return fail(TORCTL_EXIT_ERROR, "%s", c->err);
	if (rc == 0) {
		if (r.code != 250) {
			rc = fail(TORCTL_EXIT_ERROR, "SIGNAL SHUTDOWN: tor "
			    "answered %d %s", r.code, ctl_reply_text(&r));
			ctl_reply_free(&r);
			return rc;
		}
		ctl_reply_free(&r);
		if ((rc = ctl_wait_close(c, deadline)) == 1)
			return fail(TORCTL_EXIT_TIMEOUT, "timeout: tor kept its "
			    "control connection open %d s after SHUTDOWN",
			    timeout);
		if (rc == -1)
			return fail(TORCTL_EXIT_ERROR, "%s", c->err);
	}
	if (pidfd != -1) {
		if ((rc = exec_pidfd_wait(pidfd, clock_left_ms(deadline))) == 1)
			return fail(TORCTL_EXIT_TIMEOUT, "timeout: tor closed "
			    "its control connection but is still running "
			    "after %d s", timeout);
		if (rc == -1)
			return fail(TORCTL_EXIT_ERROR, "waiting for tor: %s",
			    strerror(errno));
	}
	printf("ok\n");
	return TORCTL_EXIT_OK;
}

/* A data block as tor sends it: dot-stuffed lines, then ".". */
static void
put_block(const char *text, const char *data)
{
	const char	*eq = strchr(text, '='), *d, *nl;

	put_clean(text, eq ? (size_t)(eq - text) : strlen(text));
	printf("+\n");
	for (d = data; (nl = strchr(d, '\n')) != NULL; d = nl + 1) {
		if (*d == '.')
			putchar('.');
		put_clean(d, (size_t)(nl - d));
		putchar('\n');
	}
	printf(".\n");
}

static int
cmd_getinfo(struct ctl_conn *c, char **keys, int nkeys, long long deadline)
{
	struct ctl_reply r;
	char		 cmd[1024];
	size_t		 len, i;
	int		 k;

	len = (size_t)snprintf(cmd, sizeof(cmd), "GETINFO");
	for (k = 0; k < nkeys; k++) {
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %s",
		    keys[k]);
		if (len >= sizeof(cmd))
			return fail(TORCTL_EXIT_USAGE, "too many keys");
	}
	if (ctl_command(c, cmd, &r, deadline) == -1)
		return fail(TORCTL_EXIT_ERROR, "%s", c->err);
	if (r.code != 250) {
		k = fail(TORCTL_EXIT_ERROR, "GETINFO: tor answered %d %s",
		    r.code, ctl_reply_text(&r));
		ctl_reply_free(&r);
		return k;
	}
	/* Every line but the final "OK". */
	for (i = 0; i + 1 < r.nlines; i++) {
		if (r.lines[i].sep == '+')
			put_block(r.lines[i].text, r.lines[i].data);
		else {
			put_clean(r.lines[i].text, strlen(r.lines[i].text));
			putchar('\n');
		}
	}
	ctl_reply_free(&r);
	return TORCTL_EXIT_OK;
}

/*
 * The rotator: SIGNAL NEWNYM at every tick of tfd (a CLOCK_BOOTTIME timer
 * armed before confinement, so it counts time asleep in suspend too), new
 * circuits for new streams while open streams keep theirs. It ends when
 * tor closes the connection (the session stopped, tor restarted) or on
 * SIGTERM (its default action: nothing to clean up).
 */
static int
cmd_rotate(struct ctl_conn *c, int tfd, long every, long timeout)
{
	struct pollfd	 pfd[2];
	unsigned long	 n = 0;
	uint64_t	 ticks;
	int		 rc;

	/* Ready: the CLI records the rotation now; nothing more for it. */
	printf("ok\n");
	fflush(stdout);
	(void)close(STDOUT_FILENO);
	log_debug("rotating every %ld s", every);
	for (;;) {
		pfd[0].fd = tfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = c->fd;
		pfd[1].events = POLLIN;
		/* A stop (SIGSTOP, a debugger) resumes this wait through
		 * restart_syscall, which the allowlist has for it. */
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("rotation: poll");
			return TORCTL_EXIT_ERROR;
		}
		if (pfd[1].revents != 0) {
			/* Nothing is subscribed: only the end is expected. */
			rc = ctl_wait_event(c, clock_ms());
			if (rc == -1 && c->eof) {
				log_debug("tor closed the control connection: "
				    "rotation ends after %lu NEWNYM", n);
				return TORCTL_EXIT_OK;
			}
			if (rc == -1) {
				log_warnx("rotation ends: %s", c->err);
				return TORCTL_EXIT_ERROR;
			}
			continue;
		}
		if ((pfd[0].revents & POLLIN) == 0 ||
		    read(tfd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
			continue;
		if (ctl_command_ok(c, "SIGNAL NEWNYM", clock_ms() +
		    timeout * 1000) == -1) {
			if (c->eof)
				return TORCTL_EXIT_OK;
			log_warnx("rotation ends: %s", c->err);
			return TORCTL_EXIT_ERROR;
		}
		n++;
		/* More than one tick: the machine slept through some. */
		log_debug("rotation %lu: SIGNAL NEWNYM (%llu tick%s)", n,
		    (unsigned long long)ticks, ticks == 1 ? "" : "s");
	}
}

/*
 * Connect and read the cookie, retrying until tor has created both (the
 * CLI runs us right after starting tor). Woken by inotify on the socket's
 * directory, bounded by the deadline, cut short when tor exits.
 */
static int
connect_wait(struct ctl_conn *c, const char *sock, const char *cookie_path,
    unsigned char cookie[CTL_COOKIE_LEN], int pidfd, long long deadline,
    char *err, size_t errsz)
{
	struct pollfd	 pfd[2];
	char		 dir[TTP_CONF_PATH_MAX + 32], evbuf[4096];
	int		 ino, rc = -1;

	snprintf(dir, sizeof(dir), "%s", sock);
	if ((ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) != -1 &&
	    inotify_add_watch(ino, dirname(dir), IN_CREATE | IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_ATTRIB) == -1) {
		close(ino);
		ino = -1;
	}
	for (;;) {
		long long	 left;
		int		 nfd = 0;

		if (ctl_connect(c, sock) == 0) {
			if (ctl_read_cookie(cookie_path, cookie, err,
			    errsz) == 0) {
				rc = 0;
				break;
			}
			ctl_close(c);
		} else
			snprintf(err, errsz, "%s", c->err);
		if (pidfd != -1) {
			pfd[nfd].fd = pidfd;
			pfd[nfd++].events = POLLIN;
		}
		if (ino != -1) {
			pfd[nfd].fd = ino;
			pfd[nfd++].events = POLLIN;
		}
		if ((left = deadline - clock_ms()) <= 0) {
			rc = 1;
			break;
		}
		/* inotify misses nothing we wait for; the cap is a backstop. */
		if (poll(pfd, (nfds_t)nfd, (int)(left < 200 ? left : 200)) ==
		    -1 && errno != EINTR) {
			snprintf(err, errsz, "poll: %s", strerror(errno));
			break;
		}
		if (pidfd != -1 && (pfd[0].revents & POLLIN)) {
			snprintf(err, errsz, "tor exited before its control "
			    "socket was ready (see its log, %s)",
			    TTP_TOR_LOG_NAME);
			break;
		}
		if (ino != -1)
			while (read(ino, evbuf, sizeof(evbuf)) > 0)
				;
	}
	if (ino != -1)
		close(ino);
	return rc;
}

/* Close every descriptor from 3 up, except a and b (-1: none). */
static void
close_others(int a, int b)
{
	int	 lo = a < b ? a : b, hi = a < b ? b : a, fd;

	if (lo < 0)
		lo = hi;
	for (fd = 3; fd < hi; fd++)
		if (fd != lo)
			(void)close(fd);
	(void)sandbox_close_from(hi + 1);
}

static int
valid_key(const char *k)
{
	return *k != '\0' && strspn(k, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.-") == strlen(k);
}

static char	 outbuf[4096];

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "cookie", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "every", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ttp_config cfg;
	struct ctl_conn	 c;
	unsigned char	 cookie[CTL_COOKIE_LEN];
	char		 sock[TTP_CONF_PATH_MAX + 32], ckpath[TTP_CONF_PATH_MAX + 32];
	char		 err[512], *end;
	const char	*control = NULL, *cookief = NULL, *config = NULL, *cmd;
	long long	 deadline;
	long		 pid = 0, timeout = 0, every = 0;
	int		 ch, verbose = 0, pidfd = -1, tordir = -1, tfd = -1, rc;

	/* Nothing inherited beyond stdin, stdout, stderr. */
	(void)sandbox_close_from(3);
	(void)signal(SIGPIPE, SIG_IGN);
	/* Line-buffered for the CLI; our buffer spares stdio an fstat later. */
	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	log_init("ttp-torctl", LOG_FORMAT_TEXT, 0);

	while ((ch = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			control = optarg;
			break;
		case 'k':
			cookief = optarg;
			break;
		case 'f':
			config = optarg;
			break;
		case 'p':
			errno = 0;
			pid = strtol(optarg, &end, 10);
			if (*end != '\0' || errno != 0 || pid <= 0)
				return fail(TORCTL_EXIT_USAGE, "bad --pid '%s'",
				    optarg);
			break;
		case 't':
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (*end != '\0' || errno != 0 || timeout <= 0 ||
			    timeout > 24 * 3600)
				return fail(TORCTL_EXIT_USAGE, "bad --timeout "
				    "'%s' (seconds, 1-86400)", optarg);
			break;
		case 'e':
			errno = 0;
			every = strtol(optarg, &end, 10);
			if (*end != '\0' || errno != 0 || every <= 0 ||
			    every > TORCTL_MAX_EVERY)
				return fail(TORCTL_EXIT_USAGE, "bad --every "
				    "'%s' (seconds, 1-%d)", optarg,
				    TORCTL_MAX_EVERY);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(TORCTL_EXIT_USAGE);
		}
	}
	log_set_verbose(verbose);
	if (optind >= argc)
		usage(TORCTL_EXIT_USAGE);
	cmd = argv[optind++];
	if (strcmp(cmd, "getinfo") == 0) {
		if (optind == argc)
			return fail(TORCTL_EXIT_USAGE, "getinfo needs a key");
		for (ch = optind; ch < argc; ch++)
			if (!valid_key(argv[ch]))
				return fail(TORCTL_EXIT_USAGE, "bad getinfo key "
				    "'%s'", argv[ch]);
	} else if (strcmp(cmd, "bootstrap") != 0 &&
	    strcmp(cmd, "newnym") != 0 && strcmp(cmd, "shutdown") != 0 &&
	    strcmp(cmd, "rotate") != 0)
		return fail(TORCTL_EXIT_USAGE, "unknown command '%s' (bootstrap, "
		    "newnym, shutdown, getinfo, rotate)", cmd);
	else if (optind != argc)
		return fail(TORCTL_EXIT_USAGE, "%s takes no argument", cmd);
	if ((strcmp(cmd, "rotate") == 0) != (every != 0))
		return fail(TORCTL_EXIT_USAGE, every ? "--every is for rotate "
		    "only" : "rotate needs --every SECS");
	/* The rotator's second descriptor is its timer: it ends with the
	 * control connection, whatever tor's pid does. */
	if (every != 0 && pid != 0)
		return fail(TORCTL_EXIT_USAGE, "rotate takes no --pid");
	if (timeout == 0)
		timeout = strcmp(cmd, "bootstrap") == 0 ?
		    TORCTL_DEF_BOOTSTRAP_TIMEOUT : TORCTL_DEF_TIMEOUT;
	deadline = clock_ms() + timeout * 1000;

	if (config_load(config, &cfg, err, sizeof(err)) == -1)
		return fail(TORCTL_EXIT_ERROR, "%s", err);
	/*
	 * tor's run directory is the tor user's (and so is its parent on
	 * Debian): opened and checked once, then named through our
	 * descriptor, so no symlink planted on the way can lead us elsewhere.
	 */
	if ((control == NULL || cookief == NULL) &&
	    (tordir = tor_dir_open(&cfg, err, sizeof(err))) == -1)
		return fail(TORCTL_EXIT_ERROR, "tor's run directory: %s", err);
	if (control == NULL) {
		snprintf(sock, sizeof(sock), "/proc/self/fd/%d/%s", tordir,
		    TTP_CONTROL_SOCK_NAME);
		control = sock;
	}
	if (cookief == NULL) {
		snprintf(ckpath, sizeof(ckpath), "/proc/self/fd/%d/%s", tordir,
		    TTP_COOKIE_NAME);
		cookief = ckpath;
	}
	if (control == NULL || cookief == NULL)
		return fail(TORCTL_EXIT_ERROR, "control socket path too long");
	if (pid != 0 && (pidfd = exec_pidfd_open((pid_t)pid)) == -1)
		return fail(TORCTL_EXIT_ERROR, "tor (pid %ld) is not running",
		    pid);

	/* The only steps that may need root: both are the tor user's. */
	ctl_init(&c);
	rc = connect_wait(&c, control, cookief, cookie, pidfd, deadline, err,
	    sizeof(err));
	if (rc == 1)
		return fail(TORCTL_EXIT_TIMEOUT, "timeout: tor's control socket "
		    "not ready after %ld s: %s", timeout, err);
	if (rc == -1)
		return fail(TORCTL_EXIT_ERROR, "%s", err);
	/* The rotator's timer, armed now: the allowlist has no timerfd. */
	if (every != 0) {
		struct itimerspec its = {
			.it_value = { .tv_sec = every },
			.it_interval = { .tv_sec = every },
		};

		if ((tfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC)) == -1 ||
		    timerfd_settime(tfd, 0, &its, NULL) == -1)
			return fail(TORCTL_EXIT_ERROR, "timerfd: %s",
			    strerror(errno));
	}

	/* Confine before the first byte from tor is read. */
	if (sandbox_drop_user(TTP_UNPRIV_USER) == -1)
		return fail(TORCTL_EXIT_ERROR, "cannot drop privileges");
	close_others(c.fd, every != 0 ? tfd : pidfd);
	if (sandbox_landlock(&sandbox_fs_torctl, NULL) == -1)
		return fail(TORCTL_EXIT_ERROR, "cannot restrict the files "
		    "it may open (Landlock)");
	if (sandbox_seccomp(&sandbox_torctl) == -1)
		return fail(TORCTL_EXIT_ERROR, "cannot load the seccomp "
		    "allowlist");

	rc = ctl_authenticate(&c, cookie, deadline);
	explicit_bzero(cookie, sizeof(cookie));
	if (rc == -1)
		rc = fail(TORCTL_EXIT_ERROR, "%s", c.err);
	else if (strcmp(cmd, "bootstrap") == 0)
		rc = cmd_bootstrap(&c, deadline, (int)timeout);
	else if (strcmp(cmd, "newnym") == 0) {
		if (ctl_command_ok(&c, "SIGNAL NEWNYM", deadline) == -1)
			rc = fail(TORCTL_EXIT_ERROR, "%s", c.err);
		else {
			printf("ok\n");
			rc = TORCTL_EXIT_OK;
		}
	} else if (strcmp(cmd, "shutdown") == 0)
		rc = cmd_shutdown(&c, pidfd, deadline, (int)timeout);
	else if (strcmp(cmd, "rotate") == 0)
		rc = cmd_rotate(&c, tfd, every, timeout);
	else
		rc = cmd_getinfo(&c, argv + optind, argc - optind, deadline);
	ctl_close(&c);
	fflush(stdout);
	/*
	 * No atexit handlers once confined: nothing is left to clean up, and
	 * a sanitizer build's leak check would need syscalls the allowlist
	 * rightly refuses.
	 */
	_exit(rc);
}
