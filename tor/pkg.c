/*
 * runs in: ttp (root) and the watchdog notifiers (finding programs only).
 *
 * Finding and installing the programs ttp needs; see pkg.h. Lookups use
 * TTP_SAFE_PATH only, never the caller's PATH: a root process executes
 * what is found. Package names differ between distributions, hence the
 * table.
 */
#include "tor/pkg.h"
#include "common/exec.h"
#include "common/defaults.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* apt-get may download and configure for a while; still bounded. */
#define PKG_TIMEOUT_MS	(15 * 60 * 1000)

static const struct {
	const char	*program;
	const char	*pkg[4];	/* indexed by enum pkg_manager */
} pkg_table[] = {
	{ "tor", { NULL, "tor", "tor", "tor" } },
	{ "obfs4proxy", { NULL, "obfs4proxy", "obfs4", "obfs4proxy" } },
	{ "snowflake-client",
	    { NULL, "snowflake-client", "snowflake-client",
	      "snowflake-pt-client" } },
	{ "lyrebird", { NULL, "lyrebird", "lyrebird", "lyrebird" } },
};

static const char *const pkg_managers[] = {
	[PKG_NONE] = NULL, [PKG_APT] = "apt-get", [PKG_DNF] = "dnf",
	[PKG_PACMAN] = "pacman",
};

int
pkg_find_program(const char *name, char *buf, size_t bufsz)
{
	char		 dirs[] = TTP_SAFE_PATH, *dir, *save = NULL;
	struct stat	 st;
	int		 n;

	if (strchr(name, '/') != NULL) {
		n = snprintf(buf, bufsz, "%s", name);
		return (n > 0 && (size_t)n < bufsz && name[0] == '/' &&
		    stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0) ? 0 : -1;
	}
	for (dir = strtok_r(dirs, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		n = snprintf(buf, bufsz, "%s/%s", dir, name);
		if (n > 0 && (size_t)n < bufsz && stat(buf, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
	}
	return -1;
}

enum pkg_manager
pkg_detect(void)
{
	char	 path[256];
	int	 m;

	for (m = PKG_APT; m <= PKG_PACMAN; m++)
		if (pkg_find_program(pkg_managers[m], path, sizeof(path)) == 0)
			return (enum pkg_manager)m;
	return PKG_NONE;
}

const char *
pkg_manager_name(enum pkg_manager m)
{
	return (m > PKG_NONE && m <= PKG_PACMAN) ? pkg_managers[m] : "none";
}

const char *
pkg_for_program(enum pkg_manager m, const char *program)
{
	size_t	 i;

	if (m <= PKG_NONE || m > PKG_PACMAN)
		return NULL;
	for (i = 0; i < sizeof(pkg_table) / sizeof(pkg_table[0]); i++)
		if (strcmp(pkg_table[i].program, program) == 0)
			return pkg_table[i].pkg[m];
	return NULL;
}

int
pkg_install_argv(enum pkg_manager m, const char *pkg, const char *argv[],
    size_t nargv)
{
	const char	*apt[] = { "apt-get", "install", "-y", "-q",
	    "--no-install-recommends", pkg, NULL };
	const char	*dnf[] = { "dnf", "install", "-y", "-q", pkg, NULL };
	const char	*pac[] = { "pacman", "-S", "--noconfirm", "--needed",
	    pkg, NULL };
	const char	**v;
	size_t		 i;

	switch (m) {
	case PKG_APT:
		v = apt;
		break;
	case PKG_DNF:
		v = dnf;
		break;
	case PKG_PACMAN:
		v = pac;
		break;
	default:
		return -1;
	}
	for (i = 0; v[i] != NULL; i++) {
		if (i + 1 >= nargv)
			return -1;
		argv[i] = v[i];
	}
	argv[i] = NULL;
	return 0;
}

static int
pkg_run(const char *path, const char *const argv[], char *err, size_t errsz)
{
	static const char *const env[] = {
		"PATH=" TTP_SAFE_PATH, "LC_ALL=C",
		"DEBIAN_FRONTEND=noninteractive", NULL
	};
	struct exec_req	 r = {
		.path = path, .argv = argv, .env = env,
		.timeout_ms = PKG_TIMEOUT_MS,
	};
	int		 status;

	if (exec_run(&r, &status, err, errsz) == -1)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errsz, "%s failed (exit status %d)", argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

int
pkg_install(const char *program, char *err, size_t errsz)
{
	enum pkg_manager m;
	const char	*pkg, *argv[8];
	const char	*update[] = { "apt-get", "update", "-q", NULL };
	char		 path[256];

	if (geteuid() != 0) {
		snprintf(err, errsz, "%s is missing and only root can install "
		    "it", program);
		return -1;
	}
	if ((m = pkg_detect()) == PKG_NONE) {
		snprintf(err, errsz, "%s is missing and no known package "
		    "manager (apt-get, dnf, pacman) was found: install it "
		    "by hand", program);
		return -1;
	}
	if ((pkg = pkg_for_program(m, program)) == NULL ||
	    pkg_install_argv(m, pkg, argv, 8) == -1 ||
	    pkg_find_program(pkg_managers[m], path, sizeof(path)) == -1) {
		snprintf(err, errsz, "%s is missing and ttp does not know "
		    "which %s package provides it: install it by hand",
		    program, pkg_manager_name(m));
		return -1;
	}
	log_info("installing %s: %s install %s", program, pkg_managers[m],
	    pkg);
	if (pkg_run(path, argv, err, errsz) == 0)
		return 0;
	if (m != PKG_APT)
		return -1;
	/* A fresh host may have no package lists yet. */
	log_info("retrying after apt-get update");
	if (pkg_run(path, update, err, errsz) == -1)
		return -1;
	return pkg_run(path, argv, err, errsz);
}
