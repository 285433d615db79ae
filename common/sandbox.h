/*
 * Confinement shared by every ttp process: drop to the unprivileged user,
 * keep an explicit set of capabilities (or none), set NO_NEW_PRIVS, close
 * inherited descriptors, restrict the files an unprivileged process may
 * still open (Landlock, common/landlock.c), and load a seccomp allowlist
 * whose default action kills the process. Allowlists and path lists are
 * data (seccomp/<process>.c), one syscall or path a line with the reason
 * it is needed.
 */
#ifndef TTP_SANDBOX_H
#define TTP_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <seccomp.h>

struct passwd;

struct sandbox_rule {
	int		 nr;	/* SCMP_SYS(name) */
	int		 arg;	/* index of the filtered argument, or -1 */
	uint64_t	 val;	/* the only value allowed, or with nobits:
				   the bits that must all be clear */
	int		 nobits;
	int		 arg2;	/* a second argument that must equal val2 */
	uint64_t	 val2;
	int		 err;	/* 0: allow; else fail with this errno */
	const char	*why;
};

#define SB_ALLOW(name, w)						\
	{ .nr = SCMP_SYS(name), .arg = -1, .arg2 = -1, .why = w }
#define SB_ALLOW_ARG(name, i, v, w)					\
	{ .nr = SCMP_SYS(name), .arg = i, .val = v, .arg2 = -1, .why = w }
/* Both arguments must have these values. */
#define SB_ALLOW_ARGS(name, i, v, j, v2, w)				\
	{ .nr = SCMP_SYS(name), .arg = i, .val = v, .arg2 = j, .val2 = v2, \
	  .why = w }
/* Argument i must have none of these bits. */
#define SB_ALLOW_NOBITS(name, i, bits, w)				\
	{ .nr = SCMP_SYS(name), .arg = i, .val = bits, .nobits = 1,	\
	  .arg2 = -1, .why = w }
/* The call fails with errno e (the caller has a fallback). */
#define SB_ERRNO(name, e, w)						\
	{ .nr = SCMP_SYS(name), .arg = -1, .arg2 = -1, .err = e, .why = w }

struct sandbox_policy {
	const char			*name;	/* "privd", "torctl", ... */
	const struct sandbox_rule	*rules;
	size_t				 nrules;
};

/* The allowlists, defined in seccomp/. */
extern const struct sandbox_policy sandbox_privd;
extern const struct sandbox_policy sandbox_torctl;
extern const struct sandbox_policy sandbox_netcheck;
extern const struct sandbox_policy sandbox_cli;
extern const struct sandbox_policy sandbox_watchdog;
extern const struct sandbox_policy sandbox_anchor;
/* seccomp/index.c: all of the above, NULL-terminated; and how many
 * distinct syscalls one permits (the figure SECURITY.md states). */
extern const struct sandbox_policy *const sandbox_policies[];
size_t	sandbox_syscalls(const struct sandbox_policy *policy);

/*
 * Landlock: the files a process may still open once it has opened what it
 * needs. Everything else is refused (EACCES): every other path, any write,
 * create, remove, rename, link or execute, TCP bind and, unless
 * `tcp_connect`, TCP connect; with a kernel that has the scopes, signals
 * to processes outside the domain and abstract unix sockets too.
 */
#define SB_FS_READ	0x1	/* open regular files for reading */
#define SB_FS_LIST	0x2	/* list directories (with a directory only) */

struct sandbox_path {
	const char	*path;	/* absolute; a directory covers all beneath */
	unsigned	 access;	/* SB_FS_* */
	const char	*why;
};

struct sandbox_fs_policy {
	const char			*name;
	const struct sandbox_path	*paths;
	size_t				 npaths;
	int				 tcp_connect;	/* 1: any TCP connect */
};

/* The path lists, defined in seccomp/ beside each allowlist. */
extern const struct sandbox_fs_policy sandbox_fs_torctl;
extern const struct sandbox_fs_policy sandbox_fs_netcheck;
extern const struct sandbox_fs_policy sandbox_fs_cli;
extern const struct sandbox_fs_policy sandbox_fs_watchdog;
extern const struct sandbox_fs_policy sandbox_fs_anchor;

/*
 * The directory of the C library this process runs with, where glibc
 * finds the NSS modules nsswitch.conf may name (libnss_*.so); NULL when
 * unknown.
 */
const char *sandbox_libc_dir(char *buf, size_t bufsz);
/* The kernel's Landlock ABI version; 0 when it has no Landlock. */
int	sandbox_landlock_abi(void);
/*
 * NO_NEW_PRIVS, then restrict this process (and what it forks) to the
 * policy's paths plus `extra`, NULL-terminated paths given SB_FS_READ
 * that are known only at run time (NULL: none). A path that does not
 * exist is left out. Best effort by design: on a kernel without Landlock
 * it logs at debug and returns 0, as when it is enforced. -1 on failure,
 * after logging one line. Called before sandbox_seccomp(), so that the
 * allowlists need none of Landlock's syscalls.
 */
int	sandbox_landlock(const struct sandbox_fs_policy *policy,
	    const char *const *extra);
/*
 * AppArmor (common/apparmor.c): enter one of ttp's profiles now, before
 * NO_NEW_PRIVS, so that what this process executes afterwards inherits
 * it. Best effort: nothing happens without AppArmor or that profile.
 */
void	sandbox_apparmor_enter(const char *profile);
/* Close every descriptor >= lowfd. */
int	sandbox_close_from(int lowfd);
/*
 * Why `pw` (NULL: no such user) cannot be the account ttp's sandboxed
 * processes run as, as words completing "the user ... "; NULL when it can.
 * It must be an account of their own: not root (uid 0 or primary gid 0)
 * and not the shared nobody (uid 65534).
 */
const char *sandbox_user_unfit(const struct passwd *pw);
/*
 * When root: switch to `user`, which must pass sandbox_user_unfit (there
 * is no fallback to another account), drop supplementary groups and all
 * capabilities, including the bounding set. A no-op when not root.
 * Returns -1 on failure, after logging one line.
 */
int	sandbox_drop_user(const char *user);
/* Stay uid 0 but keep only these capabilities; clears the bounding set. */
int	sandbox_keep_caps(const int *caps, size_t ncaps);
/* NO_NEW_PRIVS, then load the allowlist (default action: kill process). */
int	sandbox_seccomp(const struct sandbox_policy *policy);

#endif
