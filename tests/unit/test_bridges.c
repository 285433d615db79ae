/* Check tests: bridge-line validation and bridge files (torctl/bridges.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tor/bridges.h"
#include "tor/pkg.h"
#include "check_run.h"

static struct bridge_list bl;
static char	 err[512];

#define OBFS4_ARGS	"cert=ssH+9rP8dG2NLDN2XuFw63hIO/9MNNinLmxQDpVa+7kTOa9" \
			"/m+tGWT1SmSYpQ9uTBGa6Hw iat-mode=0"
#define FP		"0123456789ABCDEF0123456789abcdef01234567"

START_TEST(good_lines)
{
	static const struct {
		const char		*in;
		enum pt_transport	 t;
		const char		*norm;
	} good[] = {
		{ "192.0.2.1:443", PT_VANILLA, "192.0.2.1:443" },
		{ "192.0.2.1:9001 " FP, PT_VANILLA, "192.0.2.1:9001 " FP },
		{ "[2001:db8::1]:443 " FP, PT_VANILLA, "[2001:db8::1]:443 " FP },
		{ "obfs4 192.0.2.2:80 " FP " " OBFS4_ARGS, PT_OBFS4,
		    "obfs4 192.0.2.2:80 " FP " " OBFS4_ARGS },
		{ "obfs4  192.0.2.2:80\t" OBFS4_ARGS, PT_OBFS4,
		    "obfs4 192.0.2.2:80 " OBFS4_ARGS },
		{ "meek_lite 192.0.2.2:80 url=https://m.example/ front=f.example",
		    PT_MEEK_LITE,
		    "meek_lite 192.0.2.2:80 url=https://m.example/ front=f.example" },
		{ "snowflake 192.0.2.3:80 " FP " fingerprint=" FP
		    " url=https://b.example/ ice=stun:s.example:3478", PT_SNOWFLAKE,
		    "snowflake 192.0.2.3:80 " FP " fingerprint=" FP
		    " url=https://b.example/ ice=stun:s.example:3478" },
		{ "snowflake 192.0.2.3:80", PT_SNOWFLAKE, "snowflake 192.0.2.3:80" },
		{ "webtunnel [2001:db8::2]:443 " FP " url=https://w.example/x",
		    PT_WEBTUNNEL,
		    "webtunnel [2001:db8::2]:443 " FP " url=https://w.example/x" },
	};
	struct bridge	 b;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(bridge_parse(good[i].in, &b, err,
		    sizeof(err)) == 0, "refused '%s': %s", good[i].in, err);
		ck_assert_int_eq(b.transport, good[i].t);
		ck_assert_str_eq(b.line, good[i].norm);
	}
}
END_TEST

START_TEST(bad_lines)
{
	static const struct {
		const char	*in;
		const char	*why;
	} bad[] = {
		{ "", "empty" },
		{ "obfs5 192.0.2.1:443", "unknown transport 'obfs5'" },
		{ "Obfs4 192.0.2.1:443", "unknown transport" },
		{ "obfs4", "missing IP:port" },
		{ "bridge.example.org:443", "not IP:port" },
		{ "obfs4 bridge.example.org:443 cert=a iat-mode=0", "not IP:port" },
		{ "192.0.2.1", "not IP:port" },
		{ "192.0.2.1:0", "not IP:port" },
		{ "192.0.2.1:65536", "not IP:port" },
		{ "192.0.2.1:44x", "not IP:port" },
		{ "192.0.2.256:443", "not IP:port" },
		{ "2001:db8::1:443", "not IP:port" },
		{ "[2001:db8::1]443", "not IP:port" },
		{ "[192.0.2.1]:443", "not IP:port" },
		{ "192.0.2.1:443 0123", "not a fingerprint" },
		{ "192.0.2.1:443 " FP "0", "not a fingerprint" },
		{ "192.0.2.1:443 " "G123456789ABCDEF0123456789ABCDEF01234567",
		    "not a fingerprint" },
		{ "192.0.2.1:443 " FP " cert=x", "plain bridge takes no arguments" },
		{ "obfs4 192.0.2.1:443 " FP " iat-mode=0", "without its cert=" },
		{ "obfs4 192.0.2.1:443 " FP " cert=abc", "without its iat-mode=" },
		{ "obfs4 192.0.2.1:443 " FP " cert= iat-mode=0",
		    "'cert=' is not a key=value" },
		{ "obfs4 192.0.2.1:443 " FP " " OBFS4_ARGS " extra",
		    "'extra' is not a key=value" },
		{ "obfs4 192.0.2.1:443 " FP " =x " OBFS4_ARGS,
		    "not a key=value" },
		{ "meek_lite 192.0.2.1:443 front=x", "without its url=" },
		{ "webtunnel 192.0.2.1:443", "without its url=" },
		{ "192.0.2.1:443\nControlPort 9051", "control character" },
		{ "192.0.2.1:443\r", "control character" },
	};
	struct bridge	 b;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(bridge_parse(bad[i].in, &b, err, sizeof(err)) ==
		    -1, "accepted '%s'", bad[i].in);
		ck_assert_msg(strstr(err, bad[i].why) != NULL,
		    "'%s': want '%s', got '%s'", bad[i].in, bad[i].why, err);
	}
}
END_TEST

START_TEST(too_long)
{
	char		 line[BRIDGE_LINE_MAX + 64];
	struct bridge	 b;

	snprintf(line, sizeof(line), "obfs4 192.0.2.1:443 iat-mode=0 cert=%0*d",
	    BRIDGE_LINE_MAX, 0);
	ck_assert_int_eq(bridge_parse(line, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
}
END_TEST

START_TEST(add_numbers_lines)
{
	memset(&bl, 0, sizeof(bl));
	ck_assert_int_eq(bridges_add(&bl, "Bridge 192.0.2.1:443", NULL, 1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(bridges_add(&bl, "  bridge\tobfs4 192.0.2.1:443 "
	    OBFS4_ARGS, NULL, 2, err, sizeof(err)), 0);
	ck_assert_str_eq(bl.v[1].line, "obfs4 192.0.2.1:443 " OBFS4_ARGS);
	ck_assert_int_eq(bridges_add(&bl, "vanilla 192.0.2.1:443", NULL, 3, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "bridge line 3: unknown transport 'vanilla' "
	    "(obfs4, meek_lite, snowflake, webtunnel, or none for a plain "
	    "bridge)");
	ck_assert_int_eq(bridges_add(&bl, "192.0.2.1:99999", "/etc/b", 7, err,
	    sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "/etc/b: bridge line 7: '192.0.2.1:99999' "
	    "is not IP:port", 39) == 0, "%s", err);
	ck_assert_uint_eq(bl.n, 2);
	ck_assert_uint_eq(bridges_transports(&bl),
	    (1U << PT_VANILLA) | (1U << PT_OBFS4));
}
END_TEST

START_TEST(list_is_bounded)
{
	int	 i;

	memset(&bl, 0, sizeof(bl));
	for (i = 0; i < TTP_MAX_BRIDGES; i++)
		ck_assert_int_eq(bridges_add(&bl, "192.0.2.1:443", NULL, i + 1,
		    err, sizeof(err)), 0);
	ck_assert_int_eq(bridges_add(&bl, "192.0.2.1:443", NULL, i + 1, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than"));
}
END_TEST

static const char *
write_file(const char *text, char *path, size_t sz)
{
	FILE	*fp;
	int	 fd;

	snprintf(path, sz, "/tmp/ttptor-bridges.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

START_TEST(file_good)
{
	char	 p[64];

	memset(&bl, 0, sizeof(bl));
	write_file("# bridges from bridges.torproject.org\n"
	    "\n"
	    "   \n"
	    "Bridge obfs4 192.0.2.5:443 " FP " " OBFS4_ARGS "\r\n"
	    "  # indented comment\n"
	    "snowflake 192.0.2.3:80\n"
	    "[2001:db8::9]:443", p, sizeof(p));
	ck_assert_msg(bridges_load_file(&bl, p, err, sizeof(err)) == 0, "%s",
	    err);
	unlink(p);
	ck_assert_uint_eq(bl.n, 3);
	ck_assert_int_eq(bl.v[0].transport, PT_OBFS4);
	ck_assert_int_eq(bl.v[1].transport, PT_SNOWFLAKE);
	ck_assert_str_eq(bl.v[2].line, "[2001:db8::9]:443");
}
END_TEST

START_TEST(file_bad_line_number)
{
	char	 p[64], want[128];

	memset(&bl, 0, sizeof(bl));
	write_file("# header\n"
	    "\n"
	    "192.0.2.1:443\n"
	    "# comment\n"
	    "obfs4 192.0.2.1:443 cert=abc\n"
	    "192.0.2.2:443\n", p, sizeof(p));
	ck_assert_int_eq(bridges_load_file(&bl, p, err, sizeof(err)), -1);
	unlink(p);
	snprintf(want, sizeof(want), "%s: bridge line 5: obfs4 bridge without "
	    "its iat-mode= argument", p);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(bridges_load_file(&bl, "/nonexistent/b", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

START_TEST(programs)
{
	char	 paths[PT_COUNT][TTP_CONF_PATH_MAX];

	ck_assert_str_eq(pt_program(PT_OBFS4), "obfs4proxy");
	ck_assert_str_eq(pt_program(PT_MEEK_LITE), "obfs4proxy");
	ck_assert_str_eq(pt_program(PT_SNOWFLAKE), "snowflake-client");
	ck_assert_ptr_null(pt_program(PT_VANILLA));
	memset(&bl, 0, sizeof(bl));
	ck_assert_int_eq(bridges_add(&bl, "192.0.2.1:443", NULL, 1, err,
	    sizeof(err)), 0);
	/* A plain bridge needs no program. */
	ck_assert_int_eq(bridges_find_programs(&bl, 0, paths, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(paths[PT_OBFS4], "");
	ck_assert_int_eq(bridges_add(&bl, "obfs4 192.0.2.1:443 " OBFS4_ARGS,
	    NULL, 2, err, sizeof(err)), 0);
	if (pkg_find_program("obfs4proxy", paths[0], sizeof(paths[0])) == 0) {
		ck_assert_int_eq(bridges_find_programs(&bl, 0, paths, err,
		    sizeof(err)), 0);
		ck_assert_str_eq(paths[PT_OBFS4], paths[0]);
	} else {
		/* Without install permission: refused, naming the program. */
		ck_assert_int_eq(bridges_find_programs(&bl, 0, paths, err,
		    sizeof(err)), -1);
		ck_assert_str_eq(err, "obfs4 bridges need obfs4proxy, which is "
		    "not installed");
	}
}
END_TEST

START_TEST(package_manager)
{
	const char	*argv[8];
	char		 p[256];

	ck_assert_str_eq(pkg_for_program(PKG_APT, "obfs4proxy"), "obfs4proxy");
	ck_assert_str_eq(pkg_for_program(PKG_DNF, "obfs4proxy"), "obfs4");
	ck_assert_str_eq(pkg_for_program(PKG_PACMAN, "snowflake-client"),
	    "snowflake-pt-client");
	ck_assert_str_eq(pkg_for_program(PKG_APT, "tor"), "tor");
	ck_assert_ptr_null(pkg_for_program(PKG_APT, "nonesuch"));
	ck_assert_ptr_null(pkg_for_program(PKG_NONE, "tor"));
	ck_assert_int_eq(pkg_install_argv(PKG_APT, "tor", argv, 8), 0);
	ck_assert_str_eq(argv[0], "apt-get");
	ck_assert_str_eq(argv[1], "install");
	ck_assert_str_eq(argv[2], "-y");
	ck_assert_str_eq(argv[5], "tor");
	ck_assert_ptr_null(argv[6]);
	ck_assert_int_eq(pkg_install_argv(PKG_PACMAN, "tor", argv, 8), 0);
	ck_assert_str_eq(argv[2], "--noconfirm");
	ck_assert_int_eq(pkg_install_argv(PKG_DNF, "tor", argv, 3), -1);
	ck_assert_int_eq(pkg_install_argv(PKG_NONE, "tor", argv, 8), -1);
	/* This Debian host has apt-get. */
	if (access("/usr/bin/apt-get", X_OK) == 0)
		ck_assert_int_eq(pkg_detect(), PKG_APT);
	ck_assert_int_eq(pkg_find_program("sh", p, sizeof(p)), 0);
	ck_assert_int_eq(p[0], '/');
	ck_assert_int_eq(pkg_find_program("no-such-program-ttp", p, sizeof(p)),
	    -1);
	ck_assert_int_eq(pkg_find_program("/bin/sh", p, sizeof(p)), 0);
	ck_assert_int_eq(pkg_find_program("bin/sh", p, sizeof(p)), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bridges");
	TCase	*tc = tcase_create("lines");

	tcase_add_test(tc, good_lines);
	tcase_add_test(tc, bad_lines);
	tcase_add_test(tc, too_long);
	tcase_add_test(tc, add_numbers_lines);
	tcase_add_test(tc, list_is_bounded);
	tcase_add_test(tc, file_good);
	tcase_add_test(tc, file_bad_line_number);
	tcase_add_test(tc, programs);
	tcase_add_test(tc, package_manager);
	suite_add_tcase(s, tc);
	return check_run(s);
}
