/*
 * Check tests: the watchdog guard's seccomp allowlist (seccomp/watchdog.c).
 * A child that loaded it must die by SIGSYS on what the guard never does
 * (open for writing, a new socket, exec, fork, kill, ptrace, a send that
 * could raise SIGPIPE, executable memory, a new inotify watch), and must
 * be able to do all the guard does once confined: drain the nftables,
 * rtnetlink and inotify descriptors (watchdog/events.c), check
 * resolv.conf, talk on a socketpair as it does with privd and the
 * monitor, open a pidfd, poll, and log, confined as the guard is
 * (Landlock with the overlay file, then the allowlist).
 */
#include <check.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog/watchdog.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "check_run.h"
#include "seccomp_harness.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN	1
#endif
#endif

enum forbidden { F_OPEN_WRITE, F_OPEN_NOCLOEXEC, F_SOCKET, F_EXECVE,
	F_FORK, F_KILL, F_PTRACE, F_SEND_FLAGS, F_MMAP_EXEC, F_CONNECT,
	F_INOTIFY_ADD, F_SETUID, F_COUNT };

static const char *const names[] = { "openat(O_WRONLY)",
	"openat without O_CLOEXEC", "socket", "execve", "fork", "kill",
	"ptrace", "send without MSG_NOSIGNAL", "mmap(PROT_EXEC)", "connect",
	"inotify_add_watch", "setuid" };

static int	 target;	/* the descriptor the calls are made on */

static void
forbidden_call(long what)
{
	switch ((enum forbidden)what) {
	case F_OPEN_WRITE:
		(void)syscall(SYS_openat, AT_FDCWD, "/dev/null",
		    O_WRONLY | O_CLOEXEC);
		break;
	case F_OPEN_NOCLOEXEC:
		(void)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		break;
	case F_SOCKET:
		(void)socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		break;
	case F_EXECVE: {
		char *argv[] = { "/bin/true", NULL };

		(void)execve(argv[0], argv, NULL);
		break;
	}
	case F_FORK:
		(void)syscall(SYS_fork);
		break;
	case F_KILL:
		(void)syscall(SYS_kill, 1, 0);
		break;
	case F_PTRACE:
		(void)syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
		break;
	case F_SEND_FLAGS:
		(void)send(target, "x", 1, 0);
		break;
	case F_MMAP_EXEC:
		(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case F_CONNECT:
		(void)connect(target, NULL, 0);
		break;
	case F_INOTIFY_ADD:
		(void)syscall(SYS_inotify_add_watch, target, "/etc", IN_CREATE);
		break;
	case F_SETUID:
		(void)syscall(SYS_setuid, 0);
		break;
	case F_COUNT:
		break;
	}
}

START_TEST(forbidden_kills)
{
	int	 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
#ifdef TEST_ASAN
	/* ASan maps its own memory freely: mmap is unfiltered there. */
	if (_i == F_MMAP_EXEC) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
#endif
	target = _i == F_INOTIFY_ADD ? inotify_init1(IN_CLOEXEC) : sv[0];
	seccomp_expect_kill(&sandbox_watchdog, forbidden_call, _i, names[_i]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Everything the guard does after confinement, in one confined child. */
START_TEST(allowed_guard_work)
{
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	struct pollfd		 p[4];
	struct wd_msg		 m = { WD_OP_REPORT, WD_EV_START, WD_ACT_NONE,
	    WD_MODE_GUARDING, 0 };
	char			 buf[64];
	pid_t			 pid;
	int32_t			 by = 0;
	int			 sv[2], nft, rtnl, ino, st;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	nft = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_NETFILTER);
	rtnl = wd_rtnl_open();
	ino = wd_inotify_open("/tmp");
	ck_assert_int_ge(nft, 0);
	ck_assert_int_ge(rtnl, 0);
	ck_assert_int_ge(ino, 0);
	ck_assert_int_eq(bind(nft, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(wd_rtnl_dump(rtnl), 0);

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		/* As the guard confines itself: Landlock with the overlay
		 * (here resolv.conf itself), then the allowlist. */
		const char	*overlay[] = { "/etc/resolv.conf", NULL };

		if (sandbox_landlock(&sandbox_fs_watchdog, overlay) == -1 ||
		    sandbox_seccomp(&sandbox_watchdog) == -1)
			_exit(99);
		p[0] = (struct pollfd){ nft, POLLIN, 0 };
		p[1] = (struct pollfd){ rtnl, POLLIN, 0 };
		p[2] = (struct pollfd){ ino, POLLIN, 0 };
		p[3] = (struct pollfd){ sv[1], POLLIN, 0 };
		(void)poll(p, 4, 200);
		(void)wd_nft_read(nft, getpid(), &by);
		(void)wd_rtnl_read(rtnl, 0);
		(void)wd_inotify_read(ino);
		(void)wd_resolv_intact("/etc/resolv.conf");
		int	 pidfd = -1;

		/* A reply with a pidfd beside it, as the monitor sends. */
		if (send(sv[1], &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m) ||
		    fdpass_recv(sv[1], buf, sizeof(buf), &pidfd) != 4 ||
		    pidfd == -1)
			syscall(SYS_exit_group, 2);
		close(pidfd);
		log_warnx("confined guard work: done");
		syscall(SYS_exit_group, 0);
	}
	/* Play privd/monitor: one request, one reply. */
	ck_assert_int_eq(recv(sv[0], buf, sizeof(buf), 0), sizeof(m));
	{
		int	 pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

		ck_assert_int_ge(pidfd, 0);
		ck_assert_int_eq(fdpass_send(sv[0], "ok!", 4, pidfd), 4);
		close(pidfd);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the guard's own work failed under its allowlist (status %#x)",
	    st);
	close(nft);
	close(rtnl);
	close(ino);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* The figure SECURITY.md quotes (scripts/figures.sh): distinct syscalls
 * in the guard's list. */
START_TEST(allowlist_size)
{
#ifdef TEST_ASAN
	ck_assert_uint_le(sandbox_syscalls(&sandbox_watchdog), 21);
#else
	ck_assert_uint_le(sandbox_syscalls(&sandbox_watchdog), 19);
#endif
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("seccomp_watchdog");
	TCase	*tc = tcase_create("guard");

	log_init("test_seccomp_watchdog", LOG_FORMAT_TEXT, 0);
	tcase_add_loop_test(tc, forbidden_kills, 0, F_COUNT);
	tcase_add_test(tc, allowed_guard_work);
	tcase_add_test(tc, allowlist_size);
	suite_add_tcase(s, tc);
	return check_run(s);
}
