/*
 * Unit tests of privd's resolv.conf overlay (privd/dns.c), through the
 * handlers themselves. Every test runs in a forked child (Check's default)
 * that first enters a private mount namespace and mounts a tmpfs over
 * /tmp; then it bind-mounts a file of its own over /etc/resolv.conf to
 * stand for the host's file (a foreign layer), so neither the host's file
 * nor its mounts are ever touched. Needs root.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "privd/privd.h"
#include "check_run.h"

#define RUN_DIR		"/tmp/run"
#define HOST_FILE	"/tmp/host-resolv.conf"
#define HOST_CONTENT	"nameserver 192.0.2.53\n"
#define TARGET		TTP_DEF_RESOLV_CONF

static void
write_file(const char *path, const char *content)
{
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(fputs(content, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

static const char *
read_file(const char *path)
{
	static char	 buf[512];
	ssize_t		 n;
	int		 fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* Mounts stacked at path in this namespace. */
static int
layers_at(const char *path)
{
	FILE	*fp = fopen("/proc/self/mountinfo", "re");
	char	 line[4096], root[1024], point[1024];
	int	 n = 0;

	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%*d %*d %*u:%*u %1023s %1023s", root,
		    point) == 2 && strcmp(point, path) == 0)
			n++;
	fclose(fp);
	return n;
}

static struct privop_reply
run_op(enum privop op)
{
	struct privop_req	 req;
	struct privop_reply	 rep;

	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	req.op = op;
	if (op == PRIVOP_DNS_OVERLAY)
		privd_dns_overlay(&req, &rep);
	else
		privd_dns_restore(&req, &rep);
	ck_assert_msg(rep.err == 0, "%s: %s (%s)",
	    op == PRIVOP_DNS_OVERLAY ? "overlay" : "restore",
	    rep.msg, strerror(rep.err));
	return rep;
}

/*
 * In the child: a private mount namespace (abort if we cannot get one:
 * nothing below may ever reach the host's mounts), a tmpfs on /tmp, and
 * the simulated host file bound over /etc/resolv.conf.
 */
static void
setup(void)
{
	ck_assert_int_eq(geteuid(), 0);
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		ck_abort_msg("private mount namespace: %s", strerror(errno));
	ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755"), 0);
	write_file(HOST_FILE, HOST_CONTENT);
	ck_assert_int_eq(mount(HOST_FILE, TARGET, NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(dns_init(RUN_DIR), 0);
}

START_TEST(overlay_is_visible_and_readonly)
{
	struct stat	 st;

	run_op(PRIVOP_DNS_OVERLAY);
	ck_assert_ptr_nonnull(strstr(read_file(TARGET),
	    "\nnameserver 127.0.0.1\n"));
	ck_assert_int_eq(open(TARGET, O_WRONLY | O_APPEND), -1);
	ck_assert_int_eq(errno, EROFS);
	ck_assert_int_eq(layers_at(TARGET), 2);
	/* privd's own file: 0644, and the host's file untouched. */
	ck_assert_int_eq(stat(RUN_DIR "/" TTP_RESOLV_NAME, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(stat(RUN_DIR, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert_str_eq(read_file(HOST_FILE), HOST_CONTENT);
}
END_TEST

START_TEST(overlay_twice_one_layer)
{
	struct privop_reply	 rep;

	run_op(PRIVOP_DNS_OVERLAY);
	run_op(PRIVOP_DNS_OVERLAY);
	ck_assert_int_eq(layers_at(TARGET), 2);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 1);
	ck_assert_str_eq(read_file(TARGET), HOST_CONTENT);
}
END_TEST

START_TEST(restore_leaves_host_layer)
{
	struct privop_reply	 rep;

	run_op(PRIVOP_DNS_OVERLAY);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 1);
	ck_assert_str_eq(read_file(TARGET), HOST_CONTENT);
	ck_assert_int_eq(layers_at(TARGET), 1);
	ck_assert_str_eq(read_file(HOST_FILE), HOST_CONTENT);
}
END_TEST

START_TEST(restore_nothing)
{
	struct privop_reply	 rep;

	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 0);
	ck_assert_int_eq(layers_at(TARGET), 1);
}
END_TEST

/* A previous privd died with its layers mounted; a new one cleans up. */
START_TEST(restore_stale_layers)
{
	struct privop_reply	 rep;

	run_op(PRIVOP_DNS_OVERLAY);
	/* Stack a second layer as an older privd would have, by hand. */
	ck_assert_int_eq(mount(RUN_DIR "/" TTP_RESOLV_NAME, TARGET, NULL,
	    MS_BIND, NULL), 0);
	ck_assert_int_eq(layers_at(TARGET), 3);
	ck_assert_int_eq(dns_init(RUN_DIR), 0);		/* the new privd */
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 2);
	ck_assert_str_eq(read_file(TARGET), HOST_CONTENT);
}
END_TEST

/* The run directory was wiped since: the layer shows "//deleted". */
START_TEST(restore_stale_deleted)
{
	struct privop_reply	 rep;

	run_op(PRIVOP_DNS_OVERLAY);
	ck_assert_int_eq(unlink(RUN_DIR "/" TTP_RESOLV_NAME), 0);
	ck_assert_int_eq(rmdir(RUN_DIR), 0);
	ck_assert_int_eq(dns_init(RUN_DIR), 0);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 1);
	ck_assert_str_eq(read_file(TARGET), HOST_CONTENT);
}
END_TEST

/* A process holds the overlay open: umount is EBUSY, detach instead. */
START_TEST(restore_busy)
{
	struct privop_reply	 rep;
	char			 buf[128];
	ssize_t			 n;
	int			 fd;

	run_op(PRIVOP_DNS_OVERLAY);
	fd = open(TARGET, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(umount2(TARGET, 0), -1);	/* really busy */
	ck_assert_int_eq(errno, EBUSY);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 1);
	ck_assert_str_eq(read_file(TARGET), HOST_CONTENT);
	ck_assert_int_eq(layers_at(TARGET), 1);
	n = read(fd, buf, sizeof(buf) - 1);	/* still privd's file */
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "nameserver 127.0.0.1"));
	close(fd);
}
END_TEST

/* Someone else mounted over our layer: restore must not touch theirs. */
START_TEST(foreign_layer_on_top_kept)
{
	struct privop_reply	 rep;

	run_op(PRIVOP_DNS_OVERLAY);
	write_file("/tmp/other", "nameserver 198.51.100.53\n");
	ck_assert_int_eq(mount("/tmp/other", TARGET, NULL, MS_BIND, NULL), 0);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 0);
	ck_assert_str_eq(read_file(TARGET), "nameserver 198.51.100.53\n");
	ck_assert_int_eq(layers_at(TARGET), 3);
	/* Once it is gone, ours comes off and the host's shows again. */
	ck_assert_int_eq(umount2(TARGET, 0), 0);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 1);
	ck_assert_str_eq(read_file(TARGET), HOST_CONTENT);
}
END_TEST

/* A file named resolv.conf elsewhere on the run dir's filesystem is not
 * ours (same device, different root). */
START_TEST(same_device_other_file_foreign)
{
	struct privop_reply	 rep;

	ck_assert_int_eq(mkdir("/tmp/elsewhere", 0755), 0);
	write_file("/tmp/elsewhere/" TTP_RESOLV_NAME, "nameserver 192.0.2.1\n");
	ck_assert_int_eq(mount("/tmp/elsewhere/" TTP_RESOLV_NAME, TARGET,
	    NULL, MS_BIND, NULL), 0);
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 0);
	ck_assert_int_eq(layers_at(TARGET), 2);
}
END_TEST

/*
 * /etc/resolv.conf as a symlink into /run (systemd-resolved): on a tmpfs
 * over /etc, in this namespace only. The overlay goes on the real file and
 * the symlink stays a symlink.
 */
START_TEST(symlinked_target)
{
	struct privop_reply	 rep;
	struct stat		 st;

	ck_assert_int_eq(mkdir("/tmp/sysd", 0755), 0);
	write_file("/tmp/sysd/stub-resolv.conf", "nameserver 127.0.0.53\n");
	ck_assert_int_eq(mount("tmpfs", "/etc", "tmpfs", 0, "mode=0755"), 0);
	ck_assert_int_eq(symlink("/tmp/sysd/stub-resolv.conf", TARGET), 0);

	run_op(PRIVOP_DNS_OVERLAY);
	ck_assert_ptr_nonnull(strstr(read_file(TARGET),
	    "nameserver 127.0.0.1"));
	ck_assert_int_eq(layers_at("/tmp/sysd/stub-resolv.conf"), 1);
	ck_assert_int_eq(lstat(TARGET, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	rep = run_op(PRIVOP_DNS_RESTORE);
	ck_assert_uint_eq(rep.count, 1);
	ck_assert_str_eq(read_file(TARGET), "nameserver 127.0.0.53\n");
	ck_assert_int_eq(layers_at("/tmp/sysd/stub-resolv.conf"), 0);
}
END_TEST

/* The run directory must be a real, root-owned, non-writable directory. */
START_TEST(init_refuses_bad_run_dir)
{
	ck_assert_int_eq(mkdir("/tmp/real", 0755), 0);
	ck_assert_int_eq(symlink("/tmp/real", "/tmp/link"), 0);
	ck_assert_int_eq(dns_init("/tmp/link"), -1);
	write_file("/tmp/file", "");
	ck_assert_int_eq(dns_init("/tmp/file"), -1);
	ck_assert_int_eq(mkdir("/tmp/gw", 0755), 0);
	ck_assert_int_eq(chmod("/tmp/gw", 0775), 0);
	ck_assert_int_eq(dns_init("/tmp/gw"), -1);
	ck_assert_int_eq(mkdir("/tmp/ww", 0755), 0);
	ck_assert_int_eq(chmod("/tmp/ww", 0757), 0);
	ck_assert_int_eq(dns_init("/tmp/ww"), -1);
	ck_assert_int_eq(mkdir("/tmp/user", 0755), 0);
	ck_assert_int_eq(chown("/tmp/user", 1000, 1000), 0);
	ck_assert_int_eq(dns_init("/tmp/user"), -1);
	ck_assert_int_eq(dns_init("/tmp/real"), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dns");
	TCase	*tc = tcase_create("overlay");

	log_init("test_dns", LOG_FORMAT_TEXT, 0);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, overlay_is_visible_and_readonly);
	tcase_add_test(tc, overlay_twice_one_layer);
	tcase_add_test(tc, restore_leaves_host_layer);
	tcase_add_test(tc, restore_nothing);
	tcase_add_test(tc, restore_stale_layers);
	tcase_add_test(tc, restore_stale_deleted);
	tcase_add_test(tc, restore_busy);
	tcase_add_test(tc, foreign_layer_on_top_kept);
	tcase_add_test(tc, same_device_other_file_foreign);
	tcase_add_test(tc, symlinked_target);
	tcase_add_test(tc, init_refuses_bad_run_dir);
	suite_add_tcase(s, tc);
	return check_run(s);
}
