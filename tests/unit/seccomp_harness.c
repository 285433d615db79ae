/*
 * The seccomp tests' confined children; see seccomp_harness.h.
 */
#include "seccomp_harness.h"

#include <check.h>
#include <sys/syscall.h>
#include <unistd.h>

int
seccomp_child(const struct sandbox_policy *p, seccomp_fn *fn, long arg)
{
	pid_t	 pid;
	int	 status;

	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (sandbox_seccomp(p) == -1)
			syscall(SYS_exit_group, 99);
		fn(arg);
		syscall(SYS_exit_group, 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

void
seccomp_expect_kill(const struct sandbox_policy *p, seccomp_fn *fn, long arg,
    const char *what)
{
	int	 st = seccomp_child(p, fn, arg);

	ck_assert_msg(KILLED_BY_SIGSYS(st), "%s: %s did not kill (status %#x)",
	    p->name, what, st);
}

void
seccomp_expect_ok(const struct sandbox_policy *p, seccomp_fn *fn, long arg,
    const char *what)
{
	int	 st = seccomp_child(p, fn, arg);

	ck_assert_msg(EXITED_ZERO(st), "%s: %s failed (status %#x)", p->name,
	    what, st);
}
