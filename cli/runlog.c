/*
 * runs in: ttp, root.
 *
 * The volatile session log, <run_dir>/ttp.log: every
 * message of start, stop, restart and refresh is appended to it. It is
 * capped at TTP_LOG_MAX_BYTES by rolling it to ttp.log.1 when it is opened.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

void
runlog_open(void)
{
	struct stat	 st;
	char		 path[PATH_MAX], old[PATH_MAX + 2];
	FILE		*fp;
	int		 fd;

	if (mkdir(cli.cfg.run_dir, 0755) == -1 && errno != EEXIST)
		return;
	snprintf(path, sizeof(path), "%s", session_run_path(TTP_LOG_NAME));
	if (stat(path, &st) == 0 && st.st_size > TTP_LOG_MAX_BYTES) {
		snprintf(old, sizeof(old), "%s.1", path);
		(void)rename(path, old);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd == -1 || (fp = fdopen(fd, "a")) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	log_set_file(fp);
}
