/*
 * State and checks shared by every command of the CLI: the configuration
 * (loaded once), the root check with its exit code, the check of the
 * helpers' system user, and the crash-point test hook.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "common/exec.h"

struct cli_globals cli;
volatile sig_atomic_t cli_interrupted;

int
cli_config(void)
{
	char	 err[1024];

	if (cli.cfg_loaded)
		return 0;
	if (config_load(cli.config_path, &cli.cfg, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	cli.cfg_loaded = true;
	return 0;
}

int
cli_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	log_warnx("'ttp %s' needs root: run 'sudo ttp %s'", cmd, cmd);
	return -1;
}

int
cli_need_helper_user(void)
{
	const struct passwd	*pw;
	const char		*why;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(TTP_UNPRIV_USER);
	if ((why = sandbox_user_unfit(pw)) == NULL)
		return 0;
	if (pw == NULL)
		log_warnx("the system user %s does not exist; create it with "
		    "'sudo make install' (or scripts/install-user.sh)",
		    TTP_UNPRIV_USER);
	else
		log_warnx("the system user %s %s; ttp's helpers need an "
		    "account of their own: give %s its own uid and group, or "
		    "delete it and run scripts/install-user.sh",
		    TTP_UNPRIV_USER, why, TTP_UNPRIV_USER);
	return -1;
}

const char *
cli_run_path(const char *name)
{
	static char	 buf[PATH_MAX];

	if (config_run_path(&cli.cfg, name, buf, sizeof(buf)) == -1)
		fatalx("run_dir path too long");
	return buf;
}

int
cli_command_lock(const char *cmd)
{
	static int	 fd = -1;
	char		 holder[64] = "";
	ssize_t		 n;

	if (mkdir(cli.cfg.run_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", cli.cfg.run_dir);
		return -1;
	}
	/* Close-on-exec: tor and the helpers must never inherit the lock. */
	fd = open(cli_run_path(TTP_CMDLOCK_NAME), O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("cannot open %s", cli_run_path(TTP_CMDLOCK_NAME));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((n = pread(fd, holder, sizeof(holder) - 1, 0)) > 0)
			holder[strcspn(holder, "\n")] = '\0';
		log_warnx("another ttp command is in progress (%s); wait for it "
		    "to finish, or press Ctrl-C there to cancel it",
		    holder[0] ? holder : "unknown");
		close(fd);
		fd = -1;
		return -1;
	}
	if (ftruncate(fd, 0) == 0)
		(void)dprintf(fd, "'ttp %s', pid %d\n", cmd, (int)getpid());
	return 0;
}

/* The helpers running now (torctl, netcheck, the parsing worker): the
 * only processes the signal handler ends. Never privd or tor. */
static volatile pid_t	 children[4];

void
cli_track_child(pid_t pid, bool add)
{
	size_t	 i;

	for (i = 0; i < sizeof(children) / sizeof(children[0]); i++)
		if (children[i] == (add ? 0 : pid)) {
			children[i] = add ? pid : 0;
			return;
		}
}

static void
on_signal(int sig)
{
	size_t	 i;

	if (cli_interrupted)
		return;
	cli_interrupted = sig;
	/* End the step in progress so the start undoes itself. */
	for (i = 0; i < sizeof(children) / sizeof(children[0]); i++)
		if (children[i] > 0)
			(void)kill(children[i], SIGTERM);
}

void
cli_on_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

void
cli_crash_point(const char *step)
{
	const char	*at = getenv("TTP_TEST_CRASH_AT");

	if (at != NULL && strcmp(at, step) == 0) {
		fflush(NULL);
		(void)raise(SIGKILL);
	}
}

void
cli_print_escaped(FILE *fp, const char *p, size_t n)
{
	unsigned char	 c;
	size_t		 i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t')
			(void)putc(c, fp);
		else
			(void)fprintf(fp, "\\x%02x", c);
	}
}

int
cli_stop_process(pid_t pid, bool (*is_it)(pid_t), int sig, int wait_ms,
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
cli_proc_cmdline(pid_t pid, char *buf, size_t bufsz)
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
cli_proc_is(pid_t pid, const char *exe, uid_t uid)
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
	if (errno != EACCES || cli_proc_cmdline(pid, buf, sizeof(buf)) == -1)
		return false;
	base = strrchr(buf, '/');
	want = strrchr(exe, '/');
	return strcmp(base ? base + 1 : buf, want ? want + 1 : exe) == 0;
}
