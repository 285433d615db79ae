/*
 * Supervising ttp's own tor without systemd, for the root
 * CLI: build and check the torrc, prepare tor's directories, start tor as
 * its user in its own session (it outlives `ttp start`), and wait for it
 * to exit. Every wait is bounded.
 */
#ifndef TTP_TOR_PROC_H
#define TTP_TOR_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "common/config.h"
#include "tor/torrc.h"

/* Seconds `tor --verify-config` may take. */
#define TOR_VERIFY_TIMEOUT_MS	(30 * 1000)

/* The tor executable from [tor] binary, in TTP_SAFE_PATH. 0 or -1. */
int	tor_find(const struct ttp_config *cfg, char *path, size_t pathsz);
/*
 * tor's run directory belongs to the tor user (and on Debian its parent,
 * /run/tor, too), so root never goes through it by path: tor_dir_open()
 * opens it once, refusing a symlink or a directory that is not the tor
 * user's own private one, and these work through that descriptor,
 * following nothing there. Each returns -1 with err filled.
 */
int	tor_dir_open(const struct ttp_config *cfg, char *err, size_t errsz);
/* Remove name there (a symlink itself, never its target); ENOENT is 0. */
int	tor_dir_unlink(const struct ttp_config *cfg, const char *name,
	    char *err, size_t errsz);
/* name there for reading: a regular file only, opened without blocking. */
int	tor_dir_read_open(const struct ttp_config *cfg, const char *name,
	    char *err, size_t errsz);

/* The ids tor runs as: the tor user when we are root, else ourselves. */
int	tor_ids(const struct ttp_config *cfg, uid_t *uid, gid_t *gid, char *err,
	    size_t errsz);

/*
 * Render the torrc into buf and have tor check it (tor --verify-config,
 * as the tor user, the text on stdin: nothing is written anywhere).
 * Decides o->sandbox from [tor] sandbox: "auto" turns tor's Sandbox off
 * when bridges use pluggable transports or when tor refuses it with this
 * torrc, and says so. Returns the length, or -1 with tor's own one-line
 * complaint in err.
 */
int	tor_build_torrc(const struct ttp_config *cfg, struct torrc_opts *o,
	    char *buf, size_t bufsz, char *err, size_t errsz);

/* tor --verify-config on a torrc text or file. 0, or -1 with tor's reason. */
int	tor_verify_text(const struct ttp_config *cfg, const char *text,
	    char *err, size_t errsz);
int	tor_verify_config(const struct ttp_config *cfg, const char *torrc_path,
	    char *err, size_t errsz);

/*
 * Create what tor needs, as root: tor_run_dir and data_dir owned by the
 * tor user with mode 0700 (tor refuses a ControlSocket or DataDirectory
 * others can enter), missing parents 0755 root, run_dir 0755 root. An
 * existing directory owned by someone else is refused, never taken over.
 */
int	tor_prepare_dirs(const struct ttp_config *cfg, char *err,
	    size_t errsz);
/* `ttp run`'s SOCKS directory <run_dir>/socks (the tor user's, 0755),
 * made by tor_prepare_dirs (sock NULL); or the socket's path into sock. */
int	tor_socks_dir(const struct ttp_config *cfg, char *sock, size_t socksz,
	    char *err, size_t errsz);
/* Remove that socket and directory (after tor has stopped). */
void	tor_socks_remove(const struct ttp_config *cfg);

/* Write tor_run_dir/torrc afresh (never through a link); path returned. */
int	tor_write_torrc(const struct ttp_config *cfg, const char *text,
	    char *path, size_t pathsz, char *err, size_t errsz);

/*
 * Start tor as the tor user: `tor -f torrc --defaults-torrc /dev/null`,
 * new session, fixed environment, stdin /dev/null, stdout and stderr
 * appended to run_dir/tor.log, stale control.sock and auth_cookie removed
 * first. Returns 0 with tor's pid, or -1 (tor could not be executed).
 */
int	tor_spawn(const struct ttp_config *cfg, const char *torrc_path,
	    pid_t *pid, char *err, size_t errsz);

/*
 * tor_spawn in two halves, for the watchdog's tor launcher, which starts
 * tor again as the tor user itself: what needs root (the binary, the
 * tor user's ids, tor.log in ttp's run directory, opened once), and what
 * does not (the launch, which may be repeated, each with tor.log emptied).
 */
struct tor_launch {
	const struct ttp_config	*cfg;
	char			 tor[TTP_CONF_PATH_MAX];
	char			 torrc[TTP_CONF_PATH_MAX];
	char			 home[TTP_CONF_PATH_MAX];
	uid_t			 uid;
	gid_t			 gid;
	int			 logfd;	/* tor.log, O_APPEND */
};
int	tor_launch_prepare(const struct ttp_config *cfg, const char *torrc_path,
	    struct tor_launch *l, char *err, size_t errsz);
int	tor_launch(const struct tor_launch *l, pid_t *pid, char *err,
	    size_t errsz);

/*
 * Wait at most timeout_ms for `pid` to exit (pidfd; also for a tor that is
 * not our child). Returns 0 gone, 1 still running, -1 error.
 */
int	tor_wait_exit(pid_t pid, int timeout_ms);

/* SIGTERM, wait timeout_ms, then SIGKILL and wait. 0 gone, -1 not. */
int	tor_terminate(pid_t pid, int timeout_ms);

/* Whether `pid` is a tor started with "-f torrc_path" (a pid in the
 * session lock may have been reused). 1 yes, 0 no. */
int	tor_is_ours(pid_t pid, const char *torrc_path);

#endif
