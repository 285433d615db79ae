/*
 * runs in: ttp run's parent, as the user; the keeper and its tor: the
 *   user, in a session of their own.
 *
 * The user's own tor, for `ttp run` where no host session runs
 * (docs/run.md). Its state directory is <XDG_STATE_HOME or
 * ~/.local/state>/ttp (0700): torrc, tor.log, the two lock files, and
 * tor/ (0700: DataDirectory, its SOCKS and control sockets, the cookie).
 *
 * Lifetime by flock: every run holds a shared lock on run.lock for its
 * whole life (the kernel drops it however the run ends, kill -9 too);
 * start/stop decisions are made under an exclusive lock on run.mutex.
 * The keeper, started by the first run, starts tor with
 * __OwningControllerFD (tor exits the moment that connection closes,
 * however the keeper ends), then waits for an exclusive lock on
 * run.lock: it gets it once no run holds it; under the mutex it checks
 * again (without blocking) and ends tor.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/run.h"

#define APPEND_MAX	(64 * 1024)
#define TORRC_SZ	(APPEND_MAX + 4096)

static int
mkdir_private(const char *path, char *err, size_t errsz)
{
	struct stat	 st;

	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid()) {
		snprintf(err, errsz, "%s: not a directory of this user's; "
		    "remove it or set XDG_STATE_HOME", path);
		return -1;
	}
	return 0;
}

static int
open_lock(const char *dir, const char *name, char *err, size_t errsz)
{
	char	 p[PATH_MAX];
	int	 fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) ==
	    -1)
		snprintf(err, errsz, "%s: %s", p, strerror(errno));
	return fd;
}

int
usertor_open(struct run_usertor *t, const struct run_target *who,
    bool use_xdg, char *err, size_t errsz)
{
	const char	*x = use_xdg ? getenv("XDG_STATE_HOME") : NULL;
	char		 base[256];
	int		 n;

	memset(t, 0, sizeof(*t));
	t->ref_fd = t->mutex_fd = -1;
	if (x != NULL && x[0] == '/')
		n = snprintf(base, sizeof(base), "%s", x);
	else {
		n = snprintf(base, sizeof(base), "%s/.local", who->home);
		if (n > 0 && (size_t)n < sizeof(base) &&
		    mkdir(base, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errsz, "mkdir %s: %s (the user needs a "
			    "home directory, or XDG_STATE_HOME)", base,
			    strerror(errno));
			return -1;
		}
		n = snprintf(base, sizeof(base), "%s/.local/state", who->home);
	}
	if (n < 0 || (size_t)n >= sizeof(base) - 16) {
		snprintf(err, errsz, "state directory path too long");
		return -1;
	}
	if (mkdir(base, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "mkdir %s: %s", base, strerror(errno));
		return -1;
	}
	if (snprintf(t->dir, sizeof(t->dir), "%s/ttp", base) >=
	    (int)sizeof(t->dir)) {
		snprintf(err, errsz, "state directory path too long");
		return -1;
	}
	snprintf(t->tordir, sizeof(t->tordir), "%s/tor", t->dir);
	snprintf(t->socks, sizeof(t->socks), "%s/socks.sock", t->tordir);
	snprintf(t->control, sizeof(t->control), "%s/control.sock", t->tordir);
	snprintf(t->cookie, sizeof(t->cookie), "%s/control.cookie", t->tordir);
	if (strlen(t->control) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errsz, "%s: longer than a unix socket path may "
		    "be; set XDG_STATE_HOME to a shorter directory", t->control);
		return -1;
	}
	if (strpbrk(t->dir, " \t\n\"\\") != NULL) {
		snprintf(err, errsz, "%s: a blank, quote or backslash in the "
		    "path; set XDG_STATE_HOME to another directory", t->dir);
		return -1;
	}
	if (mkdir_private(t->dir, err, errsz) == -1 ||
	    mkdir_private(t->tordir, err, errsz) == -1)
		return -1;
	if (chmod(t->tordir, 0700) == -1 || chmod(t->dir, 0700) == -1) {
		snprintf(err, errsz, "chmod %s: %s", t->dir, strerror(errno));
		return -1;
	}
	if ((t->mutex_fd = open_lock(t->dir, "run.mutex", err, errsz)) == -1 ||
	    (t->ref_fd = open_lock(t->dir, "run.lock", err, errsz)) == -1)
		return -1;
	while (flock(t->mutex_fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			snprintf(err, errsz, "flock run.mutex: %s",
			    strerror(errno));
			return -1;
		}
	while (flock(t->ref_fd, LOCK_SH) == -1)
		if (errno != EINTR) {
			snprintf(err, errsz, "flock run.lock: %s",
			    strerror(errno));
			return -1;
		}
	return 0;
}

bool
usertor_alive(const struct run_usertor *t)
{
	struct sockaddr_un	 sun;
	int			 fd;
	bool			 ok;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(t->socks) >= sizeof(sun.sun_path))
		return false;
	memcpy(sun.sun_path, t->socks, strlen(t->socks));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

void
usertor_unlock(struct run_usertor *t)
{
	if (t->mutex_fd != -1)
		close(t->mutex_fd);	/* the lock goes with it */
	t->mutex_fd = -1;
}

/*
 * torrc_append's lines can start programs as the user's tor; for this
 * tor (the user's, exempt from nothing) a file root or the user owns,
 * that nobody else may write, is trusted.
 */
static int
read_append(const char *path, char *buf, size_t sz, size_t *len, char *err,
    size_t errsz)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errsz, "torrc_append %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errsz, "torrc_append %s: must be a regular file "
		    "owned by root or you, not writable by group or others",
		    path);
		close(fd);
		return -1;
	}
	while (*len + 1 < sz) {
		n = read(fd, buf + *len, sz - *len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	buf[*len] = '\0';
	if (strlen(buf) != *len || *len + 1 >= sz) {
		snprintf(err, errsz, "torrc_append %s: a NUL byte, or longer "
		    "than %d bytes", path, APPEND_MAX);
		return -1;
	}
	return 0;
}

static int
write_torrc(const struct run_usertor *t, const char *append, char *path,
    size_t pathsz, char *err, size_t errsz)
{
	char	*buf, tmp[PATH_MAX];
	size_t	 len;
	int	 fd, n;
	bool	 ok;

	if ((buf = malloc(TORRC_SZ)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	n = snprintf(buf, TORRC_SZ,
	    "# torrc generated by `ttp run` for this user's own tor; do not "
	    "edit.\n"
	    "DataDirectory %s\n"
	    "RunAsDaemon 0\n"
	    "ClientOnly 1\n"
	    "SocksPort unix:%s\n"
	    "ControlSocket %s\n"
	    "CookieAuthentication 1\n"
	    "CookieAuthFile %s\n"
	    "Log notice stdout\n",
	    t->tordir, t->socks, t->control, t->cookie);
	len = (size_t)n;
	if (append != NULL && append[0] != '\0') {
		n = snprintf(buf + len, TORRC_SZ - len,
		    "\n# --- torrc_append %s (verbatim) ---\n", append);
		len += (size_t)n;
		if (read_append(append, buf, TORRC_SZ, &len, err, errsz) ==
		    -1) {
			free(buf);
			return -1;
		}
	}
	snprintf(path, pathsz, "%s/torrc", t->dir);
	snprintf(tmp, sizeof(tmp), "%s/torrc.tmp", t->dir);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		free(buf);
		return -1;
	}
	ok = write(fd, buf, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	free(buf);
	if (!ok || rename(tmp, path) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

static void
lock_wait(int fd, int how)
{
	while (flock(fd, how) == -1)
		if (errno != EINTR)
			_exit(1);
}

static void
keeper_pid_path(const struct run_usertor *t, char *p, size_t sz)
{
	snprintf(p, sz, "%s/keeper.pid", t->dir);
}

static void
write_keeper_pid(const struct run_usertor *t)
{
	char	 p[PATH_MAX], buf[24];
	int	 fd, n;

	keeper_pid_path(t, p, sizeof(p));
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

/* The keeper's pid, if that process is still this user's ttp. */
static pid_t
keeper_pid(const struct run_usertor *t)
{
	char	 p[PATH_MAX], buf[24], comm[32];
	FILE	*f;
	long	 v;
	struct stat st;

	keeper_pid_path(t, p, sizeof(p));
	if ((f = fopen(p, "re")) == NULL)
		return 0;
	v = fgets(buf, sizeof(buf), f) != NULL ? strtol(buf, NULL, 10) : 0;
	fclose(f);
	if (v <= 1 || v > INT_MAX)
		return 0;
	snprintf(p, sizeof(p), "/proc/%ld/comm", v);
	if (stat(p, &st) == -1 || st.st_uid != getuid() ||
	    (f = fopen(p, "re")) == NULL)
		return 0;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strcmp(comm, "ttp\n") == 0 ? (pid_t)v : 0;
}

void
usertor_release(struct run_usertor *t, int wait_ms)
{
	char	 err[16];
	int	 fd, i;
	pid_t	 k = keeper_pid(t);

	if (t->ref_fd != -1)
		close(t->ref_fd);
	t->ref_fd = -1;
	if ((fd = open_lock(t->dir, "run.lock", err, sizeof(err))) == -1)
		return;
	/*
	 * The keeper unlinks the cookie after it has reaped tor. While it
	 * decides or ends tor it holds run.lock exclusively (a shared try
	 * fails); other runs hold it shared (an exclusive try fails): then
	 * tor stays, for them.
	 */
	for (i = 0; i < wait_ms / 50 && access(t->cookie, F_OK) == 0; i++) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			bool others = flock(fd, LOCK_EX | LOCK_NB) == -1;

			(void)flock(fd, LOCK_UN);
			if (others)
				break;
		}
		usleep(50 * 1000);
	}
	close(fd);
	/* Gone, and reaped by whoever adopted it (it is not our child). */
	if (access(t->cookie, F_OK) == -1 && k > 0)
		for (; i < wait_ms / 50 && kill(k, 0) == 0; i++)
			usleep(50 * 1000);
}

/* The keeper: its own session; owns tor until no run is left. */
static void __attribute__((noreturn))
keeper(const struct run_usertor *t, const char *tor_bin, const char *torrc,
    int report)
{
	char		 ofd[16], opid[24], home[PATH_MAX], logp[PATH_MAX];
	const char	*envp[3];
	int		 sp[2], logfd, null, ref, mutex, i, st;
	pid_t		 tor;

	(void)setsid();
	write_keeper_pid(t);
	for (i = 1; i < NSIG; i++)
		(void)signal(i, SIG_DFL);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	snprintf(logp, sizeof(logp), "%s/tor.log", t->dir);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    (logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 ||
	    (ref = open_lock(t->dir, "run.lock", ofd, sizeof(ofd))) == -1 ||
	    (mutex = open_lock(t->dir, "run.mutex", ofd, sizeof(ofd))) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1)
		_exit(1);
	if ((tor = fork()) == -1)
		_exit(1);
	if (tor == 0) {
		/* tor: fd 3 is the owning controller connection. */
		if (dup2(null, 0) == -1 || dup2(logfd, 1) == -1 ||
		    dup2(logfd, 2) == -1 || dup2(sp[1], 3) == -1)
			_exit(127);
		(void)syscall(SYS_close_range, 4U, ~0U, 0);
		snprintf(ofd, sizeof(ofd), "3");
		snprintf(opid, sizeof(opid), "%d", (int)getppid());
		snprintf(home, sizeof(home), "HOME=%s", t->dir);
		envp[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
		envp[1] = home;
		envp[2] = NULL;
		{
			const char *argv[] = { "tor", "-f", torrc,
			    "--defaults-torrc", "/dev/null",
			    "__OwningControllerFD", ofd,
			    "__OwningControllerProcess", opid, NULL };

			execve(tor_bin, (char *const *)argv,
			    (char *const *)envp);
		}
		_exit(127);
	}
	close(sp[1]);
	(void)!write(report, &tor, sizeof(tor));
	close(report);
	close(null);
	close(logfd);
	for (;;) {
		/* Zero runs hold it when this is granted... */
		lock_wait(ref, LOCK_EX);
		lock_wait(ref, LOCK_UN);
		/* ...and none can start while we hold the mutex. */
		lock_wait(mutex, LOCK_EX);
		if (flock(ref, LOCK_EX | LOCK_NB) == 0)
			break;
		lock_wait(mutex, LOCK_UN);
	}
	close(sp[0]);	/* tor exits now: its owning controller is gone */
	for (i = 0; i < 100; i++) {
		if (waitpid(tor, &st, WNOHANG) == tor)
			break;
		if (i == 50)
			(void)kill(tor, SIGTERM);
		usleep(100 * 1000);
	}
	if (i == 100) {
		(void)kill(tor, SIGKILL);
		(void)waitpid(tor, &st, 0);
	}
	(void)unlink(t->socks);
	(void)unlink(t->control);
	(void)unlink(t->cookie);
	_exit(0);
}

int
usertor_start(struct run_usertor *t, const char *tor_bin,
    const char *torrc_append, char *err, size_t errsz)
{
	char		 torrc[PATH_MAX];
	struct pollfd	 pfd;
	pid_t		 mid, tor = 0;
	int		 p[2], st;
	ssize_t		 n;

	if (write_torrc(t, torrc_append, torrc, sizeof(torrc), err, errsz) ==
	    -1)
		return -1;
	(void)unlink(t->socks);
	(void)unlink(t->control);
	(void)unlink(t->cookie);
	if (pipe2(p, O_CLOEXEC) == -1 || (mid = fork()) == -1) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		return -1;
	}
	if (mid == 0) {
		pid_t	 k;

		/* Only the report pipe survives: the keeper must hold no
		 * copy of this run's locks. */
		if (dup2(p[1], 3) == -1)
			_exit(1);
		(void)syscall(SYS_close_range, 4U, ~0U, 0);
		if ((k = fork()) == -1)
			_exit(1);
		if (k == 0)
			keeper(t, tor_bin, torrc, 3);
		_exit(0);
	}
	close(p[1]);
	(void)waitpid(mid, &st, 0);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) == 1)
		n = read(p[0], &tor, sizeof(tor));
	else
		n = 0;
	close(p[0]);
	if (n != (ssize_t)sizeof(tor) || tor <= 0) {
		snprintf(err, errsz, "could not start tor (%s); see %s/tor.log",
		    tor_bin, t->dir);
		return -1;
	}
	t->started = true;
	t->tor_pid = tor;
	return 0;
}
