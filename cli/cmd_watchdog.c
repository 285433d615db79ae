/*
 * runs in: ttp: status as any user, start/stop/run as root.
 *
 * ttp watchdog start|stop|status|run. `run` is the watchdog itself
 * (watchdog/monitor.c), in the foreground; `start` detaches one
 * without systemd: double fork, setsid, stdio on the session log, and
 * returns once it guards the session (it records its own pid in the lock).
 * `stop` ends the watchdog recorded in the lock, if that pid really is
 * one; `status` needs no root: the lock and watchdog.json are 0644.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "watchdog/watchdog.h"
#include "common/defaults.h"
#include "common/exec.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "tor/tor_proc.h"

#define READY_MS	10000	/* a new watchdog has this long to report */
#define STOP_MS		3000

/* The subcommands and their options. run's are ttp's own: --detached and
 * --ready-fd for the watchdog `start` detaches, --recur-window for tests
 * and bench/. */
static const struct option status_longopts[] = {
	{ "json",		no_argument,	   NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};
static const struct option run_longopts[] = {
	{ "detached",		no_argument,	   NULL, 'd' },
	{ "ready-fd",		required_argument, NULL, 'r' },
	{ "recur-window",	required_argument, NULL, 'w' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
static const char *const run_internal[] = { "detached", "ready-fd",
	"recur-window", NULL };
static const struct optable wd_status_optable = { status_longopts, "", NULL };
static const struct optable run_optable = { run_longopts, "h", run_internal };
const struct subcommand watchdog_subs[] = {
	{ "start",	&none_optable },
	{ "stop",	&none_optable },
	{ "status",	&wd_status_optable },
	{ "run",	&run_optable },
	{ NULL, NULL }
};

static void
usage(FILE *fp)
{
	fputs("usage: ttp watchdog start|stop|status [--json]|run\n"
	    "The session integrity watchdog: reacts within milliseconds to a\n"
	    "change of ttp's firewall table, of the resolv.conf overlay, or to\n"
	    "tor's death: locks the host down first, then repairs once; if the\n"
	    "repair fails or the fault recurs, the host stays locked down.\n\n"
	    "  start    start it in the background for the running session (root)\n"
	    "  stop     stop it (root); the session itself is left as it is\n"
	    "  status   active or not, its pid, the last event and action\n"
	    "  run      run it in the foreground (what 'start' runs)\n", fp);
}

static int
read_session(struct session *s, bool quiet_none)
{
	char	 err[512];
	int	 rc;

	if ((rc = session_read(s, err,
	    sizeof(err))) == -1)
		log_warnx("%s", err);
	else if (rc == 1 && !quiet_none)
		ui_info("no ttp session is running");
	return rc;
}

/* In the grandchild: become the detached watchdog, by executing this
 * very binary again (its path read before the fork, so the process is
 * named ttp; /proc/self/exe if that path is gone). */
static void __attribute__((noreturn))
detached_exec(const char *self, int ready, int logfd)
{
	const char	*argv[12], *envp[5];
	char		 asan[512], ubsan[512];
	const char	*v;
	sigset_t	 none;
	int		 n = 0, e = 0, null, sig;

	argv[n++] = "ttp";
	if (cli.cfg.file[0] != '\0') {
		argv[n++] = "--config";
		argv[n++] = cli.cfg.file;
	}
	if (log_get_verbose())
		argv[n++] = "-v";
	argv[n++] = "watchdog";
	argv[n++] = "run";
	argv[n++] = "--detached";
	argv[n++] = "--ready-fd";
	argv[n++] = "3";
	argv[n] = NULL;
	envp[e++] = "PATH=" TTP_SAFE_PATH;
	envp[e++] = "LC_ALL=C";
	/* Sanitizer builds only: keep the caller's sanitizer options. */
	if ((v = getenv("ASAN_OPTIONS")) != NULL) {
		snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s", v);
		envp[e++] = asan;
	}
	if ((v = getenv("UBSAN_OPTIONS")) != NULL) {
		snprintf(ubsan, sizeof(ubsan), "UBSAN_OPTIONS=%s", v);
		envp[e++] = ubsan;
	}
	envp[e] = NULL;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	umask(022);
	/* Keep the pipe clear of 0-3 while stdio is rearranged. */
	if ((ready = fcntl(ready, F_DUPFD, 10)) == -1 ||
	    (null = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1 ||
	    dup2(logfd != -1 ? logfd : null, STDOUT_FILENO) == -1 ||
	    dup2(logfd != -1 ? logfd : null, STDERR_FILENO) == -1 ||
	    dup2(ready, 3) == -1 || chdir("/") == -1)
		_exit(127);
	(void)sandbox_close_from(4);
	execve(self, (char *const *)(uintptr_t)argv,
	    (char *const *)(uintptr_t)envp);
	execve("/proc/self/exe", (char *const *)(uintptr_t)argv,
	    (char *const *)(uintptr_t)envp);
	_exit(127);
}

int
watchdog_start(void)
{
	struct session	 s;
	struct pollfd	 pfd;
	char		 self[PATH_MAX];
	pid_t		 pid, wd = 0;
	int		 p[2], logfd, st;
	ssize_t		 n = 0;

	if (read_session(&s, false) != 0)
		return -1;
	if (s.state != SESSION_ACTIVE && s.state != SESSION_LOCKDOWN) {
		log_warnx("the session is %s: nothing to guard",
		    session_state_name(s.state));
		return -1;
	}
	if (watchdog_alive(s.watchdog_pid)) {
		ui_info("the watchdog already guards the session (pid %d)",
		    (int)s.watchdog_pid);
		return 0;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		n = 0;
	self[n] = '\0';
	n = 0;
	logfd = open(session_run_path(TTP_LOG_NAME), O_WRONLY | O_APPEND |
	    O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if ((pid = exec_fork_piped(p)) == -1) {
		if (logfd != -1)
			close(logfd);
		return -1;
	}
	if (pid == 0) {
		/* A session of its own, and not our child: it outlives us
		 * and no terminal signal reaches it. */
		close(p[0]);
		(void)setsid();
		if ((pid = fork()) != 0)
			_exit(pid == -1 ? 1 : 0);
		detached_exec(self[0] == '/' ? self : "/proc/self/exe", p[1],
		    logfd);
	}
	close(p[1]);
	if (logfd != -1)
		close(logfd);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, READY_MS) == 1)
		while ((n = read(p[0], &wd, sizeof(wd))) == -1 &&
		    errno == EINTR)
			;
	close(p[0]);
	if (n != (ssize_t)sizeof(wd) || wd <= 0) {
		log_warnx("the watchdog did not come up; see 'sudo ttp logs'");
		return -1;
	}
	ui_good("watchdog started (pid %d): it guards the session", (int)wd);
	return 0;
}

static int
watchdog_stop(void)
{
	struct session	 s;
	char		 err[512];
	pid_t		 pid;

	if (read_session(&s, false) != 0)
		return TTP_EXIT_OK;
	if (!watchdog_alive(pid = s.watchdog_pid)) {
		ui_info("no watchdog is running");
		return TTP_EXIT_OK;
	}
	(void)proc_stop(pid, watchdog_alive, SIGTERM, STOP_MS,
	    "the watchdog");
	/* It clears its pid itself; not when it had to be killed. */
	if (session_read(&s, err, sizeof(err)) ==
	    0 && s.watchdog_pid == pid) {
		s.watchdog_pid = 0;
		if (lock_write(session_run_path(TTP_LOCK_NAME), &s, err,
		    sizeof(err)) == -1)
			log_warnx("%s", err);
	}
	ui_good("watchdog stopped; the session itself is unchanged");
	return TTP_EXIT_OK;
}

static void
print_time(const char *label, time_t t, const char *what, pid_t by)
{
	char	 when[64] = "-";

	if (t != 0)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
		    localtime(&t));
	if (by > 0)
		ui_info("  %-14s %s  %s (by pid %d)", label, when, what,
		    (int)by);
	else
		ui_info("  %-14s %s  %s", label, when, what);
}

static int
watchdog_status(bool json)
{
	struct session	 s;
	struct wd_state	 st;
	bool		 active = false, have = false;
	int		 rc;

	if ((rc = read_session(&s, true)) == -1)
		return TTP_EXIT_ERROR;
	if (rc == 0)
		active = watchdog_alive(s.watchdog_pid);
	/* watchdog.json of this session's watchdog only. */
	if (rc == 0 && wd_state_read(session_run_path(TTP_WATCHDOG_STATE_NAME),
	    &st) == 0 && st.session_started == s.started)
		have = true;
	if (json) {
		json_t	*j = json_pack("{s:s}", "state", active ? "active" :
		    "inactive");

		if (active)
			json_object_set_new(j, "pid",
			    json_integer(s.watchdog_pid));
		if (have) {
			json_object_set_new(j, "mode",
			    json_string(active ? wd_mode_name(st.mode) :
			    "stopped"));
			json_object_set_new(j, "guard_pid",
			    json_integer(st.guard_pid));
			json_object_set_new(j, "started",
			    json_integer(st.started));
			json_object_set_new(j, "last_event",
			    json_string(wd_event_name(st.last_event)));
			json_object_set_new(j, "last_event_time",
			    json_integer(st.last_event_time));
			json_object_set_new(j, "last_event_pid",
			    json_integer(st.last_event_pid));
			json_object_set_new(j, "last_action",
			    json_string(wd_action_name(st.last_action)));
			json_object_set_new(j, "last_action_time",
			    json_integer(st.last_action_time));
			json_object_set_new(j, "reports",
			    json_integer(st.reports));
			json_object_set_new(j, "faults",
			    json_integer(st.faults));
			json_object_set_new(j, "repairs",
			    json_integer(st.repairs));
		}
		json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
		return TTP_EXIT_OK;
	}
	if (rc == 1) {
		ui_info("watchdog inactive (no ttp session is running)");
		return TTP_EXIT_OK;
	}
	if (active)
		ui_good("watchdog active (pid %d)%s", (int)s.watchdog_pid,
		    have && st.mode == WD_MODE_LOCKDOWN ? ": the host is kept "
		    "in LOCKDOWN" : have && st.mode == WD_MODE_SUSPENDED ?
		    ": repairs suspended, no network link" : "");
	else
		ui_warn("watchdog inactive: nothing guards the session (start "
		    "it with 'sudo ttp watchdog start')");
	if (!have)
		return TTP_EXIT_OK;
	print_time("started", st.started, "", 0);
	print_time("last event", st.last_event_time,
	    wd_event_name(st.last_event), st.last_event_pid);
	print_time("last action", st.last_action_time,
	    wd_action_name(st.last_action), 0);
	ui_info("  %-14s %u (%u repaired)", "faults", st.faults, st.repairs);
	return TTP_EXIT_OK;
}

static int
watchdog_run(int argc, char **argv)
{
	unsigned long long	 v;
	int			 ch, ready = -1, window;
	bool			 detached = false;

	window = TTP_WATCHDOG_WINDOW_SECS;
	optind = 1;
	while ((ch = getopt_long(argc, argv, run_optable.shortopts,
	    run_optable.opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			detached = true;
			break;
		case 'r':
			/* Internal: the pipe `watchdog start` waits on. */
			if (parse_uint(optarg, 3, 1023, &v) == -1 ||
			    fcntl((int)v, F_GETFD) == -1) {
				log_warnx("--ready-fd: not an open descriptor");
				return TTP_EXIT_ERROR;
			}
			ready = (int)v;
			(void)fcntl(ready, F_SETFD, FD_CLOEXEC);
			break;
		case 'w':
			/* For tests and bench/: the recurrence window. */
			if (parse_uint(optarg, 0, 86400, &v) == -1) {
				log_warnx("--recur-window: seconds, 0-86400");
				return TTP_EXIT_ERROR;
			}
			window = (int)v;
			break;
		case 'h':
			usage(stdout);
			return TTP_EXIT_OK;
		default:
			usage(stderr);
			return TTP_EXIT_ERROR;
		}
	}
	if (optind < argc) {
		log_warnx("unexpected argument '%s'", argv[optind]);
		return TTP_EXIT_ERROR;
	}
	if (cli_need_root("watchdog run") == -1)
		return TTP_EXIT_NOROOT;
	/* AppArmor: the watchdog's own profile, narrower than the CLI's,
	 * whether `ttp start -w` or a shell started it. */
	sandbox_apparmor_enter("ttp-watchdog");
	if (cli_need_helper_user() == -1)
		return TTP_EXIT_ERROR;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	log_init("ttp-watchdog", log_get_format(), log_get_verbose());
	runlog_open();
	/* Detached, stderr is the session log already: one copy, with
	 * the log's timestamps. */
	if (detached)
		log_set_stderr(0);
	return wd_monitor_run(&cli.cfg, ready, window);
}

int
cmd_watchdog(int argc, char **argv)
{
	const struct optable	*t;
	bool			 json = false;
	int			 ch;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? TTP_EXIT_ERROR : TTP_EXIT_OK;
	}
	if (strcmp(argv[1], "run") == 0)
		return watchdog_run(argc - 1, argv + 1);
	/* start and stop take nothing, status --json. */
	t = strcmp(argv[1], "status") == 0 ? &wd_status_optable :
	    &none_optable;
	optind = 0;	/* argv[1], the subcommand, is getopt's argv[0] */
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, t->shortopts, t->opts,
	    NULL)) != -1) {
		if (ch != 'j') {
			log_warnx("unexpected argument '%s'; see 'ttp watchdog "
			    "--help'", argv[optind]);
			return TTP_EXIT_ERROR;
		}
		json = true;
	}
	if (optind < argc - 1) {
		log_warnx("unexpected argument '%s'; see 'ttp watchdog --help'",
		    argv[optind + 1]);
		return TTP_EXIT_ERROR;
	}
	if (strcmp(argv[1], "status") == 0) {
		if (cli_config() == -1)
			return TTP_EXIT_ERROR;
		return watchdog_status(json);
	}
	if (strcmp(argv[1], "start") != 0 && strcmp(argv[1], "stop") != 0) {
		log_warnx("unknown watchdog command '%s'; see 'ttp watchdog "
		    "--help'", argv[1]);
		return TTP_EXIT_ERROR;
	}
	if (cli_need_root(strcmp(argv[1], "start") == 0 ? "watchdog start" :
	    "watchdog stop") == -1)
		return TTP_EXIT_NOROOT;
	if (strcmp(argv[1], "start") == 0 && cli_need_helper_user() == -1)
		return TTP_EXIT_ERROR;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	runlog_open();
	if (strcmp(argv[1], "stop") == 0)
		return watchdog_stop();
	return watchdog_start() == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}
