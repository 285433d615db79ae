/*
 * What the seccomp tests share (test_seccomp.c, test_seccomp_torctl.c,
 * test_seccomp_watchdog.c): a function run in a child confined by one
 * allowlist, and what the child's end must be.
 */
#ifndef TTP_SECCOMP_HARNESS_H
#define TTP_SECCOMP_HARNESS_H

#include <signal.h>
#include <sys/wait.h>

#include "common/sandbox.h"

typedef void	seccomp_fn(long arg);

/*
 * Fork; the child loads p (exit 99 if it cannot), runs fn(arg), then
 * leaves through exit_group itself, with no atexit work under the filter.
 * Returns the child's wait status.
 */
int	seccomp_child(const struct sandbox_policy *p, seccomp_fn *fn, long arg);

#define KILLED_BY_SIGSYS(st)	(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
#define EXITED_ZERO(st)		(WIFEXITED(st) && WEXITSTATUS(st) == 0)

/* Fail the test unless fn(arg) under p dies by SIGSYS; `what` names the
 * call in the message. */
void	seccomp_expect_kill(const struct sandbox_policy *p, seccomp_fn *fn,
	    long arg, const char *what);
/* Fail the test unless fn(arg) under p exits 0. */
void	seccomp_expect_ok(const struct sandbox_policy *p, seccomp_fn *fn,
	    long arg, const char *what);

#endif
