/*
 * runs in: the watchdog's monitor (writes, _ttp) and ttp (reads, any user).
 *
 * <run_dir>/watchdog.json: what the watchdog last saw and did, and the
 * tor and ttp-anchor it started again, written by the monitor each time
 * the guard reports and read by `ttp status` and `ttp watchdog status`
 * without root. The monitor no longer runs as root once it is set up, so
 * it cannot create files in the run directory: it writes through the
 * descriptor it opened while it could, in place, always WD_STATE_SIZE
 * bytes (the JSON padded with spaces). A reader that catches a write
 * half-done sees JSON that does not parse, and reads again.
 */
#include "session/wdstate.h"
#include "session/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const event_names[] = {
	[WD_EV_START] = "start",
	[WD_EV_NFT] = "nftables: table inet ttp changed by another process",
	[WD_EV_NFT_UNKNOWN] = "nftables: change of unknown origin",
	[WD_EV_MOUNT] = "mount table changed",
	[WD_EV_RESOLV] = "resolv.conf changed",
	[WD_EV_TOR_EXIT] = "tor exited",
	[WD_EV_LINK_DOWN] = "network link down",
	[WD_EV_LINK_UP] = "network link up",
	[WD_EV_BACKSTOP] = "periodic check",
	[WD_EV_ANCHOR_EXIT] = "ttp-anchor exited",
};

static const char *const action_names[] = {
	[WD_ACT_NONE] = "none (session intact)",
	[WD_ACT_REPAIRED] = "locked down, then repaired",
	[WD_ACT_LOCKED] = "locked down; repair waits for the link",
	[WD_ACT_STAY_FAILED] = "locked down for good: the repair failed",
	[WD_ACT_STAY_RECURRED] = "locked down for good: the fault recurred",
	[WD_ACT_RELOCKED] = "lockdown ruleset re-applied",
	[WD_ACT_SUSPENDED] = "repairs suspended until the link is back",
	[WD_ACT_RESUMED] = "repairs resumed",
};

static const char *const mode_names[] = {
	[WD_MODE_GUARDING] = "guarding",
	[WD_MODE_SUSPENDED] = "suspended",
	[WD_MODE_LOCKDOWN] = "lockdown",
};

#define NAME_OF(tab, i) \
	((i) > 0 && (size_t)(i) < sizeof(tab) / sizeof(tab[0]) && \
	    (tab)[i] != NULL ? (tab)[i] : "")

const char *
wd_event_name(int ev)
{
	return NAME_OF(event_names, ev);
}

const char *
wd_action_name(int act)
{
	return NAME_OF(action_names, act);
}

const char *
wd_mode_name(int mode)
{
	return NAME_OF(mode_names, mode);
}

int
wd_state_write(int fd, const struct wd_state *st)
{
	char	 buf[WD_STATE_SIZE];
	json_t	*j;
	size_t	 n;

	j = json_pack("{s:I, s:I, s:I, s:I, s:s, s:b, s:i, s:s, s:I, s:I,"
	    " s:i, s:s, s:I, s:i, s:i, s:i, s:i, s:I, s:I}",
	    "pid", (json_int_t)st->pid, "guard_pid", (json_int_t)st->guard_pid,
	    "started", (json_int_t)st->started,
	    "session_started", (json_int_t)st->session_started,
	    "mode", wd_mode_name(st->mode), "stopped", st->stopped,
	    "last_event_code", (int)st->last_event,
	    "last_event", wd_event_name(st->last_event),
	    "last_event_time", (json_int_t)st->last_event_time,
	    "last_event_pid", (json_int_t)st->last_event_pid,
	    "last_action_code", (int)st->last_action,
	    "last_action", wd_action_name(st->last_action),
	    "last_action_time", (json_int_t)st->last_action_time,
	    "reports", (int)st->reports,
	    "faults", (int)st->faults, "repairs", (int)st->repairs,
	    "lockdowns", (int)st->lockdowns,
	    "tor_pid", (json_int_t)st->tor_pid,
	    "anchor_pid", (json_int_t)st->anchor_pid);
	if (j == NULL)
		return -1;
	n = json_dumpb(j, buf, sizeof(buf) - 1, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER);
	json_decref(j);
	if (n == 0 || n >= sizeof(buf) - 1)
		return -1;
	memset(buf + n, ' ', sizeof(buf) - 1 - n);
	buf[sizeof(buf) - 1] = '\n';
	return pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) ? 0 : -1;
}

/* The file's JSON, or NULL: never through a link, never a FIFO. */
static json_t *
state_load(const char *path, int *missing)
{
	char		 buf[WD_STATE_SIZE + 1];
	struct stat	 sb;
	json_t		*root = NULL;
	ssize_t		 n;
	int		 fd, tries;

	*missing = 0;
	for (tries = 0; tries < 5 && root == NULL; tries++) {
		if (tries > 0)
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC)) == -1) {
			*missing = errno == ENOENT;
			return NULL;
		}
		if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    sb.st_size > WD_STATE_SIZE) {
			close(fd);
			return NULL;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		close(fd);
		if (n <= 0)
			continue;
		root = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES,
		    NULL);
		if (root != NULL && !json_is_object(root)) {
			json_decref(root);
			root = NULL;
		}
	}
	return root;
}

int
wd_state_read(const char *path, struct wd_state *st)
{
	json_t		*root;
	const char	*m;
	size_t		 i;
	int		 missing;

	memset(st, 0, sizeof(*st));
	if ((root = state_load(path, &missing)) == NULL)
		return missing ? 1 : -1;
	st->pid = (pid_t)json_get_int(root, "pid", 0, 0x7fffffff);
	st->guard_pid = (pid_t)json_get_int(root, "guard_pid", 0, 0x7fffffff);
	st->started = (time_t)json_get_int(root, "started", 0, 0x7fffffffffffLL);
	st->session_started = (time_t)json_get_int(root, "session_started", 0,
	    0x7fffffffffffLL);
	st->stopped = json_is_true(json_object_get(root, "stopped"));
	m = json_string_value(json_object_get(root, "mode"));
	for (i = 1; m != NULL && i < sizeof(mode_names) /
	    sizeof(mode_names[0]); i++)
		if (strcmp(m, mode_names[i]) == 0)
			st->mode = (enum wd_mode)i;
	st->last_event = (enum wd_event)json_get_int(root, "last_event_code", 0,
	    WD_EV_MAX);
	st->last_event_time = (time_t)json_get_int(root, "last_event_time", 0,
	    0x7fffffffffffLL);
	st->last_event_pid = (pid_t)json_get_int(root, "last_event_pid", 0,
	    0x7fffffff);
	st->last_action = (enum wd_action)json_get_int(root, "last_action_code", 0,
	    WD_ACT_MAX);
	st->last_action_time = (time_t)json_get_int(root, "last_action_time", 0,
	    0x7fffffffffffLL);
	st->reports = (unsigned)json_get_int(root, "reports", 0, 0x7fffffff);
	st->faults = (unsigned)json_get_int(root, "faults", 0, 0x7fffffff);
	st->repairs = (unsigned)json_get_int(root, "repairs", 0, 0x7fffffff);
	st->lockdowns = (unsigned)json_get_int(root, "lockdowns", 0, 0x7fffffff);
	st->tor_pid = (pid_t)json_get_int(root, "tor_pid", 0, 0x7fffffff);
	st->anchor_pid = (pid_t)json_get_int(root, "anchor_pid", 0, 0x7fffffff);
	json_decref(root);
	return 0;
}
