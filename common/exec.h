/*
 * Running a program ttp needs (tor --verify-config, a package manager):
 * fixed environment, stdin from /dev/null, optionally as another user,
 * output captured or passed to our stderr, bounded in time. Never through
 * a shell.
 */
#ifndef TTP_EXEC_H
#define TTP_EXEC_H

#include <stddef.h>
#include <sys/types.h>

struct exec_req {
	const char		*path;		/* absolute */
	const char *const	*argv;
	const char *const	*env;		/* NULL: PATH=TTP_SAFE_PATH, LC_ALL=C */
	int			 in_fd;		/* stdin; 0: /dev/null */
	int			 as_user;	/* switch to uid/gid (when root) */
	uid_t			 uid;
	gid_t			 gid;
	char			*out;		/* stdout+stderr; NULL: to our stderr */
	size_t			 outsz;
	int			 timeout_ms;
};

/*
 * Run and wait. Returns 0 with the wait status in *status, or -1 with a
 * message in err (cannot run, or killed at the timeout).
 */
int	exec_run(const struct exec_req *r, int *status, char *err,
	    size_t errsz);

/*
 * fork(), with a close-on-exec pipe in p first unless p is NULL, and
 * stdio flushed (a child that writes must not write our buffers again).
 * Returns what fork() returns; -1 after logging, with no pipe left open.
 */
pid_t	exec_fork_piped(int p[2]);

/*
 * How a child tells its parent that it could not exec: it holds the
 * write end of a close-on-exec pipe on descriptor 3 (so the pipe closes
 * when execve succeeds) and, where it fails, calls exec_child_failed(),
 * which writes errno there and exits 127. The parent calls exec_started()
 * with the pipe and the child's pid: it closes errp[1] (and sets it to -1),
 * then returns 0 once the child has exec'd, or the errno it failed with,
 * after reaping it.
 */
void	exec_child_failed(void) __attribute__((noreturn));
int	exec_started(int errp[2], pid_t pid);

/* In a child: become uid/gid with no supplementary groups. */
int	exec_become(uid_t uid, gid_t gid);

/* pidfd_open(2), also where libc has no wrapper. */
int	exec_pidfd_open(pid_t pid);

/*
 * Wait until the process behind `pidfd` has exited, at most timeout_ms.
 * Returns 0 when it has, 1 at the timeout, -1 on error.
 */
int	exec_pidfd_wait(int pidfd, int timeout_ms);

#endif
