/*
 * runs in: the watchdog's tor launcher, as the tor user, no capabilities.
 *
 * The one process that may start the session's tor again when it dies. It
 * is forked by `ttp watchdog run` while that is still root, with what only
 * root could get (tor.log in ttp's run directory, opened once, and a pidfd
 * of the running tor), and then becomes the tor user for good: starting
 * tor as the tor user needs no privilege when one already is that user,
 * so no root process stays behind for it. It has no seccomp filter
 * because tor would inherit it; it has the tor user's rights, which tor
 * itself has, and nothing more (not dumpable, every other descriptor
 * closed, dies with the monitor).
 *
 * It serves the monitor only: one byte, WD_LAUNCH_TOR, on a SOCK_SEQPACKET
 * socket; the answer is a struct wd_reply. It starts tor only when the tor
 * it knows of (the session's, then each it started) has exited. Its own
 * children are reaped only when the next one is started, so the pid it
 * answers names that tor until then; with the answer goes a pidfd of
 * it (SCM_RIGHTS), which the monitor hands on to the guard. Anything else
 * from the monitor ends it.
 */
#include "watchdog/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session/state.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "common/exec.h"
#include "tor/tor_proc.h"

static void __attribute__((noreturn))
launcher_main(struct tor_launch *l, int sock, int tor_pidfd)
{
	struct wd_reply	 r = { 0, 0 };
	pid_t		 last = 0;
	char		 err[512];
	uint8_t		 op;
	ssize_t		 n;

	for (;;) {
		while ((n = recv(sock, &op, sizeof(op), 0)) == -1 &&
		    errno == EINTR)
			;
		if (n == 0)
			_exit(0);		/* the monitor stopped */
		if (n != 1 || op != WD_LAUNCH_TOR) {
			log_warnx("tor launcher: invalid request; exiting");
			_exit(1);
		}
		memset(&r, 0, sizeof(r));
		if (tor_pidfd != -1 && exec_pidfd_wait(tor_pidfd, 0) != 0)
			r.err = EEXIST;	/* still running: not ours to start */
		else {
			if (last > 0)
				(void)waitpid(last, NULL, WNOHANG);
			if (tor_pidfd != -1)
				close(tor_pidfd);
			tor_pidfd = -1;
			if (tor_launch(l, &last, err, sizeof(err)) == -1) {
				log_warnx("cannot restart tor: %s", err);
				r.err = EIO;
				last = 0;
			} else {
				r.pid = (int32_t)last;
				if ((tor_pidfd = exec_pidfd_open(last)) == -1)
					r.err = EIO;
			}
		}
		/* The new tor's pidfd goes with the answer: the guard
		 * watches the process, not a pid. */
		if (fdpass_send(sock, &r, sizeof(r), r.err == 0 ? tor_pidfd :
		    -1) != (ssize_t)sizeof(r))
			_exit(1);
	}
}

int
wd_launcher_start(const struct ttp_config *cfg, const struct session *s,
    const char *torrc_path, int *sock, pid_t *pid)
{
	struct tor_launch	 l;
	char			 err[512];
	pid_t			 monitor = getpid();
	int			 sv[2], tor_pidfd;

	*sock = -1;
	*pid = 0;
	if (tor_launch_prepare(cfg, torrc_path, &l, err,
	    sizeof(err)) == -1) {
		log_warnx("tor will not be restarted if it dies (the host "
		    "locks down instead): %s", err);
		return -1;
	}
	if (l.uid != s->tor_uid) {
		log_warnx("the session's tor uid %u is not %s's: tor will not "
		    "be restarted if it dies", (unsigned)s->tor_uid,
		    cfg->tor_user);
		close(l.logfd);
		return -1;
	}
	/* The pidfd first, then who it is. */
	if ((tor_pidfd = exec_pidfd_open(s->tor_pid)) != -1 &&
	    !session_tor(s->tor_pid)) {
		close(tor_pidfd);
		tor_pidfd = -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		close(l.logfd);
		if (tor_pidfd != -1)
			close(tor_pidfd);
		return -1;
	}
	fflush(NULL);
	if ((*pid = fork()) == -1) {
		log_warn("fork");
		close(sv[0]);
		close(sv[1]);
		close(l.logfd);
		if (tor_pidfd != -1)
			close(tor_pidfd);
		return -1;
	}
	if (*pid == 0) {
		sigset_t	 none;
		int *const	 fds[] = { &sv[1], &l.logfd, &tor_pidfd };

		close(sv[0]);
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)signal(SIGCHLD, SIG_DFL);
		/* Its log lines go to stderr, the session log of a detached
		 * watchdog; every other descriptor is closed. */
		log_set_file(NULL);
		/* AppArmor: tor inherits this profile (no transition is
		 * allowed under NO_NEW_PRIVS, set below). */
		sandbox_apparmor_enter("ttp-tor");
		if (wd_move_fds(fds, 3) == -1 ||
		    exec_become(l.uid, l.gid) == -1)
			_exit(120);
		/* Every uid non-zero now: the kernel has cleared every
		 * capability. Die with the monitor; not dumpable, so tor
		 * (the same user) cannot trace it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != monitor ||
		    prctl(PR_SET_DUMPABLE, 0) == -1 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
			_exit(121);
		launcher_main(&l, sv[1], tor_pidfd);
	}
	close(sv[1]);
	close(l.logfd);
	if (tor_pidfd != -1)
		close(tor_pidfd);
	*sock = sv[0];
	return 0;
}

int
wd_launcher_restart(int sock, pid_t *pid, int *pidfd)
{
	struct wd_reply	 r = { 0, 0 };
	struct pollfd	 p = { .fd = sock, .events = POLLIN };
	uint8_t		 op = WD_LAUNCH_TOR;

	*pid = 0;
	*pidfd = -1;
	if (sock == -1)
		return EPERM;
	if (send(sock, &op, sizeof(op), MSG_NOSIGNAL) != (ssize_t)sizeof(op) ||
	    poll(&p, 1, WD_LAUNCH_MS) != 1 ||
	    fdpass_recv(sock, &r, sizeof(r), pidfd) != (ssize_t)sizeof(r)) {
		log_warnx("no answer from the tor launcher");
		return EIO;
	}
	if (r.err == 0 && (r.pid <= 0 || *pidfd == -1)) {
		if (*pidfd != -1)
			close(*pidfd);
		*pidfd = -1;
		return EIO;
	}
	*pid = (pid_t)r.pid;
	return r.err;
}
