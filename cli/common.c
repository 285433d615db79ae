/*
 * runs in: ttp, root or any user.
 *
 * State and checks shared by every command of the CLI: the configuration
 * (loaded once), the root check with its exit code, the check of the
 * helpers' system user, and the crash-point test hook.
 */
#include "cli/cli.h"
#include "cli/commands.h"

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

/* diagnose, uninstall, disable, completion and watchdog parse this by hand. */
static const struct option help_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable help_optable = { help_longopts, "h", NULL };
static const struct option no_longopts[] = {
	{ NULL, 0, NULL, 0 }
};
const struct optable none_optable = { no_longopts, "", NULL };
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
	session_use_config(&cli.cfg);
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
	fd = open(session_run_path(TTP_CMDLOCK_NAME), O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("cannot open %s", session_run_path(TTP_CMDLOCK_NAME));
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

