/* Check tests: the configuration file (common/config.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "check_run.h"

static char	 dir[64];
static char	 path[128];
static char	 err[512];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ttptor-conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ttp.conf", dir);
	unsetenv("TTP_CONFIG");
	err[0] = '\0';
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static const char *
conf(const char *text)
{
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0644);
	return path;
}

/* Load `text`; expect failure with "FILE:LINE: ..." containing `what`. */
static void
bad(const char *text, int line, const char *what)
{
	struct ttp_config cfg;

	ck_assert_int_eq(config_load(conf(text), &cfg, err, sizeof(err)), -1);
	if (line > 0) {
		char want[256];

		snprintf(want, sizeof(want), "%s:%d: ", path, line);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		    "want prefix '%s', got '%s'", want, err);
	}
	ck_assert_msg(strstr(err, what) != NULL, "want '%s' in '%s'", what,
	    err);
}

static void
check_defaults(const struct ttp_config *cfg)
{
	ck_assert_str_eq(cfg->tor_user, "debian-tor");
	ck_assert_str_eq(cfg->tor_binary, "tor");
	ck_assert_str_eq(cfg->torrc_append, "");
	ck_assert_str_eq(cfg->data_dir, "/var/lib/tor/ttp");
	ck_assert_int_eq(cfg->transport_port, 9041);
	ck_assert_int_eq(cfg->dns_port, 9054);
	ck_assert_int_eq(cfg->tor_sandbox, TTP_TOR_SANDBOX_AUTO);
	ck_assert_str_eq(cfg->run_dir, "/run/ttp");
	ck_assert_str_eq(cfg->tor_run_dir, "/run/tor/ttp");
	ck_assert_uint_eq(cfg->n_ip_urls, 3);
	ck_assert_str_eq(cfg->ip_urls[0], "https://check.torproject.org/api/ip");
	ck_assert_str_eq(cfg->ip_urls[1], "https://api.ipify.org");
	ck_assert_str_eq(cfg->ip_urls[2], "https://ifconfig.me/ip");
	ck_assert_str_eq(cfg->latency_url, "https://torproject.org");
	ck_assert_str_eq(cfg->leak_ipv4_url, "https://api4.my-ip.io/ip");
	ck_assert_str_eq(cfg->leak_ipv6_url, "https://api6.my-ip.io/ip");
}

START_TEST(defaults_without_file)
{
	struct ttp_config cfg;

	if (access(TTP_DEFAULT_CONFIG, F_OK) == 0)
		return;		/* a real config exists here: not testable */
	ck_assert_int_eq(config_load(NULL, &cfg, err, sizeof(err)), 0);
	check_defaults(&cfg);
	ck_assert_str_eq(cfg.file, "");
}
END_TEST

START_TEST(defaults_struct)
{
	struct ttp_config cfg;

	config_defaults(&cfg);
	check_defaults(&cfg);
}
END_TEST

START_TEST(empty_file_is_defaults)
{
	struct ttp_config cfg;

	ck_assert_int_eq(config_load(conf("# nothing\n\n; here\n"), &cfg, err,
	    sizeof(err)), 0);
	check_defaults(&cfg);
	ck_assert_str_eq(cfg.file, path);
}
END_TEST

START_TEST(every_key)
{
	struct ttp_config cfg;

	ck_assert_int_eq(config_load(conf(
	    "[tor]\n"
	    "user = toruser\n"
	    "binary = /opt/tor/bin/tor\n"
	    "torrc_append = /etc/ttp/torrc.append\n"
	    "data_dir = /srv/tor/data\n"
	    "transport_port = 19041\n"
	    "dns_port = 19054\n"
	    "sandbox = 0\n"
	    "[paths]\n"
	    "run_dir = /srv/run/ttp\n"
	    "tor_run_dir = /srv/run/tor\n"
	    "[check]\n"
	    "ip_urls = http://10.0.0.1/ip https://a.example/ip\n"
	    "latency_url = http://10.0.0.1/\n"
	    "leak_ipv4_url = http://10.0.0.2/ip4\n"
	    "leak_ipv6_url = http://[fd00::2]/ip6\n"), &cfg, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.tor_user, "toruser");
	ck_assert_str_eq(cfg.tor_binary, "/opt/tor/bin/tor");
	ck_assert_str_eq(cfg.torrc_append, "/etc/ttp/torrc.append");
	ck_assert_str_eq(cfg.data_dir, "/srv/tor/data");
	ck_assert_int_eq(cfg.transport_port, 19041);
	ck_assert_int_eq(cfg.dns_port, 19054);
	ck_assert_int_eq(cfg.tor_sandbox, TTP_TOR_SANDBOX_OFF);
	ck_assert_str_eq(cfg.run_dir, "/srv/run/ttp");
	ck_assert_str_eq(cfg.tor_run_dir, "/srv/run/tor");
	ck_assert_uint_eq(cfg.n_ip_urls, 2);
	ck_assert_str_eq(cfg.ip_urls[0], "http://10.0.0.1/ip");
	ck_assert_str_eq(cfg.ip_urls[1], "https://a.example/ip");
	ck_assert_str_eq(cfg.latency_url, "http://10.0.0.1/");
	ck_assert_str_eq(cfg.leak_ipv4_url, "http://10.0.0.2/ip4");
	ck_assert_str_eq(cfg.leak_ipv6_url, "http://[fd00::2]/ip6");
}
END_TEST

START_TEST(example_file_parses)
{
	struct ttp_config cfg;
	char		 ex[512];

	/* The shipped example must load and equal the built-in defaults. */
	snprintf(ex, sizeof(ex), "%s/../../../ttp.conf.example", TTP_TEST_DATA);
	ck_assert_msg(config_load(ex, &cfg, err, sizeof(err)) == 0, "%s", err);
	check_defaults(&cfg);
}
END_TEST

START_TEST(comments_and_continuation)
{
	struct ttp_config cfg;

	ck_assert_int_eq(config_load(conf(
	    "[tor] # trailing comment\n"
	    "user = someone   # after a blank\n"
	    "dns_port = 5300 ; inih's own\n"
	    "sandbox = 1\n"
	    "[check]\n"
	    "ip_urls = https://one.example/ip\n"
	    "    https://two.example/ip https://three.example/ip\n"
	    "\n"
	    "\thttps://four.example/ip\n"
	    "latency_url = https://l.example/#frag\n"), &cfg, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.tor_user, "someone");
	ck_assert_int_eq(cfg.dns_port, 5300);
	ck_assert_int_eq(cfg.tor_sandbox, TTP_TOR_SANDBOX_ON);
	ck_assert_uint_eq(cfg.n_ip_urls, 4);
	ck_assert_str_eq(cfg.ip_urls[3], "https://four.example/ip");
	/* '#' not after a blank is data. */
	ck_assert_str_eq(cfg.latency_url, "https://l.example/#frag");
}
END_TEST

START_TEST(unknown_key)
{
	bad("[tor]\nuser = a\nuserr = b\n", 3,
	    "unknown key 'userr' in section [tor]");
	bad("[paths]\ndata_dir = /x\n", 2,
	    "unknown key 'data_dir' in section [paths]");
	bad("user = a\n", 1, "outside of any [section]");
}
END_TEST

START_TEST(unknown_section)
{
	bad("[tor]\nuser = a\n\n[bogus]\nx = 1\n", 4, "unknown section [bogus]");
	/* inih does not report an empty section; we do. */
	bad("[tor]\n[empty]\n", 2, "unknown section [empty]");
}
END_TEST

START_TEST(malformed_line)
{
	bad("[tor]\nuser = a\njust words\n", 3, "malformed line");
	bad("[tor\n", 1, "malformed line");
	/* The first error wins, whichever kind. */
	bad("[tor]\nnope\nfoo = 1\n", 2, "malformed line");
	bad("[tor]\nfoo = 1\nnope\n", 2, "unknown key 'foo'");
}
END_TEST

START_TEST(bad_port)
{
	bad("[tor]\ntransport_port = 0\n", 2, "bad port for 'transport_port'");
	bad("[tor]\ntransport_port = 65536\n", 2, "bad port");
	bad("[tor]\ndns_port = -1\n", 2, "bad port for 'dns_port'");
	bad("[tor]\ndns_port = 53x\n", 2, "bad port");
	bad("[tor]\ndns_port = abc\n", 2, "bad port");
	bad("[tor]\ndns_port =\n", 2, "needs a value");
}
END_TEST

START_TEST(bad_values)
{
	bad("[tor]\ndata_dir = relative/dir\n", 2, "absolute path");
	bad("[tor]\ndata_dir = /a b\n", 2, "blanks");
	bad("[tor]\nuser = bad/user\n", 2, "not a user name");
	bad("[tor]\nuser = -x\n", 2, "not a user name");
	bad("[tor]\nsandbox = maybe\n", 2, "auto, 1 or 0");
	bad("[tor]\nbinary = ./tor\n", 2, "absolute path");
	bad("[check]\nlatency_url = ftp://x/\n", 2, "not an http(s) URL");
	bad("[check]\nip_urls =\n", 2, "at least one URL");
	bad("[check]\nip_urls = https://a/ x\n", 2, "not an http(s) URL");
	bad("[paths]\ntor_run_dir = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 2,
	    "too long for a socket path");
	bad("[tor]\nuser = a\nuser = b\n", 3, "duplicate key 'user'");
	bad("[tor]\nuser = a\n  data_dir = /x\n", 3,
	    "indented line continues the value of 'user'");
}
END_TEST

START_TEST(empty_append_is_none)
{
	struct ttp_config cfg;

	ck_assert_int_eq(config_load(conf("[tor]\ntorrc_append =\n"), &cfg, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.torrc_append, "");
}
END_TEST

START_TEST(long_line)
{
	char	 text[600];

	snprintf(text, sizeof(text), "[tor]\n\ndata_dir = /%0400d\n", 0);
	bad(text, 3, "line too long");
}
END_TEST

START_TEST(explicit_missing_file)
{
	struct ttp_config cfg;
	char		 missing[160];

	snprintf(missing, sizeof(missing), "%s/nope.conf", dir);
	ck_assert_int_eq(config_load(missing, &cfg, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "nope.conf: No such file") != NULL, "%s",
	    err);
	/* TTP_CONFIG is as explicit as --config. */
	setenv("TTP_CONFIG", missing, 1);
	ck_assert_int_eq(config_load(NULL, &cfg, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "nope.conf") != NULL, "%s", err);
	unsetenv("TTP_CONFIG");
}
END_TEST

START_TEST(env_config)
{
	struct ttp_config cfg;

	setenv("TTP_CONFIG", conf("[tor]\ntransport_port = 29041\n"), 1);
	ck_assert_int_eq(config_load(NULL, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.transport_port, 29041);
	ck_assert_str_eq(cfg.file, path);
	/* --config wins over TTP_CONFIG. */
	unsetenv("TTP_CONFIG");
}
END_TEST

START_TEST(untrusted_file)
{
	struct ttp_config cfg;

	if (geteuid() != 0)
		return;		/* the check applies to root only */
	conf("[tor]\n");
	chmod(path, 0666);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "owned by root") != NULL, "%s", err);
	chmod(path, 0644);
	ck_assert_int_eq(chown(path, 65534, 0), 0);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof(err)), -1);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof(err)), 0);
}
END_TEST

START_TEST(derived_paths)
{
	struct ttp_config cfg;
	char		 p[64];

	config_defaults(&cfg);
	ck_assert_int_eq(config_tor_path(&cfg, TTP_CONTROL_SOCK_NAME, p,
	    sizeof(p)), 0);
	ck_assert_str_eq(p, "/run/tor/ttp/control.sock");
	ck_assert_int_eq(config_run_path(&cfg, TTP_TOR_LOG_NAME, p,
	    sizeof(p)), 0);
	ck_assert_str_eq(p, "/run/ttp/tor.log");
	ck_assert_int_eq(config_run_path(&cfg, TTP_TOR_LOG_NAME, p, 8), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_without_file);
	tcase_add_test(tc, defaults_struct);
	tcase_add_test(tc, empty_file_is_defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, example_file_parses);
	tcase_add_test(tc, comments_and_continuation);
	tcase_add_test(tc, unknown_key);
	tcase_add_test(tc, unknown_section);
	tcase_add_test(tc, malformed_line);
	tcase_add_test(tc, bad_port);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, empty_append_is_none);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, explicit_missing_file);
	tcase_add_test(tc, env_config);
	tcase_add_test(tc, untrusted_file);
	tcase_add_test(tc, derived_paths);
	suite_add_tcase(s, tc);
	return check_run(s);
}
