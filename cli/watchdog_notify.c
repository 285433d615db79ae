/*
 * Telling the people at the machine that the watchdog gave up (the host
 * stays locked down) or stopped unexpectedly: the session log always,
 * `wall` when it is installed, and `notify-send` into each logged-in
 * desktop session. Best effort and never blocking the monitor: one forked
 * child does it all, every program bounded by a short timeout, and the
 * monitor only reaps it.
 *
 * Nothing is run as root. `wall` runs as ttp's own unprivileged user, and
 * not at all without it (its setgid tty bit lets it reach the terminals);
 * notify-send runs as the owner of each /run/user/UID/bus socket, with only
 * that session's bus address and runtime directory in its environment, so
 * root never speaks on a user's bus and one user's session never sees
 * another's.
 */
#include "cli/watchdog.h"

#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "torctl/exec.h"
#include "torctl/pkg.h"

#define NOTIFY_MS	3000
#define NOTIFY_USERS	8	/* desktop sessions told, at most */

static void
run_as(const char *prog, const char *const argv[], const char *const env[],
    uid_t uid, gid_t gid)
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
	r.as_user = 1;
	r.uid = uid;
	r.gid = gid;
	r.out = out;		/* captured and dropped */
	r.outsz = sizeof(out);
	r.timeout_ms = NOTIFY_MS;
	if (exec_run(&r, &status, err, sizeof(err)) == -1)
		log_debug("%s: %s", prog, err);
}

static void
tell_desktops(const char *title, const char *msg)
{
	const char	*argv[] = { "notify-send", "-u", "critical", "-a", "ttp",
	    title, msg, NULL };
	const char	*env[4];
	char		 bus[64], xdg[64], dbus[128];
	struct dirent	*de;
	struct passwd	*pw;
	struct stat	 sb;
	DIR		*d;
	int		 n = 0;

	if ((d = opendir("/run/user")) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < NOTIFY_USERS) {
		char		*end;
		unsigned long	 uid = strtoul(de->d_name, &end, 10);

		if (*end != '\0' || end == de->d_name || uid == 0)
			continue;
		snprintf(bus, sizeof(bus), "/run/user/%lu/bus", uid);
		/* A live session bus, owned by that user. */
		if (lstat(bus, &sb) == -1 || !S_ISSOCK(sb.st_mode) ||
		    sb.st_uid != (uid_t)uid ||
		    (pw = getpwuid((uid_t)uid)) == NULL)
			continue;
		snprintf(dbus, sizeof(dbus), "DBUS_SESSION_BUS_ADDRESS=unix:"
		    "path=%s", bus);
		snprintf(xdg, sizeof(xdg), "XDG_RUNTIME_DIR=/run/user/%lu", uid);
		env[0] = "PATH=" TTP_SAFE_PATH;
		env[1] = dbus;
		env[2] = xdg;
		env[3] = NULL;
		run_as("notify-send", argv, env, pw->pw_uid, pw->pw_gid);
		n++;
	}
	closedir(d);
}

void
wd_notify_lockdown(const char *why)
{
	char		 msg[512];
	const char	*title;
	struct passwd	*pw;
	pid_t		 pid;

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
	fflush(NULL);
	if ((pid = fork()) != 0) {
		if (pid == -1)
			log_warn("fork (notify)");
		return;		/* reaped by the monitor's SIGCHLD handling */
	}
	/* The child: default signals, nothing of the monitor's. */
	{
		sigset_t	 none;

		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
	}
	/* Only as ttp's own user: never root, never a shared account. */
	if ((pw = getpwnam(TTP_UNPRIV_USER)) != NULL &&
	    sandbox_user_unfit(pw) == NULL) {
		const char	*wall[] = { "wall", msg, NULL };

		run_as("wall", wall, NULL, pw->pw_uid, pw->pw_gid);
	}
	tell_desktops(title, msg);
	_exit(0);
}
