/*
 * Check tests: the Landlock path lists of the unprivileged processes
 * (seccomp/<process>.c, applied by sandbox_landlock() in
 * common/landlock.c, the function each process calls). In a child of its
 * own, each policy is applied and then: a file outside the list (a file
 * made for the test, /etc/shadow, /etc/passwd) fails to open with EACCES,
 * though the test runs as root and its mode would let anyone read it; so
 * does any write, create or exec; what the process needs still opens.
 * Then the policy and the process's seccomp allowlist load together, in
 * the processes' order. A kernel without Landlock leaves the process as
 * it was, and sandbox_landlock() says so without failing.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "check_run.h"

struct proc {
	const struct sandbox_fs_policy	*fs;
	const struct sandbox_policy	*sc;
};

static const struct proc procs[] = {
	{ &sandbox_fs_torctl, &sandbox_torctl },
	{ &sandbox_fs_netcheck, &sandbox_netcheck },
	{ &sandbox_fs_cli, &sandbox_cli },
	{ &sandbox_fs_watchdog, &sandbox_watchdog },
	{ &sandbox_fs_anchor, &sandbox_anchor },
};
#define N_PROCS	(sizeof(procs) / sizeof(procs[0]))

/* A readable file of the test's own, outside every list. */
static char	 outside[] = "/tmp/ttp-test-landlock.XXXXXX";

static void
setup(void)
{
	int	 fd;

	ck_assert_int_ge(fd = mkstemp(outside), 0);
	ck_assert_int_eq(write(fd, "x\n", 2), 2);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
}

static void
teardown(void)
{
	(void)unlink(outside);
}

/* In the child: the line of the first check that failed, or 0. */
#define CHILD_CHECK(c)	do { if (!(c)) return __LINE__; } while (0)

static int
opens(const char *path, int flags)
{
	int	 fd;

	if ((fd = open(path, flags | O_CLOEXEC, 0644)) == -1)
		return 0;
	close(fd);
	return 1;
}

static int
refused(const char *path, int flags)
{
	return !opens(path, flags) && errno == EACCES;
}

/* What no process may do once confined. */
static int
nothing_else(void)
{
	char	 made[64];
	char	*const av[] = { (char *)"true", NULL };

	CHILD_CHECK(refused(outside, O_RDONLY));
	CHILD_CHECK(refused("/etc/shadow", O_RDONLY));
	CHILD_CHECK(refused("/etc/passwd", O_RDONLY));
	CHILD_CHECK(refused(outside, O_WRONLY));
	CHILD_CHECK(refused(outside, O_RDWR));
	snprintf(made, sizeof(made), "%s.new", outside);
	CHILD_CHECK(refused(made, O_WRONLY | O_CREAT | O_EXCL));
	CHILD_CHECK(unlink(outside) == -1 && errno == EACCES);
	CHILD_CHECK(mkdir(made, 0700) == -1 && errno == EACCES);
	CHILD_CHECK(opendir("/tmp") == NULL && errno == EACCES);
	execv("/bin/true", av);
	CHILD_CHECK(errno == EACCES);
	return 0;
}

/* TCP: never bind; connect only where the policy says so. */
static int
tcp(int connect_ok)
{
	struct sockaddr_in	 sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int			 s, rc;

	if (sandbox_landlock_abi() < 4)
		return 0;
	CHILD_CHECK((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno == EACCES);
	close(s);
	CHILD_CHECK((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	sa.sin_port = htons(1);		/* nothing listens there */
	rc = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	close(s);
	CHILD_CHECK(connect_ok ? rc == -1 && errno == ECONNREFUSED :
	    rc == -1 && errno == EACCES);
	return 0;
}

/* What ttp-netcheck needs after confinement. */
static int
netcheck_needs(const char *libc)
{
	char	 nss[600];
	DIR	*d;

	CHILD_CHECK(opens("/etc/hosts", O_RDONLY));
	CHILD_CHECK(opens("/etc/nsswitch.conf", O_RDONLY));
	CHILD_CHECK(opens("/etc/resolv.conf", O_RDONLY) ||
	    access("/etc/resolv.conf", F_OK) == -1);
	CHILD_CHECK(refused("/etc/hosts", O_WRONLY));
	if (access("/etc/ssl/openssl.cnf", F_OK) == 0)
		CHILD_CHECK(refused("/etc/ssl/openssl.cnf", O_RDONLY));
	if (access("/etc/ssl/certs/ca-certificates.crt", F_OK) == 0)
		CHILD_CHECK(opens("/etc/ssl/certs/ca-certificates.crt",
		    O_RDONLY));
	if (access("/etc/ssl/certs", F_OK) == 0) {
		CHILD_CHECK((d = opendir("/etc/ssl/certs")) != NULL);
		closedir(d);
	}
	/* An NSS module glibc may load for nsswitch.conf. */
	snprintf(nss, sizeof(nss), "%s/libnss_files.so.2", libc);
	if (access(nss, F_OK) == 0)
		CHILD_CHECK(opens(nss, O_RDONLY));
	CHILD_CHECK(refused(nss, O_WRONLY));
	return 0;
}

/* Fork; the child applies proc's policy and runs its checks. */
static int
confined(const struct proc *p, const char *const *extra, int (*fn)(void))
{
	pid_t	 pid;
	int	 st;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if (sandbox_landlock(p->fs, extra) == -1)
			_exit(255);
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "%s: child died (%#x)", p->fs->name, st);
	return WEXITSTATUS(st);
}

static char	 libc[512];

static int
netcheck_child(void)
{
	int	 line;

	if ((line = netcheck_needs(libc)) != 0 ||
	    (line = nothing_else()) != 0)
		return line;
	return tcp(1);
}

static int
closed_child(void)
{
	int	 line;

	if ((line = nothing_else()) != 0)
		return line;
	return tcp(0);
}

START_TEST(kernel_has_landlock)
{
	/* This project's machines run a kernel with Landlock; elsewhere the
	 * tests below only show that nothing fails. */
	if (sandbox_landlock_abi() == 0)
		fprintf(stderr, "test_landlock: this kernel has no Landlock; "
		    "only the best-effort path is exercised\n");
	ck_assert_int_ge(sandbox_landlock_abi(), 0);
}
END_TEST

START_TEST(only_listed_paths)
{
	const struct proc	*p = &procs[_i];
	const char		*extra[2] = { NULL, NULL };
	int			 line;

	if (sandbox_landlock_abi() == 0)
		return;
	if (p->fs == &sandbox_fs_netcheck) {
		ck_assert_ptr_nonnull(sandbox_libc_dir(libc, sizeof(libc)));
		extra[0] = libc;
		line = confined(p, extra, netcheck_child);
	} else
		line = confined(p, NULL, closed_child);
	ck_assert_msg(line == 0, "%s: check at test_landlock.c:%d failed",
	    p->fs->name, line);
}
END_TEST

/*
 * The guard: privd's resolv.conf, added at run time, opens through the
 * mount point the overlay is bound on (here a file in a private mount
 * namespace); another file bound there instead does not.
 */
static char	 overlay[] = "/tmp/ttp-test-overlay.XXXXXX";
static char	 target[] = "/tmp/ttp-test-target.XXXXXX";

static int
guard_child(void)
{
	char	 buf[16];
	int	 fd, line;

	CHILD_CHECK((fd = open(target, O_RDONLY | O_CLOEXEC)) >= 0);
	CHILD_CHECK(read(fd, buf, sizeof(buf)) == 8 &&
	    memcmp(buf, "overlay\n", 8) == 0);
	close(fd);
	CHILD_CHECK(opens(overlay, O_RDONLY));
	CHILD_CHECK(refused(overlay, O_WRONLY));
	if ((line = nothing_else()) != 0)
		return line;
	return tcp(0);
}

static void
make_file(char *path, const char *text)
{
	int	 fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
}

START_TEST(guard_reads_the_overlay_only)
{
	const struct proc	 p = { &sandbox_fs_watchdog, &sandbox_watchdog };
	const char		*extra[2] = { overlay, NULL };
	int			 line;

	if (sandbox_landlock_abi() == 0 || geteuid() != 0)
		return;
	make_file(overlay, "overlay\n");
	make_file(target, "target\n");
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount(overlay, target, NULL, MS_BIND, NULL), 0);
	line = confined(&p, extra, guard_child);
	/* The overlay gone, the file under it is not privd's: refused. */
	ck_assert_int_eq(umount2(target, 0), 0);
	if (line == 0) {
		pid_t	 pid;
		int	 st;

		ck_assert_int_ge(pid = fork(), 0);
		if (pid == 0) {
			if (sandbox_landlock(p.fs, extra) == -1)
				_exit(255);
			_exit(refused(target, O_RDONLY) ? 0 : 1);
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "the file under the overlay opened (%#x)", st);
	}
	(void)unlink(overlay);
	(void)unlink(target);
	ck_assert_msg(line == 0, "guard: check at test_landlock.c:%d failed",
	    line);
}
END_TEST

/* Landlock first, then the allowlist, as each process does. */
START_TEST(then_seccomp)
{
	const struct proc	*p = &procs[_i];
	pid_t			 pid;
	int			 st;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if (sandbox_landlock(p->fs, NULL) == -1)
			_exit(2);
		if (sandbox_seccomp(p->sc) == -1)
			_exit(3);
		syscall(SYS_exit_group, 0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: Landlock then seccomp: status %#x", p->fs->name, st);
}
END_TEST

/*
 * A kernel without Landlock (ENOSYS, as a filter makes it here) or with
 * it disabled (EOPNOTSUPP): no failure, and nothing is restricted.
 */
static void
no_landlock(int err)
{
	scmp_filter_ctx	 ctx;
	pid_t		 pid;
	int		 st;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err),
		    SCMP_SYS(landlock_create_ruleset), 0) != 0 ||
		    seccomp_load(ctx) != 0)
			_exit(2);
		if (sandbox_landlock_abi() != 0)
			_exit(3);
		if (sandbox_landlock(&sandbox_fs_anchor, NULL) != 0)
			_exit(4);
		_exit(opens(outside, O_RDONLY) ? 0 : 5);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "without Landlock (errno %d): status %#x", err, st);
}

START_TEST(best_effort_without_landlock)
{
	no_landlock(ENOSYS);
	no_landlock(EOPNOTSUPP);
}
END_TEST

/* Every listed path is absolute and has a reason and a right. */
START_TEST(lists_well_formed)
{
	const struct sandbox_fs_policy	*fs = procs[_i].fs;
	size_t				 i;

	ck_assert_ptr_nonnull(fs->name);
	ck_assert_str_eq(fs->name, procs[_i].sc->name);
	for (i = 0; i < fs->npaths; i++) {
		ck_assert_msg(fs->paths[i].path[0] == '/', "%s: %s: not "
		    "absolute", fs->name, fs->paths[i].path);
		ck_assert_msg(fs->paths[i].why != NULL &&
		    fs->paths[i].why[0] != '\0', "%s: %s has no reason",
		    fs->name, fs->paths[i].path);
		ck_assert_msg((fs->paths[i].access & ~(SB_FS_READ |
		    SB_FS_LIST)) == 0 && fs->paths[i].access != 0,
		    "%s: %s: bad access", fs->name, fs->paths[i].path);
	}
	/* Only netcheck opens files once confined (the guard's one file is
	 * added at run time); only it connects. */
	if (fs != &sandbox_fs_netcheck)
		ck_assert_uint_eq(fs->npaths, 0);
	ck_assert_int_eq(fs->tcp_connect, fs == &sandbox_fs_netcheck);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("landlock");
	TCase	*tc = tcase_create("policies");

	log_init("test_landlock", LOG_FORMAT_TEXT, 0);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kernel_has_landlock);
	tcase_add_loop_test(tc, lists_well_formed, 0, N_PROCS);
	tcase_add_loop_test(tc, only_listed_paths, 0, N_PROCS);
	tcase_add_test(tc, guard_reads_the_overlay_only);
	tcase_add_loop_test(tc, then_seccomp, 0, N_PROCS);
	tcase_add_test(tc, best_effort_without_landlock);
	suite_add_tcase(s, tc);
	return check_run(s);
}
