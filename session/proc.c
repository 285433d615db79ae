/*
 * runs in: ttp (root or not) and the watchdog's monitor (root while it
 * sets up, then _ttp).
 *
 * The processes a session records by pid (tor, ttp-anchor, the watchdog):
 * who a pid is, and stopping one only through a pidfd opened before it
 * was identified (docs/watchdog.md, "Identity by descriptor").
 */
#include "session/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exec.h"
#include "common/log.h"

int
proc_stop(pid_t pid, bool (*is_it)(pid_t), int sig, int wait_ms,
    const char *what)
{
	struct pollfd	 p;
	int		 pidfd, rc = 0;

	if (pid <= 0 || (pidfd = exec_pidfd_open(pid)) == -1)
		return 0;
	p.fd = pidfd;
	p.events = POLLIN;
	/* The pidfd first, then who it is, then that the pidfd's process
	 * still lives (its pid not reused since the check). */
	if (!is_it(pid) || poll(&p, 1, 0) != 0) {
		close(pidfd);
		return 0;
	}
	(void)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	if (exec_pidfd_wait(pidfd, wait_ms) != 0 && sig != SIGKILL) {
		log_warnx("%s (pid %d) did not stop; killing it", what,
		    (int)pid);
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		rc = exec_pidfd_wait(pidfd, wait_ms) == 0 ? 0 : -1;
	}
	close(pidfd);
	/* Our own child when this command started it. */
	(void)waitpid(pid, NULL, WNOHANG);
	return rc;
}

ssize_t
proc_cmdline(pid_t pid, char *buf, size_t bufsz)
{
	char	 path[64];
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (bufsz < 2 || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, bufsz - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

bool
proc_is(pid_t pid, const char *exe, uid_t uid)
{
	char		 path[64], buf[PATH_MAX], *base;
	const char	*want;
	unsigned long	 ruid;
	bool		 live = false, uid_ok = false;
	ssize_t		 n;
	size_t		 len;
	FILE		*fp;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return false;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		if (strncmp(buf, "State:", 6) == 0)
			live = strchr(buf, 'Z') == NULL &&
			    strchr(buf, 'X') == NULL;
		if (sscanf(buf, "Uid: %lu", &ruid) == 1)
			uid_ok = ruid == (unsigned long)uid;
	}
	fclose(fp);
	if (!live || !uid_ok)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		len = strlen(exe);
		/* A binary replaced by an upgrade while it ran. */
		return strncmp(buf, exe, len) == 0 && (buf[len] == '\0' ||
		    strcmp(buf + len, " (deleted)") == 0);
	}
	if (errno != EACCES || proc_cmdline(pid, buf, sizeof(buf)) == -1)
		return false;
	base = strrchr(buf, '/');
	want = strrchr(exe, '/');
	return strcmp(base ? base + 1 : buf, want ? want + 1 : exe) == 0;
}
