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
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/session.h"
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
	char		 path[64], buf[512], *arg, *base;
	unsigned long	 uid = 0;
	bool		 zombie = true, uid_ok = false;
	FILE		*fp;

	if (pid <= 0 || (pw = getpwnam(TTP_UNPRIV_USER)) == NULL ||
	    cli_proc_cmdline(pid, buf, sizeof(buf)) == -1)
		return false;
	arg = buf;
	base = strrchr(arg, '/');
	if (strcmp(base != NULL ? base + 1 : arg, "ttp-anchor") != 0)
		return false;
	/* Its real uid is _ttp's, and it is not a zombie. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return false;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		if (strncmp(buf, "State:", 6) == 0)
			zombie = strchr(buf, 'Z') != NULL ||
			    strchr(buf, 'X') != NULL;
		if (sscanf(buf, "Uid: %lu", &uid) == 1)
			uid_ok = uid == (unsigned long)pw->pw_uid;
	}
	fclose(fp);
	return uid_ok && !zombie;
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
