/*
 * The anchor from the CLI's side: ask ttp-privd for it (FW_ANCHOR), hand
 * the socket that owns it to ttp-anchor, tell whether that keeper is
 * alive, and end it when the session ends. See docs/killswitch.md for
 * why the anchor exists and what happens when any part of it dies.
 */
#include "cli/anchor.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/session.h"
#include "common/helper.h"
#include "common/log.h"

#define ANCHOR_STOP_MS	2000

int
anchor_create(const struct privop_fw_apply *a, pid_t *pid)
{
	struct privop_reply	 rep;
	int			 rc;

	*pid = 0;
	if (privd_fd() == -1)
		return -1;
	if (privop_fw_anchor(privd_fd(), a, &rep) == -1) {
		log_warnx("FW_ANCHOR failed: %s", rep.msg[0] ? rep.msg :
		    strerror(rep.err));
		return -1;
	}
	rc = spawn_anchor(rep.fd, pid);
	/* ttp-anchor holds it now, or nobody should: then the anchor goes
	 * with this copy. */
	close(rep.fd);
	if (rc == -1)
		*pid = 0;
	return rc;
}

bool
anchor_alive(pid_t pid)
{
	struct passwd	*pw;
	char		 exe[PATH_MAX];

	return pid > 0 && (pw = getpwnam(TTP_UNPRIV_USER)) != NULL &&
	    helper_path("ttp-anchor", exe, sizeof(exe)) == 0 &&
	    cli_proc_is(pid, exe, pw->pw_uid);
}

void
anchor_stop(pid_t pid)
{
	if (cli_stop_process(pid, anchor_alive, SIGKILL, ANCHOR_STOP_MS,
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
