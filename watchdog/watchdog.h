/*
 * The session watchdog (docs/watchdog.md). In the manner of OpenSSH's
 * privilege separation:
 *
 *   monitor (`ttp watchdog run`): as root, reads the session, starts the
 *   guard's own ttp-privd, opens every event source while it still may,
 *   forks the tor launcher, the desktop notifiers and the guard (handing
 *   it those descriptors), records its pid in the lock; then becomes _ttp
 *   with no capabilities. It serves nothing but three fixed-size requests
 *   from the guard (wd_msg below): record an event, restart tor (through
 *   the launcher), start ttp-anchor. It never touches the firewall or a
 *   mount.
 *
 *   guard (unprivileged, no capabilities, seccomp/watchdog.c): waits on
 *   kernel events (nftables notifications, mountinfo, inotify, tor's pidfd,
 *   rtnetlink), and on tampering first locks the host down through privd,
 *   then repairs once; a repair that fails or a fault that recurs within
 *   the window leaves the host in lockdown.
 *
 * The monitor's pid is the watchdog_pid of the session lock; the guard's
 * state is published by the monitor in <run_dir>/watchdog.json (0644).
 */
#ifndef TTP_WATCHDOG_H
#define TTP_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/config.h"
#include "ipc/privop.h"
#include "session/lock.h"
#include "session/wdstate.h"

/* Fault bits found by a check. */
#define WD_FAULT_FW	0x01	/* table inet ttp is not what was installed */
#define WD_FAULT_DNS	0x02	/* the resolv.conf overlay is gone or altered */
#define WD_FAULT_TOR	0x04	/* the supervised tor is gone */
#define WD_FAULT_ANCHOR	0x08	/* no anchor table (its ttp-anchor died) */
#define WD_FAULTS	4	/* fault bits */

/*
 * guard -> monitor, one SOCK_SEQPACKET message of exactly this size.
 * REPORT: record event/action/mode in watchdog.json (a final lockdown
 * too); no reply. RESTART_TOR: start the session's tor again; the reply
 * is a wd_reply. ANCHOR: carries (SCM_RIGHTS) the socket that owns a new
 * anchor table, which the guard had privd create; the monitor starts
 * ttp-anchor to hold it; the reply is a wd_reply with its pid. A reply
 * with err 0 carries a pidfd of the new process (SCM_RIGHTS), opened by
 * its parent before it could be reaped. Anything else, a descriptor with
 * another op, or a field out of range, ends the monitor.
 */
enum wd_op {
	WD_OP_REPORT = 1,
	WD_OP_RESTART_TOR,
	WD_OP_ANCHOR,
};

struct wd_msg {
	uint8_t		 op;
	uint8_t		 event;		/* enum wd_event */
	uint8_t		 action;	/* enum wd_action */
	uint8_t		 mode;		/* enum wd_mode */
	int32_t		 by_pid;	/* process behind a WD_EV_NFT, or 0 */
};

struct wd_reply {
	int32_t		 err;		/* 0 or an errno value */
	int32_t		 pid;		/* the new tor, or ttp-anchor */
};

/* What the monitor hands the guard across fork(). */
struct wd_guard_args {
	struct session	 s;		/* the lock at start-up */
	struct privop_fw_apply apply;	/* FW_APPLY rebuilt from the lock */
	int		 privd;		/* socket to the watchdog's own privd */
	pid_t		 privd_pid;
	int		 monitor;	/* socket to the monitor */
	int		 nft;		/* NETLINK_NETFILTER, NFNLGRP_NFTABLES */
	int		 rtnl;		/* NETLINK_ROUTE, RTMGRP_LINK */
	int		 mountinfo;	/* /proc/self/mountinfo, polled */
	int		 inotify;	/* the resolv.conf paths */
	int		 tor_pidfd;	/* -1: no supervised tor */
	int		 anchor_pidfd;	/* the session's ttp-anchor, or -1 */
	int		 resolv_check;	/* 1: the overlay is part of the session */
	int		 window;	/* recurrence window, seconds */
	int		 backstop;	/* backstop period, seconds */
	char		 overlay[512];	/* <run_dir>/resolv.conf */
	unsigned	 link_if;	/* ifindex of -i, or 0: any link */
};

/* events.c: opening the sources (as root) and reading them. */
int	wd_nft_open(void);
int	wd_rtnl_open(void);
int	wd_inotify_open(const char *run_dir);
/*
 * Drain the nftables socket. Returns WD_EV_NFT with *by_pid set when a
 * transaction of another process than `self` touched table inet ttp,
 * WD_EV_NFT_UNKNOWN when that cannot be told (overrun, no pid), 0 when
 * nothing relevant happened.
 */
int	wd_nft_read(int fd, pid_t self, int32_t *by_pid);
/* A transaction touched inet ttp but its NEWGEN has not been read yet. */
bool	wd_nft_pending(void);
void	wd_nft_forget(void);
/* Drain rtnetlink; update the link table. 1: some link is up, 0: none. */
int	wd_rtnl_read(int fd, unsigned link_if);
/* Ask for a dump of the links (answered through wd_rtnl_read). */
int	wd_rtnl_dump(int fd);
/* Drain inotify. 1: an event named resolv.conf (or an overflow). */
int	wd_inotify_read(int fd);
/* Does what resolvers read come from the overlay, and say 127.0.0.1? */
bool	wd_resolv_intact(const char *overlay);

/*
 * launcher.c: the tor launcher, the tor user's own process that
 * starts the session's tor again (the monitor asks with one byte).
 * wd_launcher_start, as root at set-up: 0 with *sock, or -1 (logged: tor
 * will not be restarted). wd_launcher_restart: 0 with the new tor's pid
 * and a pidfd of it, or an errno value (EEXIST: the last tor still runs).
 */
#define WD_LAUNCH_TOR	0x54	/* 'T' */
#define WD_LAUNCH_MS	5000
int	wd_launcher_start(const struct ttp_config *cfg, const struct session *s,
	    const char *torrc_path, int *sock, pid_t *pid);
int	wd_launcher_restart(int sock, pid_t *pid, int *pidfd);
/*
 * In a child the monitor forks: put the descriptors on 3, 4, ... (-1s
 * stay -1) and close every other one, so nothing leaks in.
 */
int	wd_move_fds(int *const fds[], int n);

/* guard.c: never returns. */
void	wd_guard_main(struct wd_guard_args *g) __attribute__((noreturn));
/* In the child the monitor forked, as root: confine, then wd_guard_main.
 * logfd: the session log, or -1; monitor: the parent's pid. */
void	wd_guard_child(struct wd_guard_args *a, int logfd, pid_t monitor)
	    __attribute__((noreturn));

/* monitor.c: `ttp watchdog run`. ready_fd: -1, or a pipe that
 * gets our pid once the guard has finished its first check. */
int	wd_monitor_run(const struct ttp_config *cfg, int ready_fd, int window);

/* notify.c: tell the user the host stays locked down (why), or
 * that the watchdog stopped (NULL). wd_notify_prepare, as root at set-up,
 * forks the notifiers of the desktop sessions logged in then. */
void	wd_notify_prepare(void);
void	wd_notify_lockdown(const char *why);

#endif
