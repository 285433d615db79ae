/*
 * runs in: the watchdog's guard, _ttp, no capabilities, Landlock, seccomp.
 *
 * The watchdog's guard: the unprivileged half (see watchdog.h). It runs as
 * the unprivileged user with no capabilities, NO_NEW_PRIVS, Landlock (it
 * may open privd's resolv.conf, read-only, and nothing else) and the
 * seccomp allowlist of seccomp/watchdog.c, and holds only descriptors the
 * monitor opened for it: its own ttp-privd, the monitor, and the event
 * sources. It sleeps in poll() until the kernel reports something; a
 * slow periodic check is only a backstop.
 *
 * The safety argument is the order of the reaction: on any sign of
 * tampering the host is locked down FIRST (FW_LOCKDOWN: only tor and
 * loopback may send), and only then repaired, once, in this order: tor
 * (through the monitor), the resolv.conf overlay, the session ruleset
 * (FW_APPLY, one transaction replacing the lockdown table). The repair
 * counts only if the kernel then holds exactly the ruleset of the lock
 * (same hash) and every check passes. A repair that fails, or a fault of
 * the same kind within the recurrence window of the last repair, leaves
 * the host in lockdown for good: the guard then only keeps the lockdown
 * table in place, and the user decides (`ttp restart` or `ttp stop`).
 *
 * The guard's own privd operations cause nftables notifications and mount
 * events too. Notifications carry the pid of the committing process, so
 * those of our privd are recognised and skipped; for other events the
 * guard just re-checks, and an intact session needs nothing.
 */
#include "watchdog/watchdog.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/exec.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/sandbox.h"

/* Wait at most this long for the NEWGEN closing a transaction. */
#define NFT_PENDING_MS	20
/* And this long for the monitor to restart tor. */
#define RESTART_MS	15000

static struct wd_guard_args	*g;
static enum wd_mode		 mode = WD_MODE_GUARDING;
static bool			 link_up = true;
static unsigned			 pending;	/* faults held while link down */
static uint32_t			 expect_state;	/* what FW_STATUS must say */
static uint64_t			 expect_hash;
static long long		 last_repair[WD_FAULTS];	/* per fault bit, ms */

static const char *
fault_names(unsigned f)
{
	static char	 buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s%s",
	    f & WD_FAULT_FW ? " firewall" : "",
	    f & WD_FAULT_DNS ? " resolv.conf" : "",
	    f & WD_FAULT_TOR ? " tor" : "",
	    f & WD_FAULT_ANCHOR ? " anchor" : "");
	return buf[0] ? buf + 1 : "none";
}

static void __attribute__((noreturn))
guard_exit(int code)
{
	/* _exit: no atexit work (a sanitizer's leak check) under seccomp. */
	_exit(code);
}

/* Tell the monitor; it writes watchdog.json and, for a final lockdown,
 * warns the user. */
static void
report_to_monitor(int ev, int act, int32_t by)
{
	struct wd_msg	 m = { WD_OP_REPORT, (uint8_t)ev, (uint8_t)act,
	    (uint8_t)mode, by };

	if (send(g->monitor, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m)) {
		log_warnx("the monitor is gone; exiting");
		guard_exit(1);
	}
}

static void __attribute__((noreturn))
privd_lost(const struct privop_reply *rep)
{
	log_warnx("%s: the session is no longer guarded (its "
	    "firewall stays as it is)", rep->msg);
	guard_exit(1);
}

static int
lockdown(void)
{
	struct privop_reply	 rep;

	if (privop_fw_lockdown(g->privd, g->s.tor_uid, &rep) == -1) {
		if (rep.err == EPIPE)
			privd_lost(&rep);
		log_warnx("%s", rep.msg);
		return -1;
	}
	expect_state = FW_STATE_LOCKDOWN;
	expect_hash = rep.hash;
	return 0;
}

static bool
tor_gone(void)
{
	return g->tor_pidfd == -1 || exec_pidfd_wait(g->tor_pidfd, 0) == 0;
}

/* Which parts of the session are not as they must be. */
static unsigned
check(void)
{
	struct privop_reply	 rep;
	unsigned		 f = 0;

	if (privop_fw_status(g->privd, &rep) == -1) {
		if (rep.err == EPIPE)
			privd_lost(&rep);
		log_warnx("%s", rep.msg);
		f |= WD_FAULT_FW;	/* cannot tell: assume the worst */
	} else {
		if (rep.state != expect_state || rep.hash != expect_hash)
			f |= WD_FAULT_FW;
		if (rep.anchors == 0)
			f |= WD_FAULT_ANCHOR;
	}
	if (mode == WD_MODE_LOCKDOWN)
		return f & WD_FAULT_FW;
	if (g->resolv_check && !wd_resolv_intact(g->overlay))
		f |= WD_FAULT_DNS;
	if (g->s.tor_pid > 0 && !g->s.external_daemon && tor_gone())
		f |= WD_FAULT_TOR;
	return f;
}

/* Locked down for good: from now on only the lockdown table is kept. */
static void
stay(int ev, int act, int32_t by)
{
	mode = WD_MODE_LOCKDOWN;
	if (expect_state != FW_STATE_LOCKDOWN && lockdown() == -1)
		log_warnx("COULD NOT LOCK THE HOST DOWN: its firewall is as "
		    "the tampering left it. Run 'sudo ttp restart' now");
	else
		log_warnx("the host stays in LOCKDOWN (%s); nothing but "
		    "tor and loopback may send. Run 'sudo ttp diagnose', then "
		    "'sudo ttp restart' or 'sudo ttp stop'",
		    wd_action_name(act));
	report_to_monitor(ev, act, by);
}

/*
 * One request to the monitor that starts a process (tor, or ttp-anchor
 * with the socket passfd): wait for its answer, bounded, and watch the new
 * process through the pidfd that comes with it (opened by its parent
 * before it could be reaped) instead of the old one. Its pid, or -1.
 */
static pid_t
ask_monitor(enum wd_op op, int passfd, const char *what, int *pidfd)
{
	struct wd_msg	 m = { (uint8_t)op, 0, 0, 0, 0 };
	struct wd_reply	 r = { 0, 0 };
	struct pollfd	 p = { .fd = g->monitor, .events = POLLIN };
	int		 fd = -1;

	if (fdpass_send(g->monitor, &m, sizeof(m), passfd) !=
	    (ssize_t)sizeof(m) ||
	    poll(&p, 1, RESTART_MS) != 1 ||
	    fdpass_recv(g->monitor, &r, sizeof(r), &fd) != (ssize_t)sizeof(r)) {
		log_warnx("no answer from the monitor about %s", what);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (r.err != 0 || r.pid <= 0 || fd == -1) {
		log_warnx("%s was not started: %s", what,
		    strerror(r.err ? r.err : EINVAL));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (*pidfd != -1)
		close(*pidfd);
	*pidfd = fd;
	log_info("%s started again (pid %d)", what, r.pid);
	return r.pid;
}

static int
ask_tor_restart(void)
{
	pid_t	 pid;

	if ((pid = ask_monitor(WD_OP_RESTART_TOR, -1, "tor",
	    &g->tor_pidfd)) == -1)
		return -1;
	g->s.tor_pid = pid;
	return 0;
}

/*
 * A new anchor: privd creates it and hands this process the socket that
 * owns it; the monitor starts ttp-anchor to hold it (until then the table
 * lives with this copy).
 */
static int
restore_anchor(void)
{
	struct privop_reply	 rep;
	pid_t			 pid;

	if (privop_fw_anchor(g->privd, &g->apply, &rep) == -1) {
		if (rep.err == EPIPE)
			privd_lost(&rep);
		log_warnx("%s", rep.msg);
		return -1;
	}
	pid = ask_monitor(WD_OP_ANCHOR, rep.fd, "ttp-anchor",
	    &g->anchor_pidfd);
	close(rep.fd);
	return pid == -1 ? -1 : 0;
}

/* The one repair, after the lockdown. 0 only when everything checks. */
static int
repair(unsigned f)
{
	struct privop_reply	 rep;
	unsigned		 left;

	if ((f & WD_FAULT_TOR) && ask_tor_restart() == -1)
		return -1;
	if ((f & WD_FAULT_ANCHOR) && restore_anchor() == -1)
		return -1;
	if ((f & WD_FAULT_DNS) &&
	    privop_dns_overlay(g->privd, &rep) == -1) {
		if (rep.err == EPIPE)
			privd_lost(&rep);
		log_warnx("%s", rep.msg);
		return -1;
	}
	/* One transaction: the lockdown table is replaced, never removed. */
	if (privop_fw_apply(g->privd, &g->apply, &rep) == -1) {
		if (rep.err == EPIPE)
			privd_lost(&rep);
		log_warnx("%s", rep.msg);
		return -1;
	}
	if (rep.hash != g->s.fw_hash) {
		log_warnx("the re-applied ruleset (hash %016llx) is "
		    "not the session's (%016llx)", (unsigned long long)rep.hash,
		    (unsigned long long)g->s.fw_hash);
		(void)lockdown();
		return -1;
	}
	expect_state = FW_STATE_SESSION;
	expect_hash = g->s.fw_hash;
	if ((left = check()) != 0) {
		log_warnx("still wrong after the repair: %s",
		    fault_names(left));
		(void)lockdown();
		return -1;
	}
	return 0;
}

static void
react(unsigned f, int ev, int32_t by)
{
	unsigned	 now;
	long long	 t;
	int		 bit;

	if (f == 0) {
		log_debug("%s: session intact", wd_event_name(ev));
		return;
	}
	if (mode == WD_MODE_LOCKDOWN) {
		/* Given up: only the lockdown table itself is kept. */
		if ((f & WD_FAULT_FW) && lockdown() == 0) {
			log_warnx("%s: lockdown ruleset re-applied",
			    wd_event_name(ev));
			report_to_monitor(ev, WD_ACT_RELOCKED, by);
		}
		return;
	}
	/* Link down and already locked down for these faults: nothing new. */
	if (!link_up && expect_state == FW_STATE_LOCKDOWN &&
	    (f & ~pending) == 0 && !(f & WD_FAULT_FW))
		return;
	/* 1. Fail closed; say so after, every millisecond counts. */
	if (lockdown() == -1) {
		stay(ev, WD_ACT_STAY_FAILED, by);
		return;
	}
	if (by > 0)
		log_warnx("%s (pid %d): %s: locked down", wd_event_name(ev),
		    by, fault_names(f));
	else
		log_warnx("%s: %s: locked down", wd_event_name(ev),
		    fault_names(f));
	now = check();
	if (now & WD_FAULT_FW) {
		log_warnx("the lockdown ruleset did not hold");
		stay(ev, WD_ACT_STAY_FAILED, by);
		return;
	}
	f |= now;
	if (!link_up) {
		pending |= f;
		log_info("the link is down: repair waits for it");
		report_to_monitor(ev, WD_ACT_LOCKED, by);
		return;
	}
	f |= pending;
	pending = 0;

	/* 2. The same fault again soon after its repair: someone insists. */
	t = clock_ms();
	for (bit = 0; bit < WD_FAULTS; bit++)
		if ((f & (1U << bit)) && last_repair[bit] != 0 &&
		    t - last_repair[bit] < (long long)g->window * 1000) {
			log_warnx("%s fault again within %d s of its "
			    "repair", fault_names(1U << bit), g->window);
			stay(ev, WD_ACT_STAY_RECURRED, by);
			return;
		}

	/* 3. One repair. */
	if (repair(f) == -1) {
		stay(ev, WD_ACT_STAY_FAILED, by);
		return;
	}
	for (bit = 0; bit < WD_FAULTS; bit++)
		if (f & (1U << bit))
			last_repair[bit] = t;
	log_info("repaired (%s); the session is intact again",
	    fault_names(f));
	report_to_monitor(ev, WD_ACT_REPAIRED, by);
}

static void
link_changed(bool up)
{
	unsigned	 f;

	if (up == link_up)
		return;
	link_up = up;
	if (mode == WD_MODE_LOCKDOWN)
		return;
	if (!up) {
		mode = WD_MODE_SUSPENDED;
		log_info("no network link is up: repairs suspended");
		report_to_monitor(WD_EV_LINK_DOWN, WD_ACT_SUSPENDED, 0);
		return;
	}
	mode = WD_MODE_GUARDING;
	log_info("a network link is up: repairs resumed");
	if ((f = check() | pending) != 0)
		react(f, WD_EV_LINK_UP, 0);
	else
		report_to_monitor(WD_EV_LINK_UP, WD_ACT_RESUMED, 0);
}

static void
first_check(void)
{
	struct privop_reply	 rep;
	unsigned		 f;

	if (g->s.state == SESSION_LOCKDOWN) {
		/* The session is already locked down: keep it so. */
		mode = WD_MODE_LOCKDOWN;
		if (privop_fw_status(g->privd, &rep) == 0 &&
		    rep.state == FW_STATE_LOCKDOWN) {
			expect_state = FW_STATE_LOCKDOWN;
			expect_hash = rep.hash;
		} else if (rep.err == EPIPE)
			privd_lost(&rep);
		else
			(void)lockdown();
		report_to_monitor(WD_EV_START, WD_ACT_NONE, 0);
		return;
	}
	expect_state = FW_STATE_SESSION;
	expect_hash = g->s.fw_hash;
	if ((f = check()) != 0)
		react(f, WD_EV_START, 0);
	else
		report_to_monitor(WD_EV_START, WD_ACT_NONE, 0);
}

enum { P_MONITOR, P_NFT, P_RTNL, P_MOUNT, P_INOTIFY, P_TOR, P_ANCHOR, P_N };

void
wd_guard_main(struct wd_guard_args *args)
{
	struct pollfd	 pfd[P_N];
	long long	 next_backstop;
	int32_t		 by;
	int		 r;

	g = args;
	log_info("guarding the session (tor uid %u, %s tor%s)",
	    g->s.tor_uid, g->s.external_daemon ? "external" : "supervised",
	    g->resolv_check ? ", resolv.conf overlay" : "");
	first_check();
	next_backstop = clock_ms() + (long long)g->backstop * 1000;
	for (;;) {
		long long	 t;
		int		 n, timeout;

		pfd[P_MONITOR] = (struct pollfd){ g->monitor, POLLIN, 0 };
		pfd[P_NFT] = (struct pollfd){ g->nft, POLLIN, 0 };
		pfd[P_RTNL] = (struct pollfd){ g->rtnl, POLLIN, 0 };
		pfd[P_MOUNT] = (struct pollfd){ g->mountinfo, POLLPRI, 0 };
		pfd[P_INOTIFY] = (struct pollfd){ g->inotify, POLLIN, 0 };
		/* A dead tor's pidfd stays readable: not while its fault
		 * is already known. */
		pfd[P_TOR] = (struct pollfd){ mode == WD_MODE_LOCKDOWN ||
		    (pending & WD_FAULT_TOR) ? -1 : g->tor_pidfd, POLLIN, 0 };
		pfd[P_ANCHOR] = (struct pollfd){ mode == WD_MODE_LOCKDOWN ||
		    (pending & WD_FAULT_ANCHOR) ? -1 : g->anchor_pidfd, POLLIN,
		    0 };
		t = next_backstop - clock_ms();
		timeout = t < 0 ? 0 : t > 3600000 ? 3600000 : (int)t;
		if (wd_nft_pending() && timeout > NFT_PENDING_MS)
			timeout = NFT_PENDING_MS;
		if ((n = poll(pfd, P_N, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			guard_exit(1);
		}
		/* The monitor closed its end (stop) or died. */
		if (pfd[P_MONITOR].revents)
			guard_exit(0);

		/* Firewall first: that is where a gap would open. */
		if (pfd[P_NFT].revents) {
			by = 0;
			r = wd_nft_read(g->nft, g->privd_pid, &by);
			if (r == WD_EV_NFT)
				react(WD_FAULT_FW, WD_EV_NFT, by);
			else if (r == WD_EV_NFT_UNKNOWN)
				react(check(), WD_EV_NFT_UNKNOWN, 0);
		}
		if (n == 0 && wd_nft_pending()) {
			wd_nft_forget();
			react(check(), WD_EV_NFT_UNKNOWN, 0);
		}
		if (pfd[P_TOR].revents)
			react(check(), WD_EV_TOR_EXIT, 0);
		if (pfd[P_ANCHOR].revents) {
			/* Its table goes as the process does; wait no more
			 * on a pidfd that stays readable. */
			close(g->anchor_pidfd);
			g->anchor_pidfd = -1;
			react(check() | WD_FAULT_ANCHOR, WD_EV_ANCHOR_EXIT, 0);
		}
		if (pfd[P_MOUNT].revents)
			react(check(), WD_EV_MOUNT, 0);
		if (pfd[P_INOTIFY].revents && wd_inotify_read(g->inotify))
			react(check(), WD_EV_RESOLV, 0);
		if (pfd[P_RTNL].revents)
			link_changed(wd_rtnl_read(g->rtnl, g->link_if) == 1);
		if (clock_ms() >= next_backstop) {
			react(check(), WD_EV_BACKSTOP, 0);
			next_backstop = clock_ms() + (long long)g->backstop * 1000;
		}
	}
}

/*
 * In the child the monitor forks, still root: the guard confines itself
 * (descriptors, uid, death signal, not dumpable, Landlock, seccomp), then
 * runs.
 */
void
wd_guard_child(struct wd_guard_args *a, int logfd, pid_t monitor)
{
	static char	 logbuf[4096];
	int *const	 fds[] = { &a->privd, &a->monitor, &a->nft, &a->rtnl,
	    &a->mountinfo, &a->inotify, &a->tor_pidfd, &a->anchor_pidfd,
	    &logfd };
	const char	*overlay[2] = { NULL, NULL };
	sigset_t	 none;
	FILE		*fp;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* A process group of its own: a ^C on the terminal of a foreground
	 * `ttp watchdog run` is the monitor's to handle (it then closes
	 * the guard's socket), not a reason for the guard to die first. */
	(void)setpgid(0, 0);
	if (wd_move_fds(fds, (int)(sizeof(fds) / sizeof(fds[0]))) == -1)
		_exit(120);
	/* The session log, buffered by line, with a buffer of our own so
	 * stdio need not allocate or probe the file under seccomp. */
	log_set_file(NULL);
	if (logfd != -1 && (fp = fdopen(logfd, "a")) != NULL &&
	    setvbuf(fp, logbuf, _IOLBF, sizeof(logbuf)) == 0)
		log_set_file(fp);
	if (sandbox_drop_user(TTP_UNPRIV_USER) == -1)
		_exit(121);
	/* Die with the monitor; set after the uid change, which clears it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != monitor)
		_exit(122);
	/* No core dumps, no ptrace by other processes of the same user. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		_exit(123);
	/* Landlock: only privd's resolv.conf may still be opened (read). */
	overlay[0] = a->resolv_check ? a->overlay : NULL;
	if (sandbox_landlock(&sandbox_fs_watchdog, overlay) == -1)
		_exit(125);
	if (sandbox_seccomp(&sandbox_watchdog) == -1)
		_exit(124);
	wd_guard_main(a);
}
