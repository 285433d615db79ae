/*
 * runs in: ttp (root), ttp-torctl's root phase, the watchdog's tor launcher
 *   (the tor user).
 *
 * tor as a supervised child of the root CLI; see tor_proc.h. tor is
 * never started as root and never given a directory it does not own:
 * tor_prepare_dirs creates them for the tor user, tor_spawn switches to
 * that user before execve. Files root writes into tor's directory are
 * created with O_EXCL|O_NOFOLLOW, since the tor user could plant a link
 * there. tor is not daemonised (RunAsDaemon 0) so its pid is the one we
 * forked; setsid() keeps it alive after the CLI exits.
 */
#include "tor/tor_proc.h"
#include "common/exec.h"
#include "tor/pkg.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int
tor_find(const struct ttp_config *cfg, char *path, size_t pathsz)
{
	return pkg_find_program(cfg->tor_binary, path, pathsz);
}

int
tor_ids(const struct ttp_config *cfg, uid_t *uid, gid_t *gid, char *err,
    size_t errsz)
{
	struct passwd	*pw;

	if (geteuid() != 0) {
		*uid = geteuid();
		*gid = getegid();
		return 0;
	}
	if ((pw = getpwnam(cfg->tor_user)) == NULL) {
		snprintf(err, errsz, "tor user '%s' does not exist (is tor "
		    "installed? see [tor] user)", cfg->tor_user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "tor user '%s' is uid 0: tor must not "
		    "run as root", cfg->tor_user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int
line_has(const char *line, const char *eol, const char *what)
{
	return memmem(line, (size_t)(eol - line), what, strlen(what)) != NULL;
}

/* The line that says why tor refused its configuration. */
static void
tor_complaint(const char *out, char *err, size_t errsz)
{
	const char	*line, *eol, *msg, *pick = NULL, *last = NULL;

	for (line = out; *line != '\0'; line = *eol ? eol + 1 : eol) {
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		if (eol == line)
			continue;
		last = line;
		if (pick == NULL && (line_has(line, eol, "[warn] ") ||
		    line_has(line, eol, "[err] ")) &&
		    !line_has(line, eol, "running Tor as root") &&
		    !line_has(line, eol, "Reading config failed"))
			pick = line;
	}
	if (pick == NULL)
		pick = last;
	if (pick == NULL) {
		snprintf(err, errsz, "tor rejected the torrc (no message)");
		return;
	}
	if ((eol = strchr(pick, '\n')) == NULL)
		eol = pick + strlen(pick);
	/* Drop tor's "Nov 22 02:29:03.880 [warn] " prefix. */
	msg = memmem(pick, (size_t)(eol - pick), "] ", 2);
	msg = msg != NULL ? msg + 2 : pick;
	snprintf(err, errsz, "tor rejected the torrc: %.*s", (int)(eol - msg),
	    msg);
}

static int
tor_verify(const struct ttp_config *cfg, const char *file, int in_fd,
    char *err, size_t errsz)
{
	char		 tor[TTP_CONF_PATH_MAX], *out;
	const char	*argv[] = { "tor", "--verify-config", "-f", file,
	    "--defaults-torrc", "/dev/null", NULL };
	struct exec_req	 r = { .argv = argv, .in_fd = in_fd, .as_user = 1,
	    .timeout_ms = TOR_VERIFY_TIMEOUT_MS, .outsz = 16384 };
	int		 status, rc = -1;

	if (tor_find(cfg, tor, sizeof(tor)) == -1) {
		snprintf(err, errsz, "tor (%s) not found in %s",
		    cfg->tor_binary, TTP_SAFE_PATH);
		return -1;
	}
	if (tor_ids(cfg, &r.uid, &r.gid, err, errsz) == -1)
		return -1;
	if ((out = malloc(r.outsz)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	r.path = tor;
	r.out = out;
	if (exec_run(&r, &status, err, errsz) == 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			rc = 0;
		else
			tor_complaint(out, err, errsz);
	}
	free(out);
	return rc;
}

int
tor_verify_config(const struct ttp_config *cfg, const char *torrc_path,
    char *err, size_t errsz)
{
	return tor_verify(cfg, torrc_path, 0, err, errsz);
}

int
tor_verify_text(const struct ttp_config *cfg, const char *text, char *err,
    size_t errsz)
{
	size_t	 len = strlen(text), off = 0;
	int	 fd, rc;

	/* An anonymous file as tor's stdin: nothing touches the disk. */
	if ((fd = memfd_create("ttp-torrc", MFD_CLOEXEC)) == -1) {
		snprintf(err, errsz, "memfd_create: %s", strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "memfd: %s", strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		snprintf(err, errsz, "memfd: %s", strerror(errno));
		close(fd);
		return -1;
	}
	rc = tor_verify(cfg, "-", fd, err, errsz);
	close(fd);
	return rc;
}

int
tor_build_torrc(const struct ttp_config *cfg, struct torrc_opts *o,
    char *buf, size_t bufsz, char *err, size_t errsz)
{
	int	 len, t, pts = 0;

	for (t = PT_VANILLA + 1; t < PT_COUNT; t++)
		if (o->pt_path[t][0] != '\0')
			pts = 1;
	o->sandbox = cfg->tor_sandbox != TTP_TOR_SANDBOX_OFF;
	if (pts && cfg->tor_sandbox == TTP_TOR_SANDBOX_AUTO) {
		o->sandbox = 0;
		log_info("tor's own sandbox is off: tor does not allow it with "
		    "pluggable transports");
	}
	if ((len = torrc_render(cfg, o, buf, bufsz, err, errsz)) == -1)
		return -1;
	if (tor_verify_text(cfg, buf, err, errsz) == 0)
		return len;
	if (!o->sandbox || cfg->tor_sandbox != TTP_TOR_SANDBOX_AUTO ||
	    strstr(err, "andbox") == NULL)
		return -1;
	/* e.g. ClientTransportPlugin lines in torrc_append. */
	log_info("tor refuses its sandbox with this torrc (%s); running it "
	    "without", err);
	o->sandbox = 0;
	if ((len = torrc_render(cfg, o, buf, bufsz, err, errsz)) == -1 ||
	    tor_verify_text(cfg, buf, err, errsz) == -1)
		return -1;
	return len;
}

/* Create the missing components of `path` itself excluded, 0755. */
static int
mkdir_parents(const char *path, char *err, size_t errsz)
{
	char	 buf[TTP_CONF_PATH_MAX], *s;

	if (strlen(path) >= sizeof(buf)) {
		snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	memcpy(buf, path, strlen(path) + 1);
	for (s = buf + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST) {
			snprintf(err, errsz, "mkdir %s: %s", buf,
			    strerror(errno));
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* A directory owned by uid:gid with `mode`; created if missing. */
static int
ensure_dir(const char *path, uid_t uid, gid_t gid, mode_t mode,
    const char *who, char *err, size_t errsz)
{
	struct stat	 st;
	int		 fd, created;

	if (mkdir_parents(path, err, errsz) == -1)
		return -1;
	created = mkdir(path, mode) == 0;
	if (!created && errno != EEXIST) {
		snprintf(err, errsz, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, errno == ELOOP ?
		    "is a symbolic link, not a directory" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (created && st.st_uid != uid && fchown(fd, uid, gid) == -1) {
		snprintf(err, errsz, "chown %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!created && st.st_uid != uid) {
		snprintf(err, errsz, "%s is owned by uid %u, not by %s: "
		    "remove it or configure another path", path,
		    (unsigned)st.st_uid, who);
		goto fail;
	}
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) == -1) {
		snprintf(err, errsz, "chmod %s: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

int
tor_prepare_dirs(const struct ttp_config *cfg, char *err, size_t errsz)
{
	uid_t	 uid;
	gid_t	 gid;

	if (tor_ids(cfg, &uid, &gid, err, errsz) == -1)
		return -1;
	if (ensure_dir(cfg->tor_run_dir, uid, gid, 0700, cfg->tor_user, err,
	    errsz) == -1 ||
	    ensure_dir(cfg->data_dir, uid, gid, 0700, cfg->tor_user, err,
	    errsz) == -1)
		return -1;
	/* run_dir is ttp's own; `ttp status` reads it without root. */
	if (mkdir_parents(cfg->run_dir, err, errsz) == -1)
		return -1;
	if (mkdir(cfg->run_dir, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "mkdir %s: %s", cfg->run_dir,
		    strerror(errno));
		return -1;
	}
	return tor_socks_dir(cfg, NULL, 0, err, errsz);
}

void
tor_socks_remove(const struct ttp_config *cfg)
{
	int	 rfd, sfd;

	/* The socket through a descriptor of the tor user's directory,
	 * following nothing; then the directory, if empty. */
	if ((rfd = open(cfg->run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if ((sfd = openat(rfd, TTP_SOCKS_DIR_NAME, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) != -1) {
		(void)unlinkat(sfd, TTP_SOCKS_SOCK_NAME, 0);
		close(sfd);
	}
	(void)unlinkat(rfd, TTP_SOCKS_DIR_NAME, AT_REMOVEDIR);
	close(rfd);
}

int
tor_socks_dir(const struct ttp_config *cfg, char *sock, size_t socksz,
    char *err, size_t errsz)
{
	char	 d[PATH_MAX];
	uid_t	 uid;
	gid_t	 gid;

	if (snprintf(d, sizeof(d), "%s/%s", cfg->run_dir,
	    TTP_SOCKS_DIR_NAME) >= (int)sizeof(d)) {
		snprintf(err, errsz, "run_dir too long");
		return -1;
	}
	if (sock != NULL) {
		if (snprintf(sock, socksz, "%s/%s", d, TTP_SOCKS_SOCK_NAME) >=
		    (int)socksz || strlen(sock) >= 108) {
			snprintf(err, errsz, "%s/%s: too long for a unix "
			    "socket; configure a shorter run_dir", d,
			    TTP_SOCKS_SOCK_NAME);
			return -1;
		}
		return 0;
	}
	if (tor_ids(cfg, &uid, &gid, err, errsz) == -1)
		return -1;
	return ensure_dir(d, uid, gid, 0755, cfg->tor_user, err, errsz);
}

int
tor_dir_open(const struct ttp_config *cfg, char *err, size_t errsz)
{
	struct stat	 st;
	uid_t		 uid;
	gid_t		 gid;
	int		 fd;

	if (tor_ids(cfg, &uid, &gid, err, errsz) == -1)
		return -1;
	if ((fd = open(cfg->tor_run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		int	 e = errno;

		snprintf(err, errsz, "%s: %s", cfg->tor_run_dir,
		    lstat(cfg->tor_run_dir, &st) == 0 && S_ISLNK(st.st_mode) ?
		    "is a symbolic link, not a directory: remove it" :
		    strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_uid != uid ||
	    (st.st_mode & 022) != 0) {
		snprintf(err, errsz, "%s is not %s's own private directory "
		    "(uid %u, mode %o): remove it", cfg->tor_run_dir,
		    cfg->tor_user, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

int
tor_dir_unlink(const struct ttp_config *cfg, const char *name, char *err,
    size_t errsz)
{
	int	 dfd, rc = 0;

	if ((dfd = tor_dir_open(cfg, err, errsz)) == -1)
		return errno == ENOENT ? 0 : -1;
	/* unlinkat never follows: a symlink planted there goes, not what
	 * it points to. */
	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT) {
		snprintf(err, errsz, "cannot remove %s/%s: %s",
		    cfg->tor_run_dir, name, strerror(errno));
		rc = -1;
	}
	close(dfd);
	return rc;
}

int
tor_dir_read_open(const struct ttp_config *cfg, const char *name, char *err,
    size_t errsz)
{
	struct stat	 st;
	int		 dfd, fd;

	if ((dfd = tor_dir_open(cfg, err, errsz)) == -1)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s/%s: %s", cfg->tor_run_dir, name,
		    fd == -1 ? strerror(errno) : "not a regular file");
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
tor_write_torrc(const struct ttp_config *cfg, const char *text, char *path,
    size_t pathsz, char *err, size_t errsz)
{
	size_t	 len = strlen(text), off = 0;
	int	 fd, dfd;

	if (tor_prepare_dirs(cfg, err, errsz) == -1 ||
	    (dfd = tor_dir_open(cfg, err, errsz)) == -1)
		return -1;
	if (config_tor_path(cfg, TTP_TORRC_NAME, path, pathsz) == -1) {
		snprintf(err, errsz, "torrc path too long");
		close(dfd);
		return -1;
	}
	/* Through the directory's descriptor, following nothing: that
	 * directory is the tor user's. Readable by tor through its own 0700
	 * directory only. */
	if ((unlinkat(dfd, TTP_TORRC_NAME, 0) == -1 && errno != ENOENT) ||
	    (fd = openat(dfd, TTP_TORRC_NAME, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		close(dfd);
		return -1;
	}
	close(dfd);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (close(fd) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
tor_child(const char *tor, const char *torrc, const char *home, uid_t uid,
    gid_t gid, int devnull, int logfd, int errfd)
{
	char		 homeenv[TTP_CONF_PATH_MAX + 8];
	const char	*argv[] = { "tor", "-f", torrc, "--defaults-torrc",
	    "/dev/null", NULL };
	const char	*envp[] = { "PATH=" TTP_SAFE_PATH, homeenv, NULL };
	sigset_t	 all;
	int		 sig;

	snprintf(homeenv, sizeof(homeenv), "HOME=%s", home);
	/* A session of its own: tor outlives the CLI and its terminal. */
	(void)setsid();
	/* Ignored or blocked signals would survive execve. */
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	if (dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(logfd, STDOUT_FILENO) == -1 ||
	    dup2(logfd, STDERR_FILENO) == -1 ||
	    dup2(errfd, 3) == -1 || fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	(void)sandbox_close_from(4);
	umask(077);
	if (chdir("/") == -1)
		goto fail;
	if (geteuid() == 0 && exec_become(uid, gid) == -1)
		goto fail;
	execve(tor, (char *const *)(uintptr_t)argv,
	    (char *const *)(uintptr_t)envp);
fail:
	exec_child_failed();
}

int
tor_launch_prepare(const struct ttp_config *cfg, const char *torrc_path,
    struct tor_launch *l, char *err, size_t errsz)
{
	char		 logpath[TTP_CONF_PATH_MAX + 32];
	struct stat	 st;

	memset(l, 0, sizeof(*l));
	l->logfd = -1;
	if (tor_find(cfg, l->tor, sizeof(l->tor)) == -1) {
		snprintf(err, errsz, "tor (%s) not found in %s",
		    cfg->tor_binary, TTP_SAFE_PATH);
		return -1;
	}
	if (tor_ids(cfg, &l->uid, &l->gid, err, errsz) == -1)
		return -1;
	if (strlen(torrc_path) >= sizeof(l->torrc) ||
	    strlen(cfg->data_dir) >= sizeof(l->home) ||
	    config_run_path(cfg, TTP_TOR_LOG_NAME, logpath,
	    sizeof(logpath)) == -1) {
		snprintf(err, errsz, "tor's paths are too long");
		return -1;
	}
	memcpy(l->torrc, torrc_path, strlen(torrc_path) + 1);
	memcpy(l->home, cfg->data_dir, strlen(cfg->data_dir) + 1);
	l->cfg = cfg;
	if ((l->logfd = open(logpath, O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1 ||
	    fstat(l->logfd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: %s", logpath, l->logfd == -1 ?
		    strerror(errno) : "not a regular file");
		if (l->logfd != -1)
			close(l->logfd);
		l->logfd = -1;
		return -1;
	}
	return 0;
}

int
tor_launch(const struct tor_launch *l, pid_t *pid, char *err, size_t errsz)
{
	pid_t		 child;
	int		 devnull = -1, errp[2] = { -1, -1 }, e;
	int		 rc = -1;

	/* Stale files of the previous tor; the log emptied for each tor,
	 * so it is bounded by one tor's life. */
	if (tor_dir_unlink(l->cfg, TTP_CONTROL_SOCK_NAME, err, errsz) == -1 ||
	    tor_dir_unlink(l->cfg, TTP_COOKIE_NAME, err, errsz) == -1)
		return -1;
	if (ftruncate(l->logfd, 0) == -1) {
		snprintf(err, errsz, "tor.log: %s", strerror(errno));
		return -1;
	}
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    pipe2(errp, O_CLOEXEC) == -1) {
		snprintf(err, errsz, "open: %s", strerror(errno));
		goto out;
	}
	if ((child = fork()) == -1) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		goto out;
	}
	if (child == 0)
		tor_child(l->tor, l->torrc, l->home, l->uid, l->gid, devnull,
		    l->logfd, errp[1]);
	if ((e = exec_started(errp, child)) != 0) {
		snprintf(err, errsz, "cannot start %s as %s: %s", l->tor,
		    l->cfg->tor_user, strerror(e));
		goto out;
	}
	*pid = child;
	rc = 0;
out:
	if (devnull != -1)
		close(devnull);
	if (errp[0] != -1)
		close(errp[0]);
	if (errp[1] != -1)
		close(errp[1]);
	return rc;
}

int
tor_spawn(const struct ttp_config *cfg, const char *torrc_path, pid_t *pid,
    char *err, size_t errsz)
{
	struct tor_launch	 l;
	int			 rc;

	if (tor_prepare_dirs(cfg, err, errsz) == -1 ||
	    tor_launch_prepare(cfg, torrc_path, &l, err, errsz) == -1)
		return -1;
	rc = tor_launch(&l, pid, err, errsz);
	close(l.logfd);
	return rc;
}

/* Reap `pid` if it is our child and has exited; harmless otherwise. */
static void
reap(pid_t pid)
{
	(void)waitpid(pid, NULL, WNOHANG);
}

int
tor_wait_exit(pid_t pid, int timeout_ms)
{
	int	 pidfd, rc;

	if (pid <= 0)
		return -1;
	if ((pidfd = exec_pidfd_open(pid)) == -1)
		return errno == ESRCH ? 0 : -1;
	rc = exec_pidfd_wait(pidfd, timeout_ms);
	close(pidfd);
	if (rc == 0)
		reap(pid);
	return rc;
}

int
tor_terminate(pid_t pid, int timeout_ms)
{
	int	 pidfd, rc;

	if (pid <= 0)
		return -1;
	if ((pidfd = exec_pidfd_open(pid)) == -1)
		return errno == ESRCH ? 0 : -1;
	/* Signals through the pidfd cannot hit a recycled pid. */
	(void)syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
	if ((rc = exec_pidfd_wait(pidfd, timeout_ms)) == 1) {
		log_warnx("tor (pid %ld) did not exit within %d ms of SIGTERM; "
		    "killing it", (long)pid, timeout_ms);
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		rc = exec_pidfd_wait(pidfd, 5000);
	}
	close(pidfd);
	if (rc == 0)
		reap(pid);
	return rc == 0 ? 0 : -1;
}

int
tor_is_ours(pid_t pid, const char *torrc_path)
{
	char	 path[64], buf[4096];
	ssize_t	 n;
	size_t	 off;
	int	 fd, prev_f = 0;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* argv is NUL-separated: look for "-f" then the torrc path. */
	for (off = 0; off < (size_t)n; off += strlen(buf + off) + 1) {
		if (prev_f && strcmp(buf + off, torrc_path) == 0)
			return 1;
		prev_f = strcmp(buf + off, "-f") == 0;
	}
	return 0;
}
