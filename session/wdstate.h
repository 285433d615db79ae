/*
 * <run_dir>/watchdog.json: what the watchdog last saw and did, written by
 * its monitor and read by every command that reads the session. The
 * events, actions and modes are also the values on the wire between the
 * watchdog's guard and monitor (watchdog/watchdog.h).
 */
#ifndef TTP_SESSION_WDSTATE_H
#define TTP_SESSION_WDSTATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* What the guard saw. Names in session/wdstate.c; the values are on the
 * wire between guard and monitor. */
enum wd_event {
	WD_EV_START = 1,	/* first check after start-up */
	WD_EV_NFT,		/* table inet ttp changed by another process */
	WD_EV_NFT_UNKNOWN,	/* nftables changed, origin unknown: checked */
	WD_EV_MOUNT,		/* mount table changed */
	WD_EV_RESOLV,		/* a resolv.conf path changed (inotify) */
	WD_EV_TOR_EXIT,		/* tor exited */
	WD_EV_LINK_DOWN,	/* no network link is up */
	WD_EV_LINK_UP,		/* a link came back */
	WD_EV_BACKSTOP,		/* the slow periodic check */
	WD_EV_ANCHOR_EXIT,	/* ttp-anchor exited: the anchor is gone */
	WD_EV_MAX = WD_EV_ANCHOR_EXIT
};

/* What it did about it. */
enum wd_action {
	WD_ACT_NONE = 1,	/* intact: nothing to do */
	WD_ACT_REPAIRED,	/* locked down, then repaired */
	WD_ACT_LOCKED,		/* locked down, repair deferred (link down) */
	WD_ACT_STAY_FAILED,	/* locked down for good: the repair failed */
	WD_ACT_STAY_RECURRED,	/* locked down for good: the fault recurred */
	WD_ACT_RELOCKED,	/* lockdown table tampered with: re-applied */
	WD_ACT_SUSPENDED,	/* repairs suspended while the link is down */
	WD_ACT_RESUMED,		/* link back, repairs resumed */
	WD_ACT_MAX = WD_ACT_RESUMED
};

/* The guard's mode. */
enum wd_mode {
	WD_MODE_GUARDING = 1,	/* the session ruleset is expected */
	WD_MODE_SUSPENDED,	/* link down: faults lock down, repairs wait */
	WD_MODE_LOCKDOWN,	/* given up: the lockdown ruleset is kept */
	WD_MODE_MAX = WD_MODE_LOCKDOWN
};

struct wd_state {
	pid_t		 pid;		/* the monitor */
	pid_t		 guard_pid;
	time_t		 started;
	time_t		 session_started;
	enum wd_mode	 mode;
	bool		 stopped;	/* the watchdog has exited */
	enum wd_event	 last_event;	/* 0: none yet */
	time_t		 last_event_time;
	pid_t		 last_event_pid;
	enum wd_action	 last_action;
	time_t		 last_action_time;
	unsigned	 reports;	/* every report, a sequence number */
	unsigned	 faults, repairs, lockdowns;
	pid_t		 tor_pid;	/* the session's tor, as last started */
	pid_t		 anchor_pid;	/* its ttp-anchor, likewise */
};
#define WD_STATE_SIZE	2048		/* bytes of watchdog.json, always */
const char *wd_event_name(int ev);
const char *wd_action_name(int act);
const char *wd_mode_name(int mode);
/* Rewrite the whole file through fd (opened at set-up), in place. */
int	wd_state_write(int fd, const struct wd_state *st);
/* 0, 1 when there is no file, -1 when it is unreadable. */
int	wd_state_read(const char *path, struct wd_state *st);

#endif
