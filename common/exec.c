/*
 * runs in: ttp (root), the watchdog's monitor, tor launcher and notifiers,
 *   ttp-torctl.
 *
 * Running helper programs; see exec.h. A failed execve is reported through
 * a close-on-exec pipe, so "cannot run" is told apart from "ran and
 * failed". The wait is a poll on a pidfd and the output pipe, so it is
 * bounded without signals or sleeps.
 */
#include "common/clock.h"
#include "common/exec.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const exec_default_env[] = {
	"PATH=" TTP_SAFE_PATH, "LC_ALL=C", NULL
};

pid_t
exec_fork_piped(int p[2])
{
	pid_t	 pid;

	if (p != NULL && pipe2(p, O_CLOEXEC) == -1) {
		log_warn("pipe");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		if (p != NULL) {
			close(p[0]);
			close(p[1]);
		}
	}
	return pid;
}

int
exec_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int
exec_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd	 pfd = { .fd = pidfd, .events = POLLIN };
	long long	 deadline = clock_ms() + timeout_ms;

	for (;;) {
		int	 n = poll(&pfd, 1, clock_left_ms(deadline));

		if (n > 0)
			return 0;
		if (n == 0)
			return 1;
		if (errno != EINTR)
			return -1;
	}
}

int
exec_become(uid_t uid, gid_t gid)
{
	/* Groups first: they would survive the change of uid. */
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1)
		return -1;
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		return -1;
	return 0;
}

void
exec_child_failed(void)
{
	int	 e = errno;

	(void)!write(3, &e, sizeof(e));
	_exit(127);
}

int
exec_started(int errp[2], pid_t pid)
{
	ssize_t	 n;
	int	 e;

	close(errp[1]);
	errp[1] = -1;
	while ((n = read(errp[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(e))
		return 0;
	(void)waitpid(pid, NULL, 0);
	return e > 0 ? e : EIO;
}

static void __attribute__((noreturn))
exec_child(const struct exec_req *r, int devnull, int outfd, int errfd)
{
	(void)setsid();
	if (dup2(r->in_fd > 0 ? r->in_fd : devnull, STDIN_FILENO) == -1 ||
	    dup2(outfd, STDOUT_FILENO) == -1 ||
	    (r->out != NULL && dup2(outfd, STDERR_FILENO) == -1) ||
	    dup2(errfd, 3) == -1 || fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	(void)sandbox_close_from(4);
	if (r->as_user && geteuid() == 0 && exec_become(r->uid, r->gid) == -1)
		goto fail;
	execve(r->path, (char *const *)(uintptr_t)r->argv,
	    (char *const *)(uintptr_t)(r->env ? r->env : exec_default_env));
fail:
	exec_child_failed();
}

int
exec_run(const struct exec_req *r, int *status, char *err, size_t errsz)
{
	struct pollfd	 pfd[2];
	char		 sink[512];
	size_t		 have = 0;
	long long	 deadline;
	ssize_t		 n;
	pid_t		 pid;
	int		 devnull, outp[2] = { -1, -1 }, errp[2], e, pidfd, done;
	int		 nfd, rc = -1, timedout = 0;

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "/dev/null: %s", strerror(errno));
		return -1;
	}
	if (pipe2(errp, O_CLOEXEC) == -1 ||
	    (r->out != NULL && pipe2(outp, O_CLOEXEC) == -1)) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		close(devnull);
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_child(r, devnull,
		    r->out != NULL ? outp[1] : STDERR_FILENO, errp[1]);
	if (outp[1] != -1) {
		close(outp[1]);
		outp[1] = -1;
	}
	if ((e = exec_started(errp, pid)) != 0) {
		snprintf(err, errsz, "cannot run %s: %s", r->path,
		    strerror(e));
		goto out;
	}
	if ((pidfd = exec_pidfd_open(pid)) == -1) {
		snprintf(err, errsz, "pidfd_open: %s", strerror(errno));
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		goto out;
	}
	if (r->out != NULL && r->outsz > 0)
		r->out[0] = '\0';
	deadline = clock_ms() + r->timeout_ms;
	done = 0;
	/* Until the child has exited and its output is drained. */
	while (!done || outp[0] != -1) {
		long long left = deadline - clock_ms();

		if (left <= 0) {
			timedout = 1;
			break;
		}
		nfd = 0;
		if (!done) {
			pfd[nfd].fd = pidfd;
			pfd[nfd++].events = POLLIN;
		}
		if (outp[0] != -1) {
			pfd[nfd].fd = outp[0];
			pfd[nfd++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nfd, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == pidfd) {
				done = 1;
				continue;
			}
			if (have + 1 < r->outsz)
				n = read(outp[0], r->out + have,
				    r->outsz - have - 1);
			else
				n = read(outp[0], sink, sizeof(sink));
			if (n > 0 && have + 1 < r->outsz) {
				have += (size_t)n;
				r->out[have] = '\0';
			} else if (n == 0 || (n == -1 && errno != EINTR)) {
				close(outp[0]);
				outp[0] = -1;
			}
		}
	}
	if (timedout || !done) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, status, 0);
		snprintf(err, errsz, "%s did not finish within %d s", r->path,
		    r->timeout_ms / 1000);
	} else if (waitpid(pid, status, 0) == -1)
		snprintf(err, errsz, "waitpid: %s", strerror(errno));
	else
		rc = 0;
	close(pidfd);
out:
	close(devnull);
	close(errp[0]);
	if (errp[1] != -1)
		close(errp[1]);
	if (outp[0] != -1)
		close(outp[0]);
	if (outp[1] != -1)
		close(outp[1]);
	return rc;
}
