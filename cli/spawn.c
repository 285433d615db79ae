/*
 * Running ttp's own helpers (ttp-torctl, ttp-netcheck) from the CLI: found
 * with helper_path(), started with a fixed environment (nothing inherited:
 * no LD_PRELOAD, no proxy variables), stdin from /dev/null, stdout on a
 * pipe. The helpers confine themselves before they read any input.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/helper.h"
#include "common/log.h"
#include "common/sandbox.h"

/* The fixed environment of every helper; sanitizer builds keep the
 * test's sanitizer options. */
static void
helper_env(const char *envp[4], char *asan, size_t asansz)
{
	const char	*v;

	envp[0] = "PATH=" TTP_SAFE_PATH;
	envp[1] = "LC_ALL=C";
	envp[2] = envp[3] = NULL;
	if ((v = getenv("ASAN_OPTIONS")) != NULL) {
		snprintf(asan, asansz, "ASAN_OPTIONS=%s", v);
		envp[2] = asan;
	}
}

int
spawn_helper(const char *name, const char *const argv[], int *out_fd,
    pid_t *pid)
{
	const char	*envp[4];
	char		 path[PATH_MAX], asan[512];
	int		 p[2] = { -1, -1 }, null;

	if (helper_path(name, path, sizeof(path)) == -1)
		return -1;
	helper_env(envp, asan, sizeof(asan));
	if (out_fd != NULL && pipe2(p, O_CLOEXEC) == -1) {
		log_warn("pipe");
		return -1;
	}
	if ((*pid = fork()) == -1) {
		log_warn("fork");
		if (out_fd != NULL) {
			close(p[0]);
			close(p[1]);
		}
		return -1;
	}
	if (*pid == 0) {
		/* stdin from /dev/null; stdout to the pipe, or discarded. */
		if ((null = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(null, STDIN_FILENO) == -1 ||
		    dup2(out_fd != NULL ? p[1] : null, STDOUT_FILENO) == -1)
			_exit(127);
		execve(path, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	cli_track_child(*pid, true);
	if (out_fd != NULL) {
		close(p[1]);
		*out_fd = p[0];
	}
	return 0;
}

int
spawn_torctl(const char *command, long timeout_secs, pid_t tor_pid,
    int *out_fd, pid_t *pid)
{
	const char	*argv[10];
	char		 tbuf[24], pbuf[24];
	int		 n = 0;

	argv[n++] = "ttp-torctl";
	if (cli.cfg.file[0] != '\0') {
		argv[n++] = "--config";
		argv[n++] = cli.cfg.file;
	}
	if (timeout_secs > 0) {
		snprintf(tbuf, sizeof(tbuf), "%ld", timeout_secs);
		argv[n++] = "--timeout";
		argv[n++] = tbuf;
	}
	if (tor_pid > 0) {
		snprintf(pbuf, sizeof(pbuf), "%d", (int)tor_pid);
		argv[n++] = "--pid";
		argv[n++] = pbuf;
	}
	argv[n++] = command;
	argv[n] = NULL;
	return spawn_helper("ttp-torctl", argv, out_fd, pid);
}

int
spawn_wait(pid_t pid, int timeout_ms)
{
	struct pollfd	 pfd;
	int		 pidfd, st;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd != -1) {
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		while (poll(&pfd, 1, timeout_ms) == -1 && errno == EINTR)
			;
		close(pidfd);
		if ((pfd.revents & POLLIN) == 0) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
			cli_track_child(pid, false);
			return -1;
		}
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			cli_track_child(pid, false);
			return -1;
		}
	cli_track_child(pid, false);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Start ttp-anchor with the anchor's socket on fd 3 and a pipe on fd 4,
 * and wait (bounded) until it says it is confined. It is not a tracked
 * child: it outlives this command, and only `ttp stop` (anchor_stop)
 * ends it. The caller still holds its own copy of the socket.
 */
int
spawn_anchor(int sock, pid_t *pid)
{
	const char	*argv[] = { "ttp-anchor", NULL }, *envp[4];
	char		 path[PATH_MAX], asan[512], c;
	struct pollfd	 pfd;
	int		 p[2], null, s3, rc;

	if (helper_path("ttp-anchor", path, sizeof(path)) == -1)
		return -1;
	helper_env(envp, asan, sizeof(asan));
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("pipe");
		return -1;
	}
	if ((*pid = fork()) == -1) {
		log_warn("fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (*pid == 0) {
		/* Above 4 first, so that neither dup2 overwrites the other. */
		if ((s3 = fcntl(sock, F_DUPFD, 10)) == -1 ||
		    (p[1] = fcntl(p[1], F_DUPFD, 10)) == -1 ||
		    dup2(s3, 3) != 3 || dup2(p[1], 4) != 4 ||
		    (null = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(null, STDIN_FILENO) == -1 ||
		    dup2(null, STDOUT_FILENO) == -1)
			_exit(127);
		/* Already _ttp at exec: the watchdog's monitor, which also
		 * starts it, keeps no capabilities across exec. */
		if (sandbox_drop_user(TTP_UNPRIV_USER) == -1)
			_exit(127);
		execve(path, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while ((rc = poll(&pfd, 1, 5000)) == -1 && errno == EINTR)
		;
	rc = rc == 1 && read(p[0], &c, 1) == 1 && c == '1' ? 0 : -1;
	close(p[0]);
	if (rc == -1) {
		log_warnx("ttp-anchor did not start (see above)");
		(void)kill(*pid, SIGKILL);
		(void)waitpid(*pid, NULL, 0);
	}
	return rc;
}
