/*
 * Check tests: ttp-torctl's seccomp allowlist (seccomp/torctl.c). A child
 * that loaded it must die by SIGSYS on anything outside the list, and
 * must be able to do what torctl does after confinement: a whole control
 * exchange over a socket (the parent plays tor) and its output lines.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/sandbox.h"
#include "torctl/ctl.h"
#include "check_run.h"
#include "seccomp_harness.h"

enum forbidden { F_OPEN, F_SOCKET, F_EXECVE, F_WRITE_OTHER_FD, F_SEND_FLAGS,
	F_CONNECT, F_GETUID, F_COUNT };

static const char *const names[] = { "openat", "socket", "execve",
	"write to another fd", "send without MSG_NOSIGNAL", "connect",
	"getuid" };

static int	 target;	/* the descriptor the calls are made on */

static void
forbidden_call(long what)
{
	switch ((enum forbidden)what) {
	case F_OPEN:
		(void)syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
		break;
	case F_SOCKET:
		(void)socket(AF_INET, SOCK_STREAM, 0);
		break;
	case F_EXECVE: {
		char *argv[] = { "/bin/true", NULL };

		(void)execve(argv[0], argv, NULL);
		break;
	}
	case F_WRITE_OTHER_FD:
		(void)!write(target, "x", 1);
		break;
	case F_SEND_FLAGS:
		(void)send(target, "x", 1, 0);	/* no MSG_NOSIGNAL */
		break;
	case F_CONNECT:
		(void)connect(target, NULL, 0);
		break;
	case F_GETUID:
		(void)syscall(SYS_getuid);
		break;
	case F_COUNT:
		break;
	}
}

START_TEST(forbidden_kills)
{
	int	 sv[2], i;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	target = sv[0];
	for (i = 0; i < F_COUNT; i++)
		seccomp_expect_kill(&sandbox_torctl, forbidden_call, i,
		    names[i]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* What torctl does once confined, against a scripted "tor". */
START_TEST(allowed_control_exchange)
{
	static const char script[] =
	    "250-PROTOCOLINFO 1\r\n"
	    "250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/x\"\r\n"
	    "250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n"
	    "250 OK\r\n"
	    "650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=conn "
	    "SUMMARY=\"Connecting to a relay\"\r\n"
	    "250 OK\r\n";
	char		 buf[4096];
	pid_t		 pid;
	int		 sv[2], status;
	ssize_t		 n;
	size_t		 got = 0;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		unsigned char	 cookie[CTL_COOKIE_LEN] = { 0 };
		struct ctl_conn	*c;

		close(sv[1]);
		c = malloc(sizeof(*c));
		ctl_init(c);
		c->fd = sv[0];
		if (sandbox_seccomp(&sandbox_torctl) == -1)
			_exit(99);
		if (ctl_authenticate(c, cookie, clock_ms() + 5000) == -1 ||
		    ctl_command_ok(c, "SETEVENTS STATUS_CLIENT",
		    clock_ms() + 5000) == -1)
			_exit(1);
		if (ctl_wait_close(c, clock_ms() + 5000) != 0)
			_exit(2);
		(void)!write(1, "", 0);
		(void)!write(2, "", 0);
		ctl_close(c);
		free(c);
		_exit(0);
	}
	close(sv[0]);
	/* All answers at once (the client must cope with pipelining), then
	 * hang up once its three commands have arrived. */
	ck_assert_int_eq(write(sv[1], script, strlen(script)),
	    (ssize_t)strlen(script));
	while (got < 3 && (n = read(sv[1], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			got += buf[i] == '\n';
	ck_assert_uint_eq(got, 3);
	close(sv[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "confined control exchange: status %#x", status);
}
END_TEST

/* A process state letter from /proc/PID/stat ('?' when unreadable). */
static char
proc_state(pid_t pid)
{
	char	 path[64], buf[512], *p;
	FILE	*fp;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return (p = strrchr(buf, ')')) != NULL && p[1] == ' ' ? p[2] : '?';
}

/*
 * The rotator's wait (torctl/main.c, cmd_rotate): a CLOCK_BOOTTIME timerfd
 * armed before confinement, polled with the control socket under the
 * allowlist. Stopped and continued in the middle of that poll, it resumes
 * through restart_syscall, which must be allowed, and its tick arrives.
 */
START_TEST(rotator_wait_survives_stop)
{
	struct itimerspec its = { .it_value = { .tv_nsec = 400 * 1000000L } };
	pid_t		 pid;
	int		 sv[2], status, tfd, i;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct pollfd	 pfd[2];
		uint64_t	 ticks;

		close(sv[1]);
		if ((tfd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC)) == -1 ||
		    timerfd_settime(tfd, 0, &its, NULL) == -1)
			_exit(98);
		if (sandbox_seccomp(&sandbox_torctl) == -1)
			_exit(99);
		pfd[0].fd = tfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sv[0];
		pfd[1].events = POLLIN;
		while (poll(pfd, 2, -1) == -1)
			;
		if ((pfd[0].revents & POLLIN) == 0 ||
		    read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks) ||
		    ticks != 1)
			_exit(1);
		_exit(0);
	}
	close(sv[0]);
	/* Asleep: in its poll (nothing else it does blocks). */
	for (i = 0; i < 200 && proc_state(pid) != 'S'; i++)
		usleep(1000);
	ck_assert_int_eq(proc_state(pid), 'S');
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
	ck_assert(WIFSTOPPED(status));
	ck_assert_int_eq(kill(pid, SIGCONT), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "rotator's wait after SIGSTOP/SIGCONT: status %#x%s", status,
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ?
	    " (SIGSYS: restart_syscall refused)" : "");
	close(sv[1]);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("seccomp_torctl");
	TCase	*tc = tcase_create("allowlist");

	tcase_add_test(tc, forbidden_kills);
	tcase_add_test(tc, allowed_control_exchange);
	tcase_add_test(tc, rotator_wait_survives_stop);
	suite_add_tcase(s, tc);
	return check_run(s);
}
