/*
 * Check tests: the generated torrc (torctl/torrc.c) against golden files
 * in tests/unit/data/torrc_*.golden, and tor's own verdict on it
 * (tor --verify-config, which never touches the network) where tor is
 * installed. "@DATA@" in a golden file stands for TTP_TEST_DATA.
 * TTP_GOLDEN_UPDATE=1 rewrites the golden files instead of comparing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/defaults.h"
#include "tor/bridges.h"
#include "tor/tor_proc.h"
#include "tor/torrc.h"
#include "check_run.h"

static char	 buf[TORRC_MAX];
static char	 err[1024];

/* Replace every `from` in s by `to`, into out. */
static void
subst(const char *s, const char *from, const char *to, char *out,
    size_t outsz)
{
	const char	*p;
	size_t		 n = 0, fl = strlen(from), tl = strlen(to);

	while ((p = strstr(s, from)) != NULL) {
		ck_assert_uint_lt(n + (size_t)(p - s) + tl, outsz);
		memcpy(out + n, s, (size_t)(p - s));
		n += (size_t)(p - s);
		memcpy(out + n, to, tl);
		n += tl;
		s = p + fl;
	}
	ck_assert_uint_lt(n + strlen(s), outsz);
	memcpy(out + n, s, strlen(s) + 1);
}

static void
golden(const char *name, const char *got)
{
	static char	 want[TORRC_MAX], file[TORRC_MAX];
	char		 path[512];
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/%s", TTP_TEST_DATA, name);
	if (getenv("TTP_GOLDEN_UPDATE") != NULL) {
		static char tmpl[TORRC_MAX];

		subst(got, TTP_TEST_DATA, "@DATA@", tmpl, sizeof(tmpl));
		ck_assert_ptr_nonnull(fp = fopen(path, "w"));
		fputs(tmpl, fp);
		fclose(fp);
		return;
	}
	ck_assert_msg((fp = fopen(path, "r")) != NULL, "missing %s", path);
	n = fread(file, 1, sizeof(file) - 1, fp);
	file[n] = '\0';
	fclose(fp);
	subst(file, "@DATA@", TTP_TEST_DATA, want, sizeof(want));
	ck_assert_msg(strcmp(want, got) == 0, "%s differs; got:\n%s", name,
	    got);
}

/* tor's verdict, where tor and its user exist. */
static int
have_tor(const struct ttp_config *cfg)
{
	char	 path[256];

	return tor_find(cfg, path, sizeof(path)) == 0;
}

static void
tor_accepts(const struct ttp_config *cfg, const char *text)
{
	if (!have_tor(cfg))
		return;
	ck_assert_msg(tor_verify_text(cfg, text, err, sizeof(err)) == 0,
	    "tor rejected it: %s", err);
}

START_TEST(defaults)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	torrc_opts_init(&o, &cfg);
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	golden("torrc_default.golden", buf);
	tor_accepts(&cfg, buf);
}
END_TEST

START_TEST(no_ipv6_no_sandbox_ports)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	snprintf(cfg.tor_run_dir, sizeof(cfg.tor_run_dir), "/run/tor/ttp2");
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "/var/lib/tor/ttp2");
	cfg.tor_sandbox = TTP_TOR_SANDBOX_OFF;
	torrc_opts_init(&o, &cfg);
	ck_assert_int_eq(o.sandbox, 0);
	o.ipv6 = 0;
	o.trans_port = 43210;	/* as ports_choose() might pick */
	o.dns_port = 23456;
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	golden("torrc_noipv6.golden", buf);
	tor_accepts(&cfg, buf);
}
END_TEST

/* Gateway mode: tor's ports for the hosts behind it, on every address,
 * IsolateClientAddr spelled out; IPv6 ones only with IPv6. */
START_TEST(gateway)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	torrc_opts_init(&o, &cfg);
	o.gw_trans_port = TTP_DEF_GW_TRANS_PORT;
	o.gw_dns_port = TTP_DEF_GW_DNS_PORT;
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	golden("torrc_gateway.golden", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\nTransPort 0.0.0.0:9042 "
	    "IsolateClientAddr\nTransPort [::]:9042 IsolateClientAddr\n"
	    "DNSPort 0.0.0.0:9055 IsolateClientAddr\nDNSPort [::]:9055 "
	    "IsolateClientAddr\n"));
	tor_accepts(&cfg, buf);
	o.ipv6 = 0;
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "TransPort 0.0.0.0:9042"));
	ck_assert_ptr_null(strstr(buf, "[::]"));
	tor_accepts(&cfg, buf);
}
END_TEST

/* --isolate-users at its largest, with gateway mode: TTP_MAX_ISOLATE + 1
 * pairs on loopback, well inside TORRC_MAX, and tor takes them all. */
START_TEST(isolate_users_max)
{
	struct ttp_config cfg;
	struct torrc_opts o;
	char		 line[64];
	unsigned	 last = TTP_ISO_PORT_BASE + 2U * TTP_MAX_ISOLATE;
	int		 n;

	config_defaults(&cfg);
	torrc_opts_init(&o, &cfg);
	o.gw_trans_port = TTP_DEF_GW_TRANS_PORT;
	o.gw_dns_port = TTP_DEF_GW_DNS_PORT;
	o.iso_base = TTP_ISO_PORT_BASE;
	o.n_iso = TTP_MAX_ISOLATE;
	n = torrc_render(&cfg, &o, buf, sizeof(buf), err, sizeof(err));
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, TORRC_MAX / 8);
	snprintf(line, sizeof(line), "\nTransPort 127.0.0.1:%u\n",
	    TTP_ISO_PORT_BASE);
	ck_assert_ptr_nonnull(strstr(buf, line));
	snprintf(line, sizeof(line), "\nDNSPort [::1]:%u\n", last + 1);
	ck_assert_ptr_nonnull(strstr(buf, line));
	snprintf(line, sizeof(line), "\nTransPort 127.0.0.1:%u\n", last + 2);
	ck_assert_ptr_null(strstr(buf, line));
	tor_accepts(&cfg, buf);
	/* Without isolation, none of those ports. */
	o.iso_base = 0;
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	ck_assert_ptr_null(strstr(buf, ":9100"));
}
END_TEST

static struct bridge_list bl;

static void
add(const char *line)
{
	ck_assert_msg(bridges_add(&bl, line, NULL, (int)bl.n + 1, err,
	    sizeof(err)) == 0, "%s", err);
}

START_TEST(bridges)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	memset(&bl, 0, sizeof(bl));
	add("obfs4 192.0.2.10:443 0123456789ABCDEF0123456789ABCDEF01234567 "
	    "cert=ssH+9rP8dG2NLDN2XuFw63hIO/9MNNinLmxQDpVa+7kTOa9/m+tGWT1SmSYpQ9"
	    "uTBGa6Hw iat-mode=0");
	add("Bridge  snowflake 192.0.2.3:80 2B280B23E1107BB62ABFC40DDCC8824814F80A72"
	    " fingerprint=2B280B23E1107BB62ABFC40DDCC8824814F80A72 "
	    "url=https://snowflake-broker.torproject.net.global.prod.fastly.net/"
	    " ice=stun:stun.l.google.com:19302");
	add("[2001:db8::7]:9001 FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
	add("meek_lite 192.0.2.20:80 url=https://meek.example/ "
	    "front=front.example");
	torrc_opts_init(&o, &cfg);
	o.bridges = &bl;
	/* What bridges_find_programs() would fill in. */
	snprintf(o.pt_path[PT_OBFS4], sizeof(o.pt_path[0]), "/usr/bin/obfs4proxy");
	snprintf(o.pt_path[PT_MEEK_LITE], sizeof(o.pt_path[0]),
	    "/usr/bin/obfs4proxy");
	snprintf(o.pt_path[PT_SNOWFLAKE], sizeof(o.pt_path[0]),
	    "/usr/bin/snowflake-client");
	o.sandbox = 0;	/* tor refuses it with managed transports */
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	golden("torrc_bridges.golden", buf);
	tor_accepts(&cfg, buf);
}
END_TEST

START_TEST(use_bridges_without_lines)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	torrc_opts_init(&o, &cfg);
	o.use_bridges = 1;	/* the lines may come from torrc_append */
	ck_assert_int_gt(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\nUseBridges 1\n"));
	ck_assert_ptr_null(strstr(buf, "ClientTransportPlugin"));
}
END_TEST

START_TEST(append)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	snprintf(cfg.torrc_append, sizeof(cfg.torrc_append), "%s/torrc_append.txt",
	    TTP_TEST_DATA);
	torrc_opts_init(&o, &cfg);
	ck_assert_msg(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)) > 0, "%s", err);
	golden("torrc_append.golden", buf);
	tor_accepts(&cfg, buf);
	/* The file's last line had no newline: one is added. */
	ck_assert_int_eq(buf[strlen(buf) - 1], '\n');
}
END_TEST

START_TEST(append_errors)
{
	struct ttp_config cfg;
	struct torrc_opts o;
	char		 dir[] = "/tmp/ttptor-torrc.XXXXXX", p[128];
	FILE		*fp;

	config_defaults(&cfg);
	torrc_opts_init(&o, &cfg);
	snprintf(cfg.torrc_append, sizeof(cfg.torrc_append), "/nonexistent/x");
	ck_assert_int_eq(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "torrc_append /nonexistent/x"));

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/nul", dir);
	ck_assert_ptr_nonnull(fp = fopen(p, "w"));
	fwrite("Log\0x\n", 1, 6, fp);
	fclose(fp);
	chmod(p, 0644);
	snprintf(cfg.torrc_append, sizeof(cfg.torrc_append), "%s", p);
	ck_assert_int_eq(torrc_render(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	if (geteuid() == 0) {
		/* Its lines can start programs as the exempt tor user. */
		chmod(p, 0666);
		ck_assert_int_eq(torrc_render(&cfg, &o, buf, sizeof(buf), err,
		    sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "owned by root"));
	}
	unlink(p);
	rmdir(dir);
}
END_TEST

START_TEST(too_small)
{
	struct ttp_config cfg;
	struct torrc_opts o;
	char		 small[200];

	config_defaults(&cfg);
	torrc_opts_init(&o, &cfg);
	ck_assert_int_eq(torrc_render(&cfg, &o, small, sizeof(small), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
}
END_TEST

START_TEST(build_sandbox_auto)
{
	struct ttp_config cfg;
	struct torrc_opts o;

	config_defaults(&cfg);
	if (!have_tor(&cfg))
		return;
	/* Plain: tor accepts its sandbox with our directives. */
	torrc_opts_init(&o, &cfg);
	ck_assert_msg(tor_build_torrc(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)) > 0, "%s", err);
	ck_assert_int_eq(o.sandbox, 1);
	ck_assert_ptr_nonnull(strstr(buf, "\nSandbox 1\n"));

	/* Managed transports from torrc_append: auto retries without. */
	snprintf(cfg.torrc_append, sizeof(cfg.torrc_append),
	    "%s/torrc_append_pt.txt", TTP_TEST_DATA);
	torrc_opts_init(&o, &cfg);
	ck_assert_msg(tor_build_torrc(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)) > 0, "%s", err);
	ck_assert_int_eq(o.sandbox, 0);
	ck_assert_ptr_null(strstr(buf, "Sandbox 1"));

	/* sandbox = 1: tor's refusal is the error. */
	cfg.tor_sandbox = TTP_TOR_SANDBOX_ON;
	torrc_opts_init(&o, &cfg);
	ck_assert_int_eq(tor_build_torrc(&cfg, &o, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "Sandbox") != NULL, "%s", err);
}
END_TEST

START_TEST(verify_reports_tor_error)
{
	struct ttp_config cfg;

	config_defaults(&cfg);
	if (!have_tor(&cfg))
		return;
	ck_assert_int_eq(tor_verify_text(&cfg, "SocksPort 0\nNoSuchOption 1\n",
	    err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "Unknown option 'NoSuchOption'") != NULL,
	    "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("torrc");
	TCase	*tc = tcase_create("render");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, no_ipv6_no_sandbox_ports);
	tcase_add_test(tc, gateway);
	tcase_add_test(tc, isolate_users_max);
	tcase_add_test(tc, bridges);
	tcase_add_test(tc, use_bridges_without_lines);
	tcase_add_test(tc, append);
	tcase_add_test(tc, append_errors);
	tcase_add_test(tc, too_small);
	tcase_add_test(tc, build_sandbox_auto);
	tcase_add_test(tc, verify_reports_tor_error);
	suite_add_tcase(s, tc);
	return check_run(s);
}
