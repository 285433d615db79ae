/*
 * runs in: ttp and the watchdog's monitor.
 *
 * Locates helper executables; see helper.h. A root CLI executes what this
 * returns, so a helper that someone other than root could have replaced is
 * refused.
 */
#include "common/helper.h"
#include "common/defaults.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
helper_trusted(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return 0;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) == -1)
		return 0;
	if (geteuid() == 0 &&
	    (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		log_warnx("refusing helper %s: it must be owned by root and "
		    "not writable by group or others", path);
		return 0;
	}
	return 1;
}

int
helper_path(const char *name, char *buf, size_t bufsz)
{
	char	 self[PATH_MAX], *slash;
	ssize_t	 n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(buf, bufsz, "%s/%s", self,
			    name) < bufsz && helper_trusted(buf))
				return 0;
			/* Test and bench programs live in build/tests and
			 * build/bench, beside build/bin. */
			if ((slash = strrchr(self, '/')) != NULL &&
			    (strcmp(slash, "/tests") == 0 ||
			    strcmp(slash, "/bench") == 0) &&
			    (size_t)snprintf(buf, bufsz, "%.*s/bin/%s",
			    (int)(slash - self), self, name) < bufsz &&
			    helper_trusted(buf))
				return 0;
		}
	}
	if ((size_t)snprintf(buf, bufsz, "%s/%s", TTP_LIBEXECDIR, name) <
	    bufsz && helper_trusted(buf))
		return 0;
	log_warnx("helper %s not found beside the ttp binary nor in %s; "
	    "reinstall ttp (make install)", name, TTP_LIBEXECDIR);
	return -1;
}

/* The fixed environment of every helper; sanitizer builds keep the
 * test's sanitizer options. */
void
helper_env(const char *envp[4], char *asan, size_t asansz)
{
	const char	*v;

	envp[0] = "PATH=" TTP_SAFE_PATH;
	envp[1] = "LC_ALL=C";
	envp[2] = envp[3] = NULL;
	if ((v = getenv("ASAN_OPTIONS")) != NULL) {
		snprintf(asan, asansz, "ASAN_OPTIONS=%s", v);
		envp[2] = asan;
	}
}
