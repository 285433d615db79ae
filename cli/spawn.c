/*
 * runs in: ttp, root.
 *
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
#include "common/exec.h"
#include "common/log.h"
#include "common/sandbox.h"

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
	if ((*pid = exec_fork_piped(out_fd != NULL ? p : NULL)) == -1)
		return -1;
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

