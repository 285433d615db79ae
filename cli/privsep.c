/*
 * runs in: ttp (root) and its parsing worker (_ttp, no capabilities,
 *   Landlock with no path, seccomp).
 *
 * The CLI's unprivileged parsing worker. A root `ttp start` needs to read
 * tor's bootstrap progress and the exit-IP answer, both of which come from
 * outside; it does so only in a child that has dropped to the
 * unprivileged user, cleared every capability, set NO_NEW_PRIVS, given up
 * opening any file (Landlock) and loaded the CLI's seccomp allowlist. The root parent receives only a short,
 * fixed-format result which it validates before use (as OpenSSH's monitor
 * treats its unprivileged child).
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exec.h"
#include "common/log.h"
#include "common/sandbox.h"

int
privsep_parse(int in_fd, privsep_parser parse, void *arg, char *result,
    size_t resultsz)
{
	FILE	*in, *res;
	pid_t	 pid;
	size_t	 n = 0;
	ssize_t	 r;
	int	 p[2], st;

	if ((pid = exec_fork_piped(p)) == -1)
		return -1;
	if (pid == 0) {
		/* fds: 0 /dev/null-ish stdin, 1 and 2 for the user, 3 the
		 * input, 4 the result; nothing else survives. */
		if (dup2(in_fd, 3) == -1 || dup2(p[1], 4) == -1)
			_exit(120);
		/* The parent's signal handler is not for us (and calls
		 * kill(2), which the allowlist forbids). */
		(void)signal(SIGINT, SIG_DFL);
		(void)signal(SIGTERM, SIG_DFL);
		(void)signal(SIGHUP, SIG_DFL);
		/* jansson seeds its hash from /dev/urandom on first use:
		 * do it now, the allowlist opens no files. */
		json_object_seed(0);
		if (sandbox_close_from(5) == -1 ||
		    sandbox_drop_user(TTP_UNPRIV_USER) == -1 ||
		    sandbox_landlock(&sandbox_fs_cli, NULL) == -1 ||
		    sandbox_seccomp(&sandbox_cli) == -1)
			_exit(121);
		if ((in = fdopen(3, "r")) == NULL ||
		    (res = fdopen(4, "w")) == NULL)
			_exit(122);
		st = parse(in, res, arg);
		fflush(stdout);
		if (fclose(res) == EOF)
			_exit(123);
		_exit(st);
	}
	cli_track_child(pid, true);
	close(p[1]);
	while (n + 1 < resultsz &&
	    (r = read(p[0], result + n, resultsz - 1 - n)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	result[n] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			cli_track_child(pid, false);
			return -1;
		}
	cli_track_child(pid, false);
	if (!WIFEXITED(st)) {
		if (!cli_interrupted)
				log_warnx("the parsing worker died (signal %d)",
			    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		return -1;
	}
	return WEXITSTATUS(st);
}
