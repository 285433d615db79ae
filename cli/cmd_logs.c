/*
 * runs in: ttp, root.
 *
 * ttp logs: print the volatile session log (or tor's own log with --tor)
 * and follow it as it grows, woken by inotify rather than by polling.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/cli.h"
#include "common/log.h"

static const struct option logs_longopts[] = {
	{ "no-follow", no_argument, NULL, 'n' },
	{ "tor", no_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable logs_optable = { logs_longopts, "nh", NULL };

static void
logs_usage(FILE *fp)
{
	fputs("usage: ttp logs [-n|--no-follow] [--tor]\n"
	    "Print the session log (<run_dir>/ttp.log) and follow it.\n"
	    "  -n, --no-follow  print and exit\n"
	    "  --tor            tor's own log (<run_dir>/tor.log) instead\n",
	    fp);
}

/* Print what was appended since the last call, escaped (tor's log is
 * tor's bytes, the session log carries helpers' messages). */
static int
copy_out(int fd)
{
	char	 buf[8192];
	ssize_t	 n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		cli_print_escaped(stdout, buf, (size_t)n);
		if (fflush(stdout) != 0)
			return -1;
	}
	return n == 0 ? 0 : -1;
}

int
cmd_logs(int argc, char **argv)
{
	struct pollfd	 pfd;
	struct stat	 sb;
	char		 path[PATH_MAX], ev[4096];
	bool		 follow = true, tor = false;
	int		 ch, fd, ino;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, logs_optable.shortopts,
	    logs_optable.opts, NULL)) != -1) {
		if (ch == 'n')
			follow = false;
		else if (ch == 't')
			tor = true;
		else if (ch != 'h')
			return bad_option("logs", argv);
		else {
			logs_usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? TTP_EXIT_OK : TTP_EXIT_ERROR;
		}
	}
	if (cli_need_root("logs") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	snprintf(path, sizeof(path), "%s", session_run_path(tor ? "tor.log" :
	    TTP_LOG_NAME));
	/* Non-blocking, and a regular file only: a FIFO or a device in its
	 * place must neither hang nor flood this command. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		log_warnx("no log at %s yet (it appears with 'sudo ttp "
		    "start')", path);
		return TTP_EXIT_ERROR;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		log_warnx("%s is not a regular file; remove it, or run 'sudo "
		    "ttp restart' to have it made again", path);
		close(fd);
		return TTP_EXIT_ERROR;
	}
	if (copy_out(fd) == -1 || !follow) {
		close(fd);
		return TTP_EXIT_OK;
	}
	if ((ino = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(ino, path, IN_MODIFY | IN_DELETE_SELF |
	    IN_MOVE_SELF) == -1) {
		log_warn("inotify %s", path);
		close(fd);
		return TTP_EXIT_ERROR;
	}
	pfd.fd = ino;
	pfd.events = POLLIN;
	/* Until interrupted, or until the log is rolled or removed. */
	for (;;) {
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (read(ino, ev, sizeof(ev)) <= 0 || copy_out(fd) == -1)
			break;
		if (((struct inotify_event *)(void *)ev)->mask &
		    (IN_DELETE_SELF | IN_MOVE_SELF))
			break;
	}
	close(ino);
	close(fd);
	return TTP_EXIT_OK;
}
