/*
 * The seccomp allowlists (seccomp/<process>.c): each table is well formed
 * (known syscalls, a reason on every line, sorted, nothing listed twice),
 * and once loaded a forbidden syscall kills the process with SIGSYS while
 * an allowed one works. Every process's policy is covered by adding one
 * line to `policies` below; privd also gets checks of its argument
 * filters.
 */
#include "common/sandbox.h"
#include "privd/privd.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_run.h"
#include "seccomp_harness.h"

/* One line per process whose allowlist exists. */
static const struct sandbox_policy *const policies[] = {
	&sandbox_privd,
	/* &sandbox_torctl, */
	/* &sandbox_netcheck, */
	/* &sandbox_cli, */
	&sandbox_watchdog,
	&sandbox_anchor,
};
#define N_POLICIES	(sizeof(policies) / sizeof(policies[0]))

/* Calls no ttp process may make, tried in turn against each policy. */
static const int forbidden[] = {
	SCMP_SYS(execve), SCMP_SYS(ptrace), SCMP_SYS(kexec_load),
	SCMP_SYS(init_module), SCMP_SYS(bpf), SCMP_SYS(setuid),
};

static const char *
sysname(int nr)
{
	static char	 name[64];
	char		*s;

	s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	if (s == NULL)
		return NULL;
	strncpy(name, s, sizeof(name) - 1);
	free(s);
	return name;
}

static int
allowed_at_all(const struct sandbox_policy *p, int nr)
{
	size_t	 i;

	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].nr == nr)
			return 1;
	return 0;
}

START_TEST(test_table_well_formed)
{
	const struct sandbox_policy	*p = policies[_i];
	char				 prev[64] = "";
	const struct sandbox_rule	*r, *q;
	const char			*name;
	size_t				 i, j;

	ck_assert_ptr_nonnull(p->name);
	ck_assert_uint_gt(p->nrules, 0);
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		name = sysname(r->nr);
		ck_assert_msg(name != NULL, "%s: rule %zu: unknown syscall",
		    p->name, i);
		ck_assert_msg(r->why != NULL && r->why[0] != '\0',
		    "%s: %s has no reason", p->name, name);
		ck_assert_msg(r->arg >= -1 && r->arg <= 5,
		    "%s: %s: bad argument index", p->name, name);
		ck_assert_msg(strcmp(prev, name) <= 0,
		    "%s: not sorted: %s after %s", p->name, name, prev);
		for (j = 0; j < i; j++) {
			q = &p->rules[j];
			if (q->nr != r->nr)
				continue;
			/* Twice unfiltered, the same filter twice, or a
			 * filter that an unfiltered line makes moot. */
			ck_assert_msg(q->arg != -1 && r->arg != -1 &&
			    (q->arg != r->arg || q->val != r->val ||
			    q->arg2 != r->arg2 || q->val2 != r->val2),
			    "%s: %s listed twice", p->name, name);
		}
		strcpy(prev, name);
	}
}
END_TEST

static void
call_forbidden(long nr)
{
	syscall(nr, 0, 0, 0, 0, 0, 0);
}

static void
call_nothing(long arg)
{
	(void)arg;
}

START_TEST(test_forbidden_kills)
{
	const struct sandbox_policy	*p = policies[_i];
	size_t				 i;
	int				 tried = 0;

	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		if (allowed_at_all(p, forbidden[i]))
			continue;
		seccomp_expect_kill(p, call_forbidden, forbidden[i],
		    sysname(forbidden[i]));
		tried++;
	}
	ck_assert_int_gt(tried, 0);
}
END_TEST

/* Loading the filter and exiting normally: exit_group is allowed. */
START_TEST(test_allowed_exit)
{
	seccomp_expect_ok(policies[_i], call_nothing, 0, "exit_group");
}
END_TEST

/* ---- privd: its argument filters, both ways ---- */

static void
netlink_socket(long proto)
{
	int	 fd;

	/* Allowed: the result does not matter, only that we live. */
	if ((fd = socket(AF_NETLINK, SOCK_RAW, (int)proto)) != -1)
		close(fd);
}

static void
inet_socket(long type)
{
	(void)socket(AF_INET, (int)type, 0);
}

static void
mount_with(long flags)
{
	(void)mount("/nonexistent", "/nonexistent", NULL,
	    (unsigned long)flags, NULL);
}

static void
mmap_prot(long prot)
{
	(void)mmap(NULL, 4096, (int)prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void
mprotect_exec(long arg)
{
	static char	 page[4096] __attribute__((aligned(4096)));

	(void)arg;
	(void)mprotect(page, sizeof(page), PROT_READ | PROT_EXEC);
}

static void
open_for_exec(long arg)
{
	(void)arg;
	(void)execl("/bin/true", "true", (char *)NULL);
}

START_TEST(test_privd_filters)
{
	const struct sandbox_policy	*p = &sandbox_privd;

	seccomp_expect_ok(p, netlink_socket, NETLINK_NETFILTER,
	    "socket(NETLINK_NETFILTER)");
	seccomp_expect_ok(p, netlink_socket, NETLINK_SOCK_DIAG,
	    "socket(NETLINK_SOCK_DIAG)");
	seccomp_expect_kill(p, netlink_socket, NETLINK_ROUTE,
	    "socket(NETLINK_ROUTE)");
	seccomp_expect_kill(p, inet_socket, SOCK_STREAM, "socket(AF_INET)");
	seccomp_expect_kill(p, inet_socket, SOCK_RAW, "raw socket(AF_INET)");

	seccomp_expect_ok(p, mount_with, MS_BIND, "mount(MS_BIND)");
	seccomp_expect_ok(p, mount_with, DNS_REMOUNT_FLAGS,
	    "the read-only remount");
	seccomp_expect_kill(p, mount_with, MS_REMOUNT | MS_BIND,
	    "a writable remount");
	seccomp_expect_kill(p, mount_with, MS_MOVE, "mount(MS_MOVE)");
	seccomp_expect_kill(p, mount_with, MS_BIND | MS_REC,
	    "mount(MS_BIND|MS_REC)");
	seccomp_expect_kill(p, mount_with, 0, "mount(0)");

	seccomp_expect_ok(p, mmap_prot, PROT_READ | PROT_WRITE,
	    "mmap(PROT_READ|PROT_WRITE)");
	seccomp_expect_kill(p, mmap_prot, PROT_READ | PROT_EXEC,
	    "executable mmap");
	seccomp_expect_kill(p, mprotect_exec, 0, "mprotect");
	seccomp_expect_kill(p, open_for_exec, 0, "execve");
}
END_TEST

/* ---- netcheck: threads yes, namespaces and executable memory no ---- */

#ifndef TTP_SANITIZE
static void *
thread_main(void *arg)
{
	return arg;
}

/* pthread_create as libcurl's resolver does it; exit 0 if it ran. */
static void
make_thread(long arg)
{
	static int	 token;
	pthread_t	 t;
	void		*r = NULL;

	(void)arg;
	if (pthread_create(&t, NULL, thread_main, &token) != 0 ||
	    pthread_join(t, &r) != 0 || r != &token)
		syscall(SYS_exit_group, 3);
}
#endif

static void
clone_flags(long flags)
{
	/* A namespace-making clone must kill; if it ever returned, the
	 * child would end here at once. */
	if (syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL) == 0)
		syscall(SYS_exit_group, 0);
}

/* clone3 must fail with ENOSYS (so glibc falls back), not kill. */
static void
clone3_enosys(long arg)
{
	(void)arg;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		syscall(SYS_exit_group, 4);
}

START_TEST(test_netcheck_filters)
{
	const struct sandbox_policy	*p = &sandbox_netcheck;
	int				 st;

#ifndef TTP_SANITIZE
	/* (ASan's own thread bookkeeping needs calls netcheck's release
	 * allowlist rightly lacks; sanitizer builds of netcheck never run
	 * confined outside this test.) */
	seccomp_expect_ok(p, make_thread, 0, "a thread");
#endif
	seccomp_expect_ok(p, clone3_enosys, 0, "clone3 answered ENOSYS");
	seccomp_expect_kill(p, clone_flags, CLONE_NEWUSER,
	    "clone(CLONE_NEWUSER)");
	seccomp_expect_kill(p, clone_flags, CLONE_NEWNET, "clone(CLONE_NEWNET)");
	seccomp_expect_kill(p, call_forbidden, SCMP_SYS(unshare), "unshare");
	seccomp_expect_kill(p, call_forbidden, SCMP_SYS(setns), "setns");
	seccomp_expect_kill(p, mprotect_exec, 0, "mprotect(PROT_EXEC)");
	seccomp_expect_ok(p, netlink_socket, NETLINK_ROUTE,
	    "socket(NETLINK_ROUTE)");
	seccomp_expect_kill(p, netlink_socket, NETLINK_NETFILTER,
	    "socket(NETLINK_NETFILTER)");
	seccomp_expect_kill(p, netlink_socket, NETLINK_SOCK_DIAG,
	    "socket(NETLINK_SOCK_DIAG)");
	st = seccomp_child(p, inet_socket, SOCK_RAW);
	ck_assert_msg(KILLED_BY_SIGSYS(st) || EXITED_ZERO(st),
	    "raw socket: status %#x", st);
}
END_TEST

/* No helper but netcheck (NSS modules) may map executable memory. */
START_TEST(test_no_exec_memory)
{
	const struct sandbox_policy	*p[] = { &sandbox_cli, &sandbox_torctl,
#ifndef TTP_SANITIZE	/* (its sanitizer-only lines let ASan map freely) */
	    &sandbox_watchdog,
#endif
	    &sandbox_privd, &sandbox_anchor };
	size_t				 i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		seccomp_expect_kill(p[i], mmap_prot, PROT_READ | PROT_EXEC,
		    "executable mmap");
		seccomp_expect_kill(p[i], mprotect_exec, 0,
		    "mprotect(PROT_EXEC)");
	}
}
END_TEST

/* The figure SECURITY.md quotes (scripts/figures.sh): distinct syscalls
 * in privd's list, and the goal it has. */
START_TEST(test_privd_count)
{
	ck_assert_uint_le(sandbox_syscalls(&sandbox_privd), 45);
}
END_TEST

/* ttp-anchor only sleeps: it cannot even use the socket it holds, open a
 * file, make a socket or signal anyone. */
START_TEST(test_anchor_sleeps_only)
{
	static const int	 calls[] = { SCMP_SYS(sendmsg),
		SCMP_SYS(recvmsg), SCMP_SYS(socket), SCMP_SYS(openat),
		SCMP_SYS(kill), SCMP_SYS(clone), SCMP_SYS(mmap) };
	size_t			 i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		seccomp_expect_kill(&sandbox_anchor, call_forbidden, calls[i],
		    sysname(calls[i]));
}
END_TEST

static Suite *
seccomp_suite(void)
{
	Suite	*s = suite_create("seccomp");
	TCase	*tc = tcase_create("policies");

	tcase_add_loop_test(tc, test_table_well_formed, 0, N_POLICIES);
	tcase_add_loop_test(tc, test_forbidden_kills, 0, N_POLICIES);
	tcase_add_loop_test(tc, test_allowed_exit, 0, N_POLICIES);
	tcase_add_test(tc, test_privd_filters);
	tcase_add_test(tc, test_privd_count);
	tcase_add_test(tc, test_anchor_sleeps_only);
	tcase_add_test(tc, test_netcheck_filters);
	tcase_add_test(tc, test_no_exec_memory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(seccomp_suite());
}
