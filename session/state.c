/*
 * runs in: ttp (root or not) and the watchdog's monitor (root while it
 * sets up, then _ttp).
 *
 * The session as its readers see it: the lock, with what the watchdog
 * changed since (watchdog.json), and who the processes it names are.
 */
#include "session/state.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/log.h"
#include "session/anchor.h"
#include "session/proc.h"
#include "session/wdstate.h"
#include "tor/tor_proc.h"

static const struct ttp_config	*cfg;

void
session_use_config(const struct ttp_config *c)
{
	cfg = c;
}

const char *
session_run_path(const char *name)
{
	static char	 buf[PATH_MAX];

	if (cfg == NULL || config_run_path(cfg, name, buf, sizeof(buf)) == -1)
		fatalx("run_dir path too long");
	return buf;
}

bool
session_tor(pid_t pid)
{
	char	 torrc[PATH_MAX], tor[TTP_CONF_PATH_MAX], real[PATH_MAX];
	char	 err[256];
	uid_t	 uid;
	gid_t	 gid;

	snprintf(torrc, sizeof(torrc), "%s/%s", cfg->tor_run_dir,
	    TTP_TORRC_NAME);
	return pid > 0 && tor_is_ours(pid, torrc) == 1 &&
	    tor_find(cfg, tor, sizeof(tor)) == 0 &&
	    realpath(tor, real) != NULL &&
	    tor_ids(cfg, &uid, &gid, err, sizeof(err)) == 0 &&
	    proc_is(pid, real, uid);
}

bool
watchdog_alive(pid_t pid)
{
	struct passwd	*pw;
	char		 self[PATH_MAX], buf[1024], *arg, *prev = NULL;
	ssize_t		 n;

	/* This ttp's own binary, as root (setting up) or as _ttp (the
	 * monitor once it has dropped root), and "watchdog run". */
	if (pid <= 0 || (n = readlink("/proc/self/exe", self,
	    sizeof(self) - 1)) <= 0)
		return false;
	self[n] = '\0';
	if (!proc_is(pid, self, 0) && ((pw = getpwnam(TTP_UNPRIV_USER)) ==
	    NULL || !proc_is(pid, self, pw->pw_uid)))
		return false;
	if ((n = proc_cmdline(pid, buf, sizeof(buf))) == -1)
		return false;
	for (arg = buf; arg < buf + n; arg += strlen(arg) + 1) {
		if (prev != NULL && strcmp(prev, "watchdog") == 0 &&
		    strcmp(arg, "run") == 0)
			return true;
		prev = arg;
	}
	return false;
}

/* No such process, or only its zombie. */
static bool
pid_exited(pid_t pid)
{
	char	 path[64], buf[256], *p;
	FILE	*fp;
	bool	 exited = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return errno == ENOENT;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		exited = p[2] == 'Z' || p[2] == 'X';
	fclose(fp);
	return exited;
}

int
session_read(struct session *s, char *err, size_t errsz)
{
	struct wd_state	 st;
	int		 rc;

	if ((rc = lock_read(session_run_path(TTP_LOCK_NAME), s, err, errsz)) != 0)
		return rc;
	if (wd_state_read(session_run_path(TTP_WATCHDOG_STATE_NAME), &st) != 0 ||
	    st.session_started != s->started || st.pid <= 0 ||
	    st.pid != s->watchdog_pid)
		return 0;
	/* A tor that has exited since is recorded as well: whatever uses the
	 * pid checks who it is first. */
	if (!s->external_daemon && st.tor_pid > 0 && st.tor_pid != s->tor_pid &&
	    (session_tor(st.tor_pid) || pid_exited(st.tor_pid)))
		s->tor_pid = st.tor_pid;
	if (st.anchor_pid > 0 && st.anchor_pid != s->anchor_pid &&
	    anchor_alive(st.anchor_pid))
		s->anchor_pid = st.anchor_pid;
	if (st.mode == WD_MODE_LOCKDOWN && st.last_event != 0 &&
	    s->state == SESSION_ACTIVE)
		s->state = SESSION_LOCKDOWN;
	return 0;
}
