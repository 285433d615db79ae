/*
 * runs in: `ttp watchdog run`, the watchdog's monitor: root while it sets
 * up, then _ttp with no capabilities.
 *
 * The set-up, in this order, as root: read the session (an active or
 * locked-down one is required), start the watchdog's own ttp-privd (its
 * role pinned to this session's repairs), open the event sources (the
 * nftables subscription needs CAP_NET_ADMIN), open watchdog.json for
 * writing, fork the tor launcher (it becomes the tor user), the notifiers
 * (each becomes a desktop session's user) and the guard, record our pid
 * in the lock. Then the monitor drops root for good and only serves the
 * guard's three requests (watchdog/watchdog.h: wd_msg): it writes what the
 * guard reports into watchdog.json, asks the launcher to start tor again,
 * and starts ttp-anchor for a new anchor's socket. No process of the
 * watchdog but its ttp-privd keeps root, and that one runs under seccomp.
 * The monitor has no seccomp filter because the programs it starts
 * (ttp-anchor, wall) would inherit it; it is not dumpable and the guard
 * cannot trace it.
 *
 * What keeps it small is what it accepts: a fixed 8-byte message, each
 * field range-checked, requests refused when the guard's own reported mode
 * forbids them (nothing after a final lockdown), tor restarted at most
 * once per recurrence window. It holds no privd socket itself, so when
 * the guard dies, its privd sees its peer gone and exits.
 */
#include "session/anchor.h"
#include "session/state.h"
#include "watchdog/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/defaults.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "common/exec.h"
#include "tor/tor_proc.h"

#define GUARD_STOP_MS	2000

static const struct ttp_config *cfg;
static struct session	 sess;		/* the lock when we started */
static struct wd_state	 st;
static char		 lock_path[PATH_MAX], torrc_path[PATH_MAX];
static int		 state_fd = -1;	/* watchdog.json, opened as root */
static int		 launcher = -1;	/* socket to the tor launcher */
static long long	 last_restart;	/* ms, monotonic */
static int		 window;
static pid_t		 guard;

/* ---- the lock: only ever our own session's ------------------------- */

/*
 * Record this watchdog in the lock, with the tor and ttp-anchor the
 * session now has (a watchdog before us may have started them again):
 * only while we are still root, and only our own session's lock. From
 * then on what changes is in watchdog.json (session_read merges it).
 */
static int
lock_record(void)
{
	struct session	 s;
	char		 err[512];

	if (lock_read(lock_path, &s, err, sizeof(err)) != 0)
		return -1;
	if (s.started != sess.started || s.pid != sess.pid)
		return -1;
	s.watchdog_pid = getpid();
	s.tor_pid = sess.tor_pid;
	s.anchor_pid = sess.anchor_pid;
	if (lock_write(lock_path, &s, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

static void
state_save(void)
{
	if (wd_state_write(state_fd, &st) == -1)
		log_warn("cannot write %s", TTP_WATCHDOG_STATE_NAME);
}

/* ---- set-up -------------------------------------------------------- */

static int
load_session(void)
{
	char	 err[512];
	int	 rc;

	snprintf(lock_path, sizeof(lock_path), "%s",
	    session_run_path(TTP_LOCK_NAME));
	if ((rc = session_read(&sess, err, sizeof(err))) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if (rc == 1) {
		log_warnx("no ttp session is running: nothing to guard "
		    "(start one with 'sudo ttp start -w')");
		return -1;
	}
	if (sess.state != SESSION_ACTIVE && sess.state != SESSION_LOCKDOWN) {
		log_warnx("the session is %s, not active: nothing to guard",
		    session_state_name(sess.state));
		return -1;
	}
	if (sess.watchdog_pid > 0 && sess.watchdog_pid != getpid() &&
	    watchdog_alive(sess.watchdog_pid)) {
		log_warnx("the session is already guarded by watchdog pid %d",
		    (int)sess.watchdog_pid);
		return -1;
	}
	if (sess.tor_uid == 0 || sess.fw_hash == 0) {
		log_warnx("the session lock has no tor uid or ruleset hash; "
		    "run 'sudo ttp restart'");
		return -1;
	}
	return 0;
}

static void
build_apply(struct privop_fw_apply *a)
{
	int	 i;

	memset(a, 0, sizeof(*a));
	a->tor_uid = sess.tor_uid;
	a->trans_port = sess.trans_port;
	a->dns_port = sess.dns_port;
	for (i = 0; i < sess.n_bypass_uids; i++)
		a->bypass_uids[i] = sess.bypass_uids[i];
	for (i = 0; i < sess.n_bypass_gids; i++)
		a->bypass_gids[i] = sess.bypass_gids[i];
	a->n_bypass_uids = sess.n_bypass_uids;
	a->n_bypass_gids = sess.n_bypass_gids;
	a->allow_root = sess.allow_root;
	a->lan_bypass = sess.lan_bypass;
	a->routers = sess.routers;
	a->gw = sess.gw;
	a->iso = sess.iso;
	a->ipv6 = sess.ipv6;
}

static int
open_sources(struct wd_guard_args *a)
{
	a->nft = wd_nft_open();
	a->rtnl = wd_rtnl_open();
	a->inotify = wd_inotify_open(cfg->run_dir);
	a->mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (a->nft == -1 || a->rtnl == -1 || a->inotify == -1 ||
	    a->mountinfo == -1 || wd_rtnl_dump(a->rtnl) == -1) {
		if (a->mountinfo == -1)
			log_warn("/proc/self/mountinfo");
		return -1;
	}
	/* The pidfd first, then who it is: the one watched is the one
	 * checked, even if the pid was recycled in between. */
	a->tor_pidfd = -1;
	if (!sess.external_daemon && sess.tor_pid > 0 &&
	    (a->tor_pidfd = exec_pidfd_open(sess.tor_pid)) != -1 &&
	    !session_tor(sess.tor_pid)) {
		close(a->tor_pidfd);
		a->tor_pidfd = -1;
	}
	/* No anchor (its ttp-anchor died): the guard's first check sees
	 * the fault and has it made again. */
	if ((a->anchor_pidfd = sess.anchor_pid > 0 ?
	    exec_pidfd_open(sess.anchor_pid) : -1) != -1 &&
	    !anchor_alive(sess.anchor_pid)) {
		close(a->anchor_pidfd);
		a->anchor_pidfd = -1;
	}
	return 0;
}

int
wd_move_fds(int *const fds[], int n)
{
	int	 i, tmp[16];

	if (n > 16)
		return -1;
	for (i = 0; i < n; i++)
		if (*fds[i] == -1)
			tmp[i] = -1;
		else if ((tmp[i] = fcntl(*fds[i], F_DUPFD_CLOEXEC, 64)) == -1)
			return -1;
	for (i = 0; i < n; i++) {
		if (tmp[i] == -1)
			continue;
		if (dup3(tmp[i], 3 + i, O_CLOEXEC) == -1)
			return -1;
		*fds[i] = 3 + i;
	}
	return sandbox_close_from(3 + n);
}

/* ---- requests from the guard --------------------------------------- */

static void
notify_final(const struct wd_msg *m)
{
	char	 why[256];

	snprintf(why, sizeof(why), "%s; %s", wd_event_name(m->event),
	    wd_action_name(m->action));
	wd_notify_lockdown(why);
}

static int
on_report(const struct wd_msg *m, int *ready_fd)
{
	time_t	 now = time(NULL);
	int	 prev = st.last_action;
	bool	 fault;

	if (m->event < 1 || m->event > WD_EV_MAX || m->action < 1 ||
	    m->action > WD_ACT_MAX || m->mode < 1 || m->mode > WD_MODE_MAX ||
	    m->by_pid < 0)
		return -1;
	/* The guard never leaves a final lockdown. */
	if (st.mode == WD_MODE_LOCKDOWN && st.last_event != 0 &&
	    m->mode != WD_MODE_LOCKDOWN)
		return -1;
	fault = m->action == WD_ACT_REPAIRED || m->action == WD_ACT_LOCKED ||
	    m->action == WD_ACT_STAY_FAILED ||
	    m->action == WD_ACT_STAY_RECURRED || m->action == WD_ACT_RELOCKED;
	st.last_event = m->event;
	st.last_event_time = now;
	st.last_event_pid = m->by_pid;
	st.last_action = m->action;
	st.last_action_time = now;
	st.mode = m->mode;
	st.reports++;
	/* A deferred repair ends the incident its lockdown began. */
	if (fault && !(m->action == WD_ACT_REPAIRED &&
	    prev == WD_ACT_LOCKED))
		st.faults++;
	if (fault)
		st.lockdowns++;
	if (m->action == WD_ACT_REPAIRED)
		st.repairs++;
	state_save();	/* a final lockdown: the lock's readers see it here */
	if (m->action == WD_ACT_STAY_FAILED ||
	    m->action == WD_ACT_STAY_RECURRED)
		notify_final(m);
	if (*ready_fd != -1) {
		pid_t	 self = getpid();

		(void)!write(*ready_fd, &self, sizeof(self));
		close(*ready_fd);
		*ready_fd = -1;
	}
	return 0;
}

/* Restart the session's tor, at most once per window, never after a
 * final lockdown; the launcher starts it only when the last one is gone. */
static int
serve_tor_restart(pid_t *pid, int *pidfd)
{
	long long	 t = clock_ms();
	int		 e;

	*pidfd = -1;
	if (launcher == -1 || st.mode == WD_MODE_LOCKDOWN)
		return EPERM;
	if (last_restart != 0 && t - last_restart < (long long)window * 1000)
		return EAGAIN;
	last_restart = t;
	if ((e = wd_launcher_restart(launcher, pid, pidfd)) != 0)
		return e;
	st.tor_pid = *pid;
	state_save();
	log_info("tor restarted as pid %d", (int)*pid);
	return 0;
}

/* A wd_reply, with the new process's pidfd when there is one. 0, or 1
 * when the guard is gone. */
static int
reply(int fd, const struct wd_reply *r, int pidfd)
{
	ssize_t	 n;

	n = fdpass_send(fd, r, sizeof(*r), r->err == 0 ? pidfd : -1);
	if (pidfd != -1)
		close(pidfd);
	return n == (ssize_t)sizeof(*r) ? 0 : 1;
}

static int
on_request(int fd, int *ready_fd)
{
	struct wd_msg	 m = { 0, 0, 0, 0, 0 };
	struct wd_reply	 r;
	pid_t		 pid = 0;
	ssize_t		 n;
	int		 passfd = -1, pidfd = -1;

	while ((n = fdpass_recv(fd, &m, sizeof(m), &passfd)) == -1 &&
	    errno == EINTR)
		;
	if (n == 0)
		return 1;		/* the guard is gone */
	if (n != (ssize_t)sizeof(m) || (passfd != -1) !=
	    (m.op == WD_OP_ANCHOR)) {
		log_warnx("invalid message from the guard (%zd bytes%s)", n,
		    passfd != -1 ? ", a descriptor" : "");
		if (passfd != -1)
			close(passfd);
		return -1;
	}
	switch (m.op) {
	case WD_OP_REPORT:
		if (on_report(&m, ready_fd) == -1) {
			log_warnx("invalid report from the guard");
			return -1;
		}
		return 0;
	case WD_OP_RESTART_TOR:
		if (m.event || m.action || m.mode || m.by_pid) {
			log_warnx("invalid request from the guard");
			return -1;
		}
		r.err = serve_tor_restart(&pid, &pidfd);
		r.pid = (int32_t)pid;
		return reply(fd, &r, pidfd);
	case WD_OP_ANCHOR:
		if (m.event || m.action || m.mode || m.by_pid) {
			log_warnx("invalid request from the guard");
			close(passfd);
			return -1;
		}
		/* ttp-anchor checks it holds an nftables socket. Our child,
		 * not reaped before the loop reads SIGCHLD: its pidfd is
		 * that process. */
		r.err = spawn_anchor(passfd, &pid) == 0 &&
		    (pidfd = exec_pidfd_open(pid)) != -1 ? 0 : EIO;
		close(passfd);
		r.pid = r.err == 0 ? (int32_t)pid : 0;
		if (r.err == 0) {
			st.anchor_pid = pid;
			state_save();
			log_info("the anchor is back (ttp-anchor pid %d)",
			    (int)pid);
		}
		return reply(fd, &r, pidfd);
	default:
		log_warnx("unknown request %u from the guard", m.op);
		return -1;
	}
}

/* ---- the loop ------------------------------------------------------ */

static void
reap_others(void)
{
	pid_t	 p;
	int	 status;

	/* tor restarted by us, the notifier: anything but the guard. */
	while ((p = waitpid(-1, &status, WNOHANG)) > 0)
		if (p == guard) {
			guard = -1;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				log_debug("the guard exited");
			else
				log_warnx("the guard exited (%s %d)",
				    WIFSIGNALED(status) ? "signal" : "status",
				    WIFSIGNALED(status) ? WTERMSIG(status) :
				    WEXITSTATUS(status));
		}
}

static void
stop_guard(int sock, int guard_pidfd)
{
	close(sock);		/* the guard exits on seeing its end close */
	if (guard > 0 && exec_pidfd_wait(guard_pidfd, GUARD_STOP_MS) == 1) {
		log_warnx("the guard did not stop; killing it");
		(void)kill(guard, SIGKILL);
		(void)exec_pidfd_wait(guard_pidfd, GUARD_STOP_MS);
	}
	reap_others();
}

static int
monitor_serve(int sock, int sigfd, int guard_pidfd, int *ready_fd)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[3];
	int			 rc;

	for (;;) {
		pfd[0] = (struct pollfd){ sock, POLLIN, 0 };
		pfd[1] = (struct pollfd){ sigfd, POLLIN, 0 };
		pfd[2] = (struct pollfd){ guard_pidfd, POLLIN, 0 };
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return 1;
		}
		if (pfd[1].revents && read(sigfd, &si, sizeof(si)) ==
		    (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGCHLD)
				reap_others();
			else {
				log_info("stopping (signal %u)",
				    si.ssi_signo);
				return 0;
			}
		}
		if (pfd[0].revents & POLLIN) {
			if ((rc = on_request(sock, ready_fd)) == -1) {
				/* A guard that sends garbage is not trusted
				 * with privd any longer. */
				if (guard > 0)
					(void)kill(guard, SIGKILL);
				return 1;
			}
			if (rc == 1)
				pfd[2].revents = POLLIN;
		} else if (pfd[0].revents)
			pfd[2].revents = POLLIN;
		if (pfd[2].revents) {
			log_warnx("the guard is gone: the session is "
			    "no longer guarded (its firewall stays as it is)");
			wd_notify_lockdown(NULL);
			return 1;
		}
	}
}

/* watchdog.json, opened while we are root; written through this fd. */
static int
open_state(void)
{
	struct stat	 sb;
	const char	*path = session_run_path(TTP_WATCHDOG_STATE_NAME);

	if ((state_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0644)) == -1 ||
	    fstat(state_fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		log_warnx("%s: %s", path, state_fd == -1 ? strerror(errno) :
		    "not a regular file");
		return -1;
	}
	return 0;
}

int
wd_monitor_run(const struct ttp_config *c, int ready_fd, int win)
{
	struct wd_guard_args	 a;
	sigset_t		 sigs;
	pid_t			 launcher_pid = 0;
	int			 sv[2], sigfd, gpidfd, logfd, rc;

	cfg = c;
	window = win;
	memset(&a, 0, sizeof(a));
	if (load_session() == -1 || open_state() == -1)
		return TTP_EXIT_ERROR;
	a.s = sess;
	build_apply(&a.apply);
	a.window = win;
	a.backstop = TTP_WATCHDOG_BACKSTOP_SECS;
	a.resolv_check = sess.dns_overlay;
	snprintf(a.overlay, sizeof(a.overlay), "%s",
	    session_run_path(TTP_RESOLV_NAME));
	a.link_if = sess.interface[0] ? if_nametoindex(sess.interface) : 0;
	if (config_tor_path(cfg, TTP_TORRC_NAME, torrc_path,
	    sizeof(torrc_path)) == -1)
		torrc_path[0] = '\0';

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) == -1 ||
	    (sigfd = signalfd(-1, &sigs, SFD_CLOEXEC)) == -1) {
		log_warn("signalfd");
		return TTP_EXIT_ERROR;
	}
	/* The processes that start others as their own users, forked
	 * before anything the guard gets is open. */
	if (!sess.external_daemon && sess.tor_pid > 0 && torrc_path[0])
		(void)wd_launcher_start(cfg, &sess, torrc_path, &launcher,
		    &launcher_pid);
	wd_notify_prepare();

	/* The guard's privd serves the session's repairs and nothing else. */
	if ((a.privd = privop_spawn(cfg->run_dir, &a.apply,
	    &a.privd_pid)) == -1)
		return TTP_EXIT_ERROR;
	if (open_sources(&a) == -1)
		return TTP_EXIT_ERROR;
	logfd = open(session_run_path(TTP_LOG_NAME), O_WRONLY | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		return TTP_EXIT_ERROR;
	}
	fflush(NULL);
	switch ((guard = fork())) {
	case -1:
		log_warn("fork");
		return TTP_EXIT_ERROR;
	case 0:
		close(sv[0]);
		close(sigfd);
		if (ready_fd != -1)
			close(ready_fd);
		a.monitor = sv[1];
		wd_guard_child(&a, logfd, getppid());
	}
	/* The guard's descriptors are the guard's alone: in particular the
	 * privd socket, so privd exits when the guard does. */
	close(sv[1]);
	close(a.privd);
	close(a.nft);
	close(a.rtnl);
	close(a.mountinfo);
	close(a.inotify);
	if (a.tor_pidfd != -1)
		close(a.tor_pidfd);
	if (a.anchor_pidfd != -1)
		close(a.anchor_pidfd);
	if (logfd != -1)
		close(logfd);
	if ((gpidfd = exec_pidfd_open(guard)) == -1) {
		log_warn("pidfd of the guard");
		(void)kill(guard, SIGKILL);
		return TTP_EXIT_ERROR;
	}

	memset(&st, 0, sizeof(st));
	st.pid = getpid();
	st.guard_pid = guard;
	st.started = time(NULL);
	st.session_started = sess.started;
	st.mode = sess.state == SESSION_LOCKDOWN ? WD_MODE_LOCKDOWN :
	    WD_MODE_GUARDING;
	st.tor_pid = sess.tor_pid;
	st.anchor_pid = sess.anchor_pid;
	state_save();
	if (lock_record() == -1)
		log_warnx("cannot record our pid in the lock");
	/* Root no more: _ttp, no capabilities, not dumpable. */
	if (sandbox_drop_user(TTP_UNPRIV_USER) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0) == -1) {
		(void)kill(guard, SIGKILL);
		return TTP_EXIT_ERROR;
	}
	log_info("started (pid %d, guard pid %d, privd pid %d, tor launcher "
	    "pid %d)", (int)getpid(), (int)guard, a.privd_pid,
	    (int)launcher_pid);

	rc = monitor_serve(sv[0], sigfd, gpidfd, &ready_fd);
	stop_guard(sv[0], gpidfd);
	st.stopped = true;
	state_save();
	if (ready_fd != -1)
		close(ready_fd);
	log_info("stopped");
	return rc == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
}
