/*
 * Check tests: the account ttp's sandboxed helpers become
 * (common/sandbox.c). sandbox_user_unfit accepts only a dedicated account;
 * sandbox_drop_user refuses a missing user, root and nobody, with no
 * fallback to another account, and stays root when it refuses. The
 * sandbox_drop_user tests need root (skipped otherwise): each runs in
 * Check's own child process, which moves into a private mount namespace
 * and bind-mounts a passwd file of its own over /etc/passwd, so the real
 * one is never touched and the mount goes with the process.
 */
#include <check.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/sandbox.h"
#include "check_run.h"

static struct passwd
account(const char *name, uid_t uid, gid_t gid)
{
	struct passwd	 pw;

	memset(&pw, 0, sizeof(pw));
	pw.pw_name = (char *)(uintptr_t)name;
	pw.pw_uid = uid;
	pw.pw_gid = gid;
	return pw;
}

START_TEST(unfit_accounts)
{
	struct passwd	 pw;

	ck_assert_str_eq(sandbox_user_unfit(NULL), "does not exist");
	pw = account("_ttp", 0, 0);
	ck_assert_ptr_nonnull(strstr(sandbox_user_unfit(&pw), "uid 0"));
	pw = account("_ttp", 0, 998);
	ck_assert_ptr_nonnull(strstr(sandbox_user_unfit(&pw), "uid 0"));
	pw = account("_ttp", 998, 0);
	ck_assert_ptr_nonnull(strstr(sandbox_user_unfit(&pw), "gid 0"));
	pw = account("_ttp", 65534, 65534);
	ck_assert_ptr_nonnull(strstr(sandbox_user_unfit(&pw), "65534"));
	pw = account("nobody", 65534, 65534);
	ck_assert_ptr_nonnull(sandbox_user_unfit(&pw));
	/* A "nobody" with another uid is still the shared account. */
	pw = account("nobody", 99, 99);
	ck_assert_ptr_nonnull(strstr(sandbox_user_unfit(&pw), "nobody"));
}
END_TEST

START_TEST(dedicated_account_fits)
{
	struct passwd	 pw = account("_ttp", 998, 998);

	ck_assert_ptr_null(sandbox_user_unfit(&pw));
	/* nogroup as the primary group is not an exemption risk by itself:
	 * a --bypass-group of it is refused by the CLI. */
	pw = account("_ttp", 998, 65534);
	ck_assert_ptr_null(sandbox_user_unfit(&pw));
}
END_TEST

/*
 * Root only: a private mount namespace whose /etc/passwd holds `lines`
 * (root's entry and nobody's always). 0 when not root (the test is
 * skipped).
 */
static int
fake_passwd(const char *lines)
{
	char	 path[] = "/tmp/ttp-test-passwd.XXXXXX";
	FILE	*fp;
	int	 fd;

	if (geteuid() != 0)
		return 0;
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fprintf(fp, "root:x:0:0:root:/root:/bin/sh\n"
	    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n%s",
	    lines);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(mount(path, "/etc/passwd", NULL, MS_BIND, NULL), 0);
	/* The mount keeps the file; nothing is left in /tmp. */
	ck_assert_int_eq(unlink(path), 0);
	return 1;
}

/* sandbox_drop_user(user) refused and the process is still root. */
static void
refused(const char *user)
{
	ck_assert_int_eq(sandbox_drop_user(user), -1);
	ck_assert_int_eq(geteuid(), 0);
	ck_assert_int_eq(getuid(), 0);
	ck_assert_int_eq(getegid(), 0);
}

START_TEST(drop_missing_user_refused)
{
	if (!fake_passwd(""))
		return;
	ck_assert_ptr_null(getpwnam(TTP_UNPRIV_USER));
	refused(TTP_UNPRIV_USER);	/* and no fallback to nobody */
}
END_TEST

START_TEST(drop_to_nobody_refused)
{
	if (!fake_passwd("_ttp:x:64010:64010::/nonexistent:/usr/sbin/nologin\n"))
		return;
	refused("nobody");
}
END_TEST

START_TEST(drop_shared_uid_refused)
{
	if (!fake_passwd("_ttp:x:65534:65534::/nonexistent:/usr/sbin/nologin\n"))
		return;
	refused(TTP_UNPRIV_USER);
}
END_TEST

START_TEST(drop_root_refused)
{
	if (!fake_passwd("_ttp:x:0:0::/nonexistent:/usr/sbin/nologin\n"))
		return;
	refused(TTP_UNPRIV_USER);
	refused("root");
}
END_TEST

START_TEST(drop_root_group_refused)
{
	if (!fake_passwd("_ttp:x:64010:0::/nonexistent:/usr/sbin/nologin\n"))
		return;
	refused(TTP_UNPRIV_USER);
}
END_TEST

/* The control: the fake passwd is the one read, and a dedicated account
 * is become with only its primary group. */
START_TEST(drop_dedicated_user)
{
	gid_t	 groups[4];

	if (!fake_passwd("_ttp:x:64010:64011::/nonexistent:/usr/sbin/nologin\n"))
		return;
	ck_assert_int_eq(sandbox_drop_user(TTP_UNPRIV_USER), 0);
	ck_assert_int_eq(getuid(), 64010);
	ck_assert_int_eq(geteuid(), 64010);
	ck_assert_int_eq(getgid(), 64011);
	ck_assert_int_eq(getgroups(4, groups), 1);
	ck_assert_int_eq(groups[0], 64011);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sandbox");
	TCase	*tc = tcase_create("user");

	tcase_add_test(tc, unfit_accounts);
	tcase_add_test(tc, dedicated_account_fits);
	tcase_add_test(tc, drop_missing_user_refused);
	tcase_add_test(tc, drop_to_nobody_refused);
	tcase_add_test(tc, drop_shared_uid_refused);
	tcase_add_test(tc, drop_root_refused);
	tcase_add_test(tc, drop_root_group_refused);
	tcase_add_test(tc, drop_dedicated_user);
	suite_add_tcase(s, tc);
	return check_run(s);
}
