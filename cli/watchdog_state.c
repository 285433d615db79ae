/*
 * <run_dir>/watchdog.json: what the watchdog last saw and did, written by
 * the root monitor (the guard cannot write in the run directory) each
 * time the guard reports, and read by `ttp watchdog status` without root.
 * Written atomically (temporary file + rename), mode 0644, like the lock.
 */
#include "cli/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
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
wd_state_write(const char *path, const struct wd_state *st)
{
	char	 tmp[4096];
	json_t	*j;
	int	 fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	j = json_pack("{s:I, s:I, s:I, s:I, s:s, s:b, s:i, s:s, s:I, s:I,"
	    " s:i, s:s, s:I, s:i, s:i, s:i, s:i}",
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
	    "lockdowns", (int)st->lockdowns);
	if (j == NULL)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		json_decref(j);
		return -1;
	}
	rc = json_dumpfd(j, fd, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (rc == -1 || write(fd, "\n", 1) != 1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static json_int_t
get_int(json_t *root, const char *key, json_int_t lo, json_int_t hi)
{
	json_t		*v = json_object_get(root, key);
	json_int_t	 n;

	if (!json_is_integer(v))
		return 0;
	n = json_integer_value(v);
	return n < lo || n > hi ? 0 : n;
}

int
wd_state_read(const char *path, struct wd_state *st)
{
	json_t		*root;
	const char	*m;
	size_t		 i;

	memset(st, 0, sizeof(*st));
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 1;
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL || !json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	st->pid = (pid_t)get_int(root, "pid", 0, 0x7fffffff);
	st->guard_pid = (pid_t)get_int(root, "guard_pid", 0, 0x7fffffff);
	st->started = (time_t)get_int(root, "started", 0, 0x7fffffffffffLL);
	st->session_started = (time_t)get_int(root, "session_started", 0,
	    0x7fffffffffffLL);
	st->stopped = json_is_true(json_object_get(root, "stopped"));
	m = json_string_value(json_object_get(root, "mode"));
	for (i = 1; m != NULL && i < sizeof(mode_names) /
	    sizeof(mode_names[0]); i++)
		if (strcmp(m, mode_names[i]) == 0)
			st->mode = (enum wd_mode)i;
	st->last_event = (enum wd_event)get_int(root, "last_event_code", 0,
	    WD_EV_MAX);
	st->last_event_time = (time_t)get_int(root, "last_event_time", 0,
	    0x7fffffffffffLL);
	st->last_event_pid = (pid_t)get_int(root, "last_event_pid", 0,
	    0x7fffffff);
	st->last_action = (enum wd_action)get_int(root, "last_action_code", 0,
	    WD_ACT_MAX);
	st->last_action_time = (time_t)get_int(root, "last_action_time", 0,
	    0x7fffffffffffLL);
	st->reports = (unsigned)get_int(root, "reports", 0, 0x7fffffff);
	st->faults = (unsigned)get_int(root, "faults", 0, 0x7fffffff);
	st->repairs = (unsigned)get_int(root, "repairs", 0, 0x7fffffff);
	st->lockdowns = (unsigned)get_int(root, "lockdowns", 0, 0x7fffffff);
	json_decref(root);
	return 0;
}
