/*
 * Programs ttp needs (tor, pluggable transports): finding them in the safe
 * PATH, and installing the package that provides one when it is missing,
 * through the detected package manager (apt-get, dnf or pacman), as
 * the earlier tool did. Only `ttp start` (root) installs; it says what it does.
 */
#ifndef TTP_PKG_H
#define TTP_PKG_H

#include <stddef.h>

enum pkg_manager { PKG_NONE, PKG_APT, PKG_DNF, PKG_PACMAN };

/* Which package manager this host has (first of apt-get, dnf, pacman). */
enum pkg_manager	pkg_detect(void);
const char		*pkg_manager_name(enum pkg_manager m);

/* The package providing `program` for manager `m`, or NULL if unknown. */
const char	*pkg_for_program(enum pkg_manager m, const char *program);

/*
 * The argv that installs `pkg` non-interactively with manager `m`, in
 * argv[0..nargv-1] (NULL-terminated). Returns 0, or -1 for PKG_NONE.
 */
int	pkg_install_argv(enum pkg_manager m, const char *pkg,
	    const char *argv[], size_t nargv);

/*
 * Resolve `name` (a bare name or an absolute path) to an executable in
 * TTP_SAFE_PATH. Returns 0 with the path in buf, or -1.
 */
int	pkg_find_program(const char *name, char *buf, size_t bufsz);

/*
 * Install the package that provides `program`; logs what it runs. Needs
 * root. Returns 0, or -1 with a one-line message in err.
 */
int	pkg_install(const char *program, char *err, size_t errsz);

#endif
