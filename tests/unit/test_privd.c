/*
 * The real ttp-privd (TTP_BIN_DIR), run as root inside a network and mount
 * namespace that each test creates for itself (the test process unshares;
 * the host's network and mounts are never touched): every malformed frame
 * of tests/unit/privop_frames.h makes privd exit 1 with one log line (not
 * a crash, not a seccomp kill); closing the peer makes it exit 0; it
 * refuses to run when not root or when fd 3 is not a seqpacket socket;
 * and once serving it holds exactly CAP_NET_ADMIN and CAP_SYS_ADMIN, with
 * NO_NEW_PRIVS and a seccomp filter, descriptors 0-3 only and a minimal
 * environment. Needs root.
 */
#include "ipc/privop.h"
#include "check_run.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "privop_frames.h"

#define PRIVD		TTP_BIN_DIR "/ttp-privd"
#define WAIT_MS		10000	/* bound on every wait for privd */

struct privd {
	pid_t	 pid;
	int	 fd;		/* our end of the socketpair, or -1 */
	FILE	*log;		/* privd's stderr */
};

static char	 run_dir[] = "/tmp/ttp-test-privd.XXXXXX";

/* Each test: a network and mount namespace of its own, / private. */
static void
setup(void)
{
	ck_assert_msg(geteuid() == 0, "test_privd needs root");
	ck_assert_int_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
	    0);
}

/*
 * Start privd with fd3 as its descriptor 3 (-1: none), as uid (0 or not),
 * with argv; stderr goes to p->log.
 */
static void
start_argv(struct privd *p, int fd3, uid_t uid, char *const argv[])
{
	char *const	 envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
#ifdef TTP_SANITIZE
	    "ASAN_OPTIONS=detect_leaks=0",
#endif
	    NULL };
	gid_t		 gid = (gid_t)uid;

	p->log = tmpfile();
	ck_assert_ptr_nonnull(p->log);
	p->pid = fork();
	ck_assert_int_ne(p->pid, -1);
	if (p->pid != 0)
		return;
	if (dup2(fileno(p->log), 2) == -1)
		_exit(126);
	if (fd3 == -1)
		(void)close(3);
	else if (fd3 != 3 && dup2(fd3, 3) == -1)
		_exit(126);
	else if (fd3 == 3)
		(void)fcntl(3, F_SETFD, 0);
	if (uid != 0 && (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1))
		_exit(126);
	execve(PRIVD, argv, envp);
	_exit(127);
}

static void
start(struct privd *p)
{
	char *const	 argv[] = { "ttp-privd", "--run-dir", run_dir, NULL };
	int		 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv), 0);
	start_argv(p, sv[1], 0, argv);
	close(sv[1]);
	p->fd = sv[0];
}

/* Wait (bounded) for privd to end; return its status. */
static int
wait_exit(struct privd *p)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int		 status, i;
	pid_t		 r;

	for (i = 0; i < WAIT_MS / 10; i++) {
		r = waitpid(p->pid, &status, WNOHANG);
		ck_assert_int_ne(r, -1);
		if (r == p->pid)
			return status;
		nanosleep(&ts, NULL);
	}
	kill(p->pid, SIGKILL);
	(void)waitpid(p->pid, &status, 0);
	ck_abort_msg("privd did not exit within %d ms", WAIT_MS);
	return -1;
}

/* What privd logged: the number of lines; the first one in line. */
static int
log_lines(struct privd *p, char *line, size_t linesz)
{
	char	 buf[8192];
	size_t	 n, i;
	int	 lines = 0;

	rewind(p->log);
	n = fread(buf, 1, sizeof(buf) - 1, p->log);
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	if (line != NULL) {
		n = strcspn(buf, "\n");
		if (n >= linesz)
			n = linesz - 1;
		memcpy(line, buf, n);
		line[n] = '\0';
	}
	fclose(p->log);
	return lines;
}

static void
expect_exit(struct privd *p, int code, const char *logged)
{
	char	 line[1024];
	int	 st = wait_exit(p), lines;

	ck_assert_msg(WIFEXITED(st), "privd killed by signal %d%s",
	    WIFSIGNALED(st) ? WTERMSIG(st) : 0,
	    WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS ? " (seccomp)" : "");
	ck_assert_int_eq(WEXITSTATUS(st), code);
	lines = log_lines(p, line, sizeof(line));
	if (logged == NULL)
		ck_assert_msg(lines == 0, "privd logged: %s", line);
	else {
		ck_assert_msg(lines == 1, "%d log lines, first: %s", lines,
		    line);
		ck_assert_msg(strstr(line, logged) != NULL,
		    "logged \"%s\", expected \"%s\"", line, logged);
	}
}

/* One request and its reply, as the CLI would: privd is serving. */
static void
roundtrip(struct privd *p)
{
	struct privop_reply	 rep;

	/* Any answer will do (the handler may fail here). */
	(void)privop_fw_status(p->fd, &rep);
	ck_assert_msg(rep.err != EPIPE && rep.err != EPROTO,
	    "no valid reply: %s", rep.msg);
}

static void
send_raw(struct privd *p, const void *buf, size_t len)
{
	ck_assert_int_eq(send(p->fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

START_TEST(test_bad_frame_exits)
{
	const struct bad_frame	*b = &bad_frames[_i];
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privd		 p;
	size_t			 len;

	len = frame_from_hex(b->hex, buf, sizeof(buf));
	ck_assert(len != (size_t)-1);
	start(&p);
	send_raw(&p, buf, len);
	expect_exit(&p, 1, "invalid frame");
	close(p.fd);
}
END_TEST

START_TEST(test_empty_frame_exits)
{
	struct privd	 p;

	start(&p);
	roundtrip(&p);
	send_raw(&p, "", 0);
	expect_exit(&p, 1, "invalid frame: empty frame");
	close(p.fd);
}
END_TEST

START_TEST(test_oversize_frame_exits)
{
	static unsigned char	 buf[PRIVOP_FRAME_MAX + 1000];
	struct privd		 p;
	size_t			 len;

	len = frame_from_hex("81a26f7004", buf, sizeof(buf));
	memset(buf + len, 0xc0, sizeof(buf) - len);
	start(&p);
	send_raw(&p, buf, sizeof(buf));
	expect_exit(&p, 1, "invalid frame: larger than PRIVOP_FRAME_MAX");
	close(p.fd);
}
END_TEST

/* A bad frame after good ones ends privd just the same. */
START_TEST(test_bad_after_good)
{
	unsigned char	 buf[64];
	struct privd	 p;
	size_t		 len;

	start(&p);
	roundtrip(&p);	/* FW_STATUS: not logged */
	roundtrip(&p);
	len = frame_from_hex("81a26f700a", buf, sizeof(buf));
	send_raw(&p, buf, len);
	expect_exit(&p, 1, "invalid frame: unknown op");
	close(p.fd);
}
END_TEST

START_TEST(test_peer_close_exits_0)
{
	struct privd	 p;

	start(&p);
	close(p.fd);
	expect_exit(&p, 0, NULL);

	start(&p);
	roundtrip(&p);
	roundtrip(&p);
	close(p.fd);
	expect_exit(&p, 0, NULL);
}
END_TEST

START_TEST(test_refuses_non_root)
{
	char *const	 argv[] = { "ttp-privd", "--run-dir", run_dir, NULL };
	struct privd	 p;
	int		 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	start_argv(&p, sv[1], 65534, argv);
	expect_exit(&p, 1, "must be started as root");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_refuses_bad_fd3)
{
	char *const	 argv[] = { "ttp-privd", "--run-dir", run_dir, NULL };
	struct privd	 p;
	int		 sv[2], null;

	/* A stream socket, /dev/null, nothing at all. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	start_argv(&p, sv[1], 0, argv);
	expect_exit(&p, 1, "fd 3 is not a unix SOCK_SEQPACKET socket");
	close(sv[0]);
	close(sv[1]);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_ne(null, -1);
	start_argv(&p, null, 0, argv);
	expect_exit(&p, 1, "fd 3 is not a unix SOCK_SEQPACKET socket");
	close(null);
	start_argv(&p, -1, 0, argv);
	expect_exit(&p, 1, "fd 3 is not a unix SOCK_SEQPACKET socket");
}
END_TEST

/* The watchdog's privd, pinned to one session's arguments. */
static struct privop_fw_apply
pinned_session(void)
{
	struct privop_fw_apply	 a;

	memset(&a, 0, sizeof(a));
	a.tor_uid = 64001;
	a.trans_port = 9041;
	a.dns_port = 9054;
	a.bypass_uids[0] = 1000;
	a.n_bypass_uids = 1;
	a.lan_bypass = true;
	a.ipv6 = true;
	/* Two routers of each family: their order is part of the pin. */
	memcpy(a.routers.v4[0], (uint8_t[4]){ 192, 168, 1, 1 }, 4);
	memcpy(a.routers.v4[1], (uint8_t[4]){ 10, 0, 0, 1 }, 4);
	memcpy(a.routers.v6[0], (uint8_t[16]){ 0xfe, 0x80, [15] = 1 }, 16);
	memcpy(a.routers.v6[1], (uint8_t[16]){ 0xfd, 0, [15] = 1 }, 16);
	a.routers.n_v4 = a.routers.n_v6 = 2;
	return a;
}

static void
start_pinned(struct privd *p, const struct privop_fw_apply *pin)
{
	p->log = tmpfile();
	ck_assert_ptr_nonnull(p->log);
	/* privop_spawn() gives privd our stderr: the log, for this test. */
	ck_assert_int_ne(dup2(fileno(p->log), 2), -1);
	p->fd = privop_spawn(run_dir, pin, &p->pid);
	ck_assert_int_ne(p->fd, -1);
}

/*
 * The watchdog's privd serves what repairs need, with the session's own
 * arguments, and ends on anything else: each forbidden request is fatal
 * (its peer, the unprivileged guard, is then taken as compromised).
 */
START_TEST(test_watchdog_role)
{
	struct privop_fw_apply	 pin = pinned_session(), a;
	struct privop_reply	 rep;
	struct privd		 p;
	int			 saved = dup(2);

	ck_assert_int_ne(saved, -1);
	start_pinned(&p, &pin);
	ck_assert_int_eq(privop_fw_apply(p.fd, &pin, &rep), 0);
	ck_assert_int_eq(privop_fw_status(p.fd, &rep), 0);
	ck_assert_uint_eq(rep.state, FW_STATE_SESSION);
	ck_assert_int_eq(privop_fw_lockdown(p.fd, pin.tor_uid, &rep), 0);
	ck_assert_int_eq(privop_fw_anchor(p.fd, &pin, &rep), 0);
	close(rep.fd);
	switch (_i) {
	case 0:
		(void)privop_fw_remove(p.fd, &rep);
		break;
	case 1:
		(void)privop_ct_flush(p.fd, &rep);
		break;
	case 2:
		a = pin;
		a.allow_root = true;
		(void)privop_fw_apply(p.fd, &a, &rep);
		break;
	case 3:
		a = pin;
		a.bypass_uids[a.n_bypass_uids++] = 4242;
		(void)privop_fw_anchor(p.fd, &a, &rep);
		break;
	case 4:
		(void)privop_fw_lockdown(p.fd, pin.tor_uid + 1, &rep);
		break;
	case 5:
		/* Without the routers: the LAN bypass would reach them. */
		a = pin;
		memset(&a.routers, 0, sizeof(a.routers));
		(void)privop_fw_apply(p.fd, &a, &rep);
		break;
	case 6:
		a = pin;
		a.routers.n_v6 = 1;
		(void)privop_fw_anchor(p.fd, &a, &rep);
		break;
	case 7:
		a = pin;
		a.routers.v4[1][3] = 2;
		(void)privop_fw_apply(p.fd, &a, &rep);
		break;
	default:
		(void)privop_dns_restore(p.fd, &rep);
		break;
	}
	ck_assert_int_eq(rep.err, EPIPE);
	ck_assert_int_ne(dup2(saved, 2), -1);
	close(saved);
	expect_exit(&p, 1, "invalid frame: ");
	close(p.fd);
}
END_TEST

START_TEST(test_usage)
{
	char *const	 none[] = { "ttp-privd", NULL };
	char *const	 rel[] = { "ttp-privd", "--run-dir", "run", NULL };
	char *const	 extra[] = { "ttp-privd", "--run-dir", run_dir, "-v",
	    "-x", NULL };
	struct privd	 p;
	int		 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	start_argv(&p, sv[1], 0, none);
	expect_exit(&p, 1, "usage");
	start_argv(&p, sv[1], 0, rel);
	expect_exit(&p, 1, "usage");
	start_argv(&p, sv[1], 0, extra);
	expect_exit(&p, 1, "usage");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* The value of "Key:" in /proc/<pid>/status. */
static void
status_field(pid_t pid, const char *key, char *val, size_t valsz)
{
	char	 path[64], line[256];
	size_t	 klen = strlen(key);
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	val[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(val, valsz, "%s", line + klen + 1 +
			    strspn(line + klen + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
		}
	fclose(f);
}

/*
 * Started the way ttp starts it (privop_spawn), privd is confined as
 * designed once it serves.
 */
START_TEST(test_confined)
{
	char		 val[128], path[320], link[256], env[1024];
	const unsigned long long caps = (1ULL << CAP_NET_ADMIN) |
	    (1ULL << CAP_SYS_ADMIN);
	struct privd	 p;
	struct dirent	*de;
	DIR		*d;
	ssize_t		 n;
	int		 stray, fd, i, nfds = 0;

	/* Bait: an inherited descriptor and an environment variable. */
	stray = open("/dev/null", O_RDONLY);
	ck_assert_int_ne(stray, -1);
	ck_assert_int_eq(setenv("LD_PRELOAD", "/nonexistent.so", 1), 0);
	fd = privop_spawn(run_dir, NULL, &i);
	unsetenv("LD_PRELOAD");
	ck_assert_int_ne(fd, -1);
	p.pid = i;
	p.fd = fd;
	p.log = tmpfile();
	roundtrip(&p);

	status_field(p.pid, "Uid", val, sizeof(val));
	ck_assert_str_eq(val, "0\t0\t0\t0");
	status_field(p.pid, "CapEff", val, sizeof(val));
	ck_assert_uint_eq(strtoull(val, NULL, 16), caps);
	status_field(p.pid, "CapPrm", val, sizeof(val));
	ck_assert_uint_eq(strtoull(val, NULL, 16), caps);
	/* sandbox_keep_caps() clears the bounding set: nothing more can
	 * ever be gained, and never more than the two. */
	status_field(p.pid, "CapBnd", val, sizeof(val));
	ck_assert_uint_eq(strtoull(val, NULL, 16) & ~caps, 0);
	status_field(p.pid, "CapInh", val, sizeof(val));
	ck_assert_uint_eq(strtoull(val, NULL, 16), 0);
	status_field(p.pid, "CapAmb", val, sizeof(val));
	ck_assert_uint_eq(strtoull(val, NULL, 16), 0);
	status_field(p.pid, "NoNewPrivs", val, sizeof(val));
	ck_assert_str_eq(val, "1");
	status_field(p.pid, "Seccomp", val, sizeof(val));
	ck_assert_str_eq(val, "2");

	/* Descriptors: 0 and 1 on /dev/null, 2 the log, 3 the socket; above
	 * that only what fw_init() and dns_init() open before the sandbox:
	 * libnftables' netlink socket and the run directory. */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)p.pid);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (atoi(de->d_name) > 3) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s",
			    (int)p.pid, de->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			ck_assert_int_gt(n, 0);
			link[n] = '\0';
			ck_assert_msg(strncmp(link, "socket:[", 8) == 0 ||
			    strcmp(link, run_dir) == 0,
			    "privd holds an unexpected descriptor: %s", link);
		}
		nfds++;
	}
	closedir(d);
	ck_assert_int_eq(nfds, 6);
	for (i = 0; i <= 1; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)p.pid, i);
		n = readlink(path, link, sizeof(link) - 1);
		ck_assert_int_gt(n, 0);
		link[n] = '\0';
		ck_assert_str_eq(link, "/dev/null");
	}

	/* Environment: PATH, and sanitizer options in sanitizer builds. */
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)p.pid);
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	n = read(fd, env, sizeof(env) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	env[n] = '\0';
	ck_assert_str_eq(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	for (i = (int)strlen(env) + 1; i < n; i += (int)strlen(env + i) + 1)
		ck_assert_msg(strncmp(env + i, "ASAN_OPTIONS=", 13) == 0 ||
		    strncmp(env + i, "UBSAN_OPTIONS=", 14) == 0,
		    "privd environment has %s", env + i);
#ifndef TTP_SANITIZE
	ck_assert_int_eq(n, (ssize_t)strlen(env) + 1);
#endif

	/* A session of its own: the terminal's ^C does not reach it. */
	ck_assert_int_eq(getsid(p.pid), p.pid);

	close(p.fd);
	/* Its stderr is ours here, so only the exit status is checked. */
	i = wait_exit(&p);
	ck_assert(WIFEXITED(i) && WEXITSTATUS(i) == 0);
	fclose(p.log);
	close(stray);
}
END_TEST

static Suite *
privd_suite(void)
{
	Suite	*s = suite_create("privd");
	TCase	*tc = tcase_create("privd");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_frame_exits, 0, N_BAD_FRAMES);
	tcase_add_test(tc, test_empty_frame_exits);
	tcase_add_test(tc, test_oversize_frame_exits);
	tcase_add_test(tc, test_bad_after_good);
	tcase_add_test(tc, test_peer_close_exits_0);
	tcase_add_test(tc, test_refuses_non_root);
	tcase_add_test(tc, test_refuses_bad_fd3);
	tcase_add_test(tc, test_usage);
	tcase_add_loop_test(tc, test_watchdog_role, 0, 9);
	tcase_add_test(tc, test_confined);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char	 path[128];
	int	 rc;

	if (geteuid() != 0) {
		fprintf(stderr, "test_privd: needs root (sudo make test)\n");
		return 77;
	}
	/* One run dir for all tests, removed whatever they left in it. */
	if (mkdtemp(run_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = check_run(privd_suite());
	snprintf(path, sizeof(path), "%s/%s", run_dir, TTP_RESOLV_NAME);
	(void)unlink(path);
	if (rmdir(run_dir) == -1)
		perror(run_dir);
	return rc;
}
