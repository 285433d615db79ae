/*
 * runs in: the watchdog's monitor (_ttp, no capabilities), and in one
 * notifier per desktop session, each as that session's user.
 *
 * Telling the people at the machine that the watchdog gave up (the host
 * stays locked down) or stopped unexpectedly: the session log always,
 * `wall` when it is installed, and `notify-send` into each desktop session
 * that was logged in when the watchdog started. Best effort and never
 * blocking the monitor.
 *
 * Nothing is run as root, and no root process waits to do it. `wall` runs
 * as the monitor itself, ttp's own unprivileged user (its setgid tty bit
 * lets it reach the terminals). A session bus accepts only its own user,
 * so at set-up, while it is still root, the monitor forks one notifier per
 * /run/user/UID/bus socket: it becomes that user for good, keeps only the
 * read end of a pipe and waits; a message written there is shown with
 * notify-send, with only that session's bus address and runtime directory
 * in its environment, so one user's session never sees another's. A
 * desktop session that logs in later is not told (the log and `wall`
 * still are).
 */
#include "watchdog/watchdog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "common/exec.h"
#include "tor/pkg.h"

#define NOTIFY_MS	3000
#define NOTIFY_USERS	8	/* desktop sessions told, at most */

static int	 notifiers[NOTIFY_USERS];	/* write ends of their pipes */
static int	 n_notifiers;

static void
run(const char *prog, const char *const argv[], const char *const env[])
{
	struct exec_req	 r;
	char		 path[512], out[256], err[256];
	int		 status;

	if (pkg_find_program(prog, path, sizeof(path)) == -1)
		return;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.argv = argv;
	r.env = env;
	r.out = out;		/* captured and dropped */
	r.outsz = sizeof(out);
	r.timeout_ms = NOTIFY_MS;
	if (exec_run(&r, &status, err, sizeof(err)) == -1)
		log_debug("%s: %s", prog, err);
}

/* In the notifier, as the user: each message is "title\nbody". */
static void __attribute__((noreturn))
notifier_main(int fd, unsigned long uid)
{
	const char	*env[4];
	char		 msg[1024], bus[64], xdg[64], dbus[128], *body;
	ssize_t		 n;

	snprintf(bus, sizeof(bus), "/run/user/%lu/bus", uid);
	snprintf(dbus, sizeof(dbus), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s",
	    bus);
	snprintf(xdg, sizeof(xdg), "XDG_RUNTIME_DIR=/run/user/%lu", uid);
	env[0] = "PATH=" TTP_SAFE_PATH;
	env[1] = dbus;
	env[2] = xdg;
	env[3] = NULL;
	for (;;) {
		while ((n = read(fd, msg, sizeof(msg) - 1)) == -1 &&
		    errno == EINTR)
			;
		if (n <= 0)
			_exit(0);		/* the monitor is gone */
		msg[n] = '\0';
		if ((body = strchr(msg, '\n')) == NULL)
			continue;
		*body++ = '\0';
		{
			const char	*argv[] = { "notify-send", "-u",
			    "critical", "-a", "ttp", msg, body, NULL };

			run("notify-send", argv, env);
		}
	}
}

void
wd_notify_prepare(void)
{
	struct dirent	*de;
	struct passwd	*pw;
	struct stat	 sb;
	char		 bus[64];
	pid_t		 monitor = getpid(), pid;
	DIR		*d;
	int		 p[2];

	if ((d = opendir("/run/user")) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n_notifiers < NOTIFY_USERS) {
		char		*end;
		unsigned long	 uid = strtoul(de->d_name, &end, 10);

		if (*end != '\0' || end == de->d_name || uid == 0)
			continue;
		snprintf(bus, sizeof(bus), "/run/user/%lu/bus", uid);
		/* A live session bus, owned by that user. */
		if (lstat(bus, &sb) == -1 || !S_ISSOCK(sb.st_mode) ||
		    sb.st_uid != (uid_t)uid ||
		    (pw = getpwuid((uid_t)uid)) == NULL ||
		    pipe2(p, O_CLOEXEC) == -1)
			continue;
		fflush(NULL);
		if ((pid = fork()) == 0) {
			int *const	 fds[] = { &p[0] };
			sigset_t	 none;

			closedir(d);
			sigemptyset(&none);
			(void)sigprocmask(SIG_SETMASK, &none, NULL);
			log_set_file(NULL);
			/* AppArmor: notify-send inherits this profile (no
			 * transition is allowed under NO_NEW_PRIVS). */
			sandbox_apparmor_enter("ttp-notify");
			if (wd_move_fds(fds, 1) == -1 ||
			    exec_become(pw->pw_uid, pw->pw_gid) == -1 ||
			    prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
			    getppid() != monitor ||
			    prctl(PR_SET_DUMPABLE, 0) == -1 ||
			    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
				_exit(120);
			notifier_main(p[0], uid);
		}
		close(p[0]);
		if (pid == -1) {
			close(p[1]);
			continue;
		}
		/* A notifier that is busy or stuck never blocks the monitor. */
		(void)fcntl(p[1], F_SETFL, O_NONBLOCK);
		notifiers[n_notifiers++] = p[1];
	}
	closedir(d);
}

void
wd_notify_lockdown(const char *why)
{
	char		 msg[512], line[768];
	const char	*title;
	pid_t		 pid;
	int		 i;

	if (why != NULL) {
		title = "ttp: LOCKDOWN";
		snprintf(msg, sizeof(msg), "ttp: the Tor session was tampered "
		    "with (%s). The host is in LOCKDOWN: nothing but Tor "
		    "leaves it. Run 'sudo ttp diagnose', then 'sudo ttp "
		    "restart' or 'sudo ttp stop'.", why);
	} else {
		title = "ttp: watchdog stopped";
		snprintf(msg, sizeof(msg), "ttp: the session watchdog stopped "
		    "unexpectedly; the firewall stays in place but the "
		    "session is no longer guarded. See 'sudo ttp logs'.");
	}
	log_warnx("%s", msg);
	snprintf(line, sizeof(line), "%s\n%s", title, msg);
	for (i = 0; i < n_notifiers; i++)
		(void)!write(notifiers[i], line, strlen(line));
	fflush(NULL);
	if ((pid = fork()) != 0) {
		if (pid == -1)
			log_warn("fork (notify)");
		return;		/* reaped by the monitor's SIGCHLD handling */
	}
	/* The child: default signals, nothing of the monitor's; the
	 * monitor is _ttp already, and so is wall. */
	{
		sigset_t	 none;
		const char	*wall[] = { "wall", msg, NULL };

		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		run("wall", wall, NULL);
	}
	_exit(0);
}
