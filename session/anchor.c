/*
 * runs in: ttp (root) and the watchdog's monitor (_ttp once set up).
 *
 * ttp-anchor from the outside: start it holding the socket that owns an
 * anchor table, tell whether one is alive, end it when the session ends.
 * See docs/killswitch.md for why the anchor exists and what happens when
 * any part of it dies.
 */
#include "session/anchor.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/exec.h"
#include "common/helper.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "session/proc.h"

#define ANCHOR_STOP_MS	2000

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
	if ((*pid = exec_fork_piped(p)) == -1)
		return -1;
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

bool
anchor_alive(pid_t pid)
{
	struct passwd	*pw;
	char		 exe[PATH_MAX];

	return pid > 0 && (pw = getpwnam(TTP_UNPRIV_USER)) != NULL &&
	    helper_path("ttp-anchor", exe, sizeof(exe)) == 0 &&
	    proc_is(pid, exe, pw->pw_uid);
}

void
anchor_stop(pid_t pid)
{
	if (proc_stop(pid, anchor_alive, SIGKILL, ANCHOR_STOP_MS,
	    "ttp-anchor") == -1 || anchor_alive(pid))
		log_warnx("ttp-anchor (pid %d) did not exit", (int)pid);
}

/* Does pid live in this process's network namespace (where its anchor
 * table is)? A ttp in a container of its own is not ours to end. */
static bool
same_netns(pid_t pid)
{
	struct stat	 a, b;
	char		 path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat("/proc/self/ns/net", &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
anchor_stop_all(void)
{
	struct dirent	*de;
	DIR		*d;
	int		 n = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (anchor_alive((pid_t)atoi(de->d_name)) &&
		    same_netns((pid_t)atoi(de->d_name))) {
			anchor_stop((pid_t)atoi(de->d_name));
			n++;
		}
	}
	closedir(d);
	return n;
}
