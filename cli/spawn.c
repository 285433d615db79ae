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

#include "cli/parse.h"
#include "common/helper.h"
#include "common/exec.h"
#include "common/log.h"
#include "common/sandbox.h"

/* The rotator has this long to connect and say so (torctl's --timeout). */
#define ROTATOR_READY_SECS	10

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
spawn_rotator(unsigned secs, pid_t *pid)
{
	const char	*argv[12], *envp[4];
	char		 path[PATH_MAX], asan[512], every[16], tbuf[16];
	char		 res[256];
	sigset_t	 none;
	int		 p[2], null, logfd, sig, rc, n = 0;

	*pid = 0;
	if (helper_path("ttp-torctl", path, sizeof(path)) == -1)
		return -1;
	helper_env(envp, asan, sizeof(asan));
	snprintf(every, sizeof(every), "%u", secs);
	snprintf(tbuf, sizeof(tbuf), "%d", ROTATOR_READY_SECS);
	argv[n++] = "ttp-torctl";
	if (cli.cfg.file[0] != '\0') {
		argv[n++] = "--config";
		argv[n++] = cli.cfg.file;
	}
	if (log_get_verbose())
		argv[n++] = "-v";
	argv[n++] = "--timeout";
	argv[n++] = tbuf;
	argv[n++] = "rotate";
	argv[n++] = "--every";
	argv[n++] = every;
	argv[n] = NULL;
	/* Its messages, once it runs alone, go to the session log. */
	logfd = open(session_run_path(TTP_LOG_NAME), O_WRONLY | O_APPEND |
	    O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if ((*pid = exec_fork_piped(p)) == -1) {
		if (logfd != -1)
			close(logfd);
		*pid = 0;
		return -1;
	}
	if (*pid == 0) {
		/* A session of its own: no terminal signal reaches it, and
		 * none of this command's signal handling either. */
		(void)setsid();
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		for (sig = 1; sig < NSIG; sig++)
			(void)signal(sig, SIG_DFL);
		if ((null = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(null, STDIN_FILENO) == -1 ||
		    dup2(p[1], STDOUT_FILENO) == -1 ||
		    dup2(logfd != -1 ? logfd : null, STDERR_FILENO) == -1 ||
		    chdir("/") == -1)
			_exit(127);
		execve(path, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	close(p[1]);
	if (logfd != -1)
		close(logfd);
	/* Its "ok" is read in the parsing worker, like all torctl says. */
	rc = privsep_parse(p[0], parse_ready, NULL, res, sizeof(res));
	close(p[0]);
	if (rc == 0 && strcmp(res, "ok\n") == 0)
		return 0;
	log_warnx("the rotator (ttp-torctl rotate) did not start: %.200s",
	    strncmp(res, "error ", 6) == 0 ? res + 6 : "no answer");
	/* Still our child: its pid cannot have been reused. */
	(void)kill(*pid, SIGKILL);
	(void)waitpid(*pid, NULL, 0);
	*pid = 0;
	return -1;
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

