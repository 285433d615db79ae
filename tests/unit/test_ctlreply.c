/*
 * Check tests: the Tor control-reply parser (torctl/ctlreply.c) against
 * transcripts recorded from tor 0.4.9.11 (tests/unit/data/ctl_*.txt, the
 * exact bytes tor sent) and synthetic ones (ctl_synth_*.txt: bootstrap
 * events, which a tor with DisableNetwork never sends, and dot-stuffing),
 * plus malformed input, fed whole, byte by byte and pipelined.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torctl/ctlreply.h"
#include "check_run.h"

#define MAXR	16

static char		 in[256 * 1024];
static size_t		 inlen;
static struct ctl_reply	 rep[MAXR];
static size_t		 nrep;

static void
load(const char *name)
{
	char	 path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", TTP_TEST_DATA, name);
	ck_assert_msg((fp = fopen(path, "rb")) != NULL, "missing %s", path);
	inlen = fread(in, 1, sizeof(in), fp);
	fclose(fp);
}

static void
free_all(void)
{
	size_t	 i;

	for (i = 0; i < nrep; i++)
		ctl_reply_free(&rep[i]);
	nrep = 0;
}

/* Parse buf in chunks of `step` bytes; returns the last status. */
static int
parse(const char *buf, size_t len, size_t step, char *why, size_t whysz)
{
	struct ctl_parser *p = malloc(sizeof(*p));
	size_t		 off = 0;
	int		 rc = CTL_MORE;

	ck_assert_ptr_nonnull(p);
	free_all();
	ctl_parser_init(p);
	while (off < len) {
		size_t	 n = len - off < step ? len - off : step, used;

		rc = ctl_parser_feed(p, buf + off, n, &used, &rep[nrep]);
		off += used;
		if (rc == CTL_ERROR)
			break;
		if (rc == CTL_DONE) {
			ck_assert_uint_lt(nrep, MAXR - 1);
			nrep++;
		}
	}
	if (why != NULL)
		snprintf(why, whysz, "%s", rc == CTL_ERROR ? p->err : "");
	ctl_parser_free(p);
	free(p);
	return rc;
}

/* Every recorded transcript parses the same whole and byte by byte. */
static void
parse_both(size_t want)
{
	size_t	 n;
	int	 code;

	ck_assert_int_ne(parse(in, inlen, inlen, NULL, 0), CTL_ERROR);
	ck_assert_uint_eq(nrep, want);
	n = rep[0].nlines;
	code = rep[0].code;
	ck_assert_int_ne(parse(in, inlen, 1, NULL, 0), CTL_ERROR);
	ck_assert_uint_eq(nrep, want);
	ck_assert_uint_eq(rep[0].nlines, n);
	ck_assert_int_eq(rep[0].code, code);
}

START_TEST(protocolinfo)
{
	struct ctl_protocolinfo pi;

	load("ctl_protocolinfo.txt");
	parse_both(1);
	ck_assert_int_eq(rep[0].code, 250);
	ck_assert_uint_eq(rep[0].nlines, 4);
	ck_assert_int_eq(rep[0].lines[0].sep, '-');
	ck_assert_int_eq(rep[0].lines[3].sep, ' ');
	ck_assert_str_eq(ctl_reply_text(&rep[0]), "OK");
	ck_assert_int_eq(ctl_parse_protocolinfo(&rep[0], &pi), 0);
	ck_assert_uint_eq(pi.methods, CTL_AUTH_COOKIE | CTL_AUTH_SAFECOOKIE);
	ck_assert_str_eq(pi.cookiefile, "/tmp/ttptor-man/torrun/auth_cookie");
	ck_assert_str_eq(pi.version, "0.4.9.11");
	free_all();
}
END_TEST

START_TEST(getinfo_with_data_block)
{
	struct ctl_bootstrap bs;
	const char	*v;
	size_t		 len;

	load("ctl_getinfo_multi.txt");
	parse_both(1);
	ck_assert_int_eq(rep[0].code, 250);
	ck_assert_int_eq(ctl_reply_value(&rep[0], "version", &v, &len), 0);
	ck_assert_str_eq(v, "0.4.9.11");
	ck_assert_int_eq(ctl_reply_value(&rep[0], "status/bootstrap-phase", &v,
	    &len), 0);
	ck_assert_int_eq(ctl_parse_bootstrap(v, &bs), 0);
	ck_assert_int_eq(bs.progress, 0);
	ck_assert_str_eq(bs.tag, "starting");
	ck_assert_str_eq(bs.summary, "Starting");
	ck_assert_str_eq(bs.severity, "NOTICE");
	ck_assert_int_eq(ctl_reply_value(&rep[0], "config-text", &v, &len), 0);
	ck_assert_int_eq(rep[0].lines[2].sep, '+');
	ck_assert_uint_eq(len, strlen(v));
	ck_assert_ptr_nonnull(strstr(v, "\nDisableNetwork 1\n"));
	ck_assert_int_eq(strncmp(v, "AutomapHostsOnResolve 1\n", 24), 0);
	ck_assert_int_eq(v[len - 1], '\n');
	ck_assert_ptr_null(strchr(v, '\r'));
	ck_assert_int_eq(ctl_reply_value(&rep[0], "versio", &v, &len), -1);
	free_all();
}
END_TEST

START_TEST(errors)
{
	load("ctl_unrecognized.txt");
	parse_both(1);
	ck_assert_int_eq(rep[0].code, 510);
	ck_assert_str_eq(ctl_reply_text(&rep[0]),
	    "Unrecognized command \"BADCMD\"");
	load("ctl_getinfo_badkey.txt");
	parse_both(1);
	ck_assert_int_eq(rep[0].code, 552);
	load("ctl_auth_fail.txt");
	parse_both(1);
	ck_assert_int_eq(rep[0].code, 515);
	load("ctl_auth_ok.txt");
	parse_both(1);
	ck_assert_int_eq(rep[0].code, 250);
	load("ctl_shutdown.txt");
	parse_both(1);
	free_all();
}
END_TEST

START_TEST(events)
{
	load("ctl_event_newnym.txt");
	parse_both(2);
	ck_assert_int_eq(rep[0].code, 250);
	ck_assert_int_eq(rep[1].code, CTL_CODE_EVENT);
	ck_assert_str_eq(rep[1].lines[0].text, "SIGNAL NEWNYM");
	/* A multi-line asynchronous event. */
	load("ctl_event_conf_changed.txt");
	parse_both(2);
	ck_assert_int_eq(rep[1].code, CTL_CODE_EVENT);
	ck_assert_uint_eq(rep[1].nlines, 4);
	ck_assert_str_eq(rep[1].lines[0].text, "CONF_CHANGED");
	ck_assert_str_eq(rep[1].lines[1].text, "ExitNodes={de}");
	ck_assert_str_eq(rep[1].lines[2].text, "MaxCircuitDirtiness=700");
	free_all();
}
END_TEST

START_TEST(bootstrap_events)
{
	static const int want[] = { 5, 10, 10, -2, 75, 100, -2 };
	struct ctl_bootstrap bs;
	size_t		 i;

	load("ctl_synth_bootstrap.txt");
	parse_both(7);
	for (i = 0; i < nrep; i++) {
		int rc = ctl_parse_bootstrap(rep[i].lines[0].text, &bs);

		if (want[i] == -2) {
			ck_assert_int_eq(rc, 1);	/* not BOOTSTRAP */
			continue;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(bs.progress, want[i]);
	}
	ck_assert_int_eq(ctl_parse_bootstrap(rep[2].lines[0].text, &bs), 0);
	ck_assert_str_eq(bs.severity, "WARN");
	ck_assert_str_eq(bs.tag, "conn_done");
	ck_assert_str_eq(bs.warning, "Connection refused");
	ck_assert_str_eq(bs.reason, "CONNECTREFUSED");
	ck_assert_str_eq(bs.recommendation, "ignore");
	ck_assert_int_eq(ctl_parse_bootstrap(rep[5].lines[0].text, &bs), 0);
	ck_assert_str_eq(bs.tag, "done");
	ck_assert_str_eq(bs.warning, "");
	free_all();
}
END_TEST

START_TEST(bootstrap_malformed)
{
	static const char *bad[] = {
		"STATUS_CLIENT NOTICE BOOTSTRAP TAG=x SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=101 TAG=x SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=-1 TAG=x SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=1x TAG=x SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=0100 TAG=x SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS= TAG=x SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 SUMMARY=\"y\"",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=x",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=x SUMMARY=\"open",
		"STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=x SUMMARY=\"y\"z",
		"STATUS_CLIENT INFO BOOTSTRAP PROGRESS=5 TAG=x SUMMARY=\"y\"",
		"", "STATUS_CLIENT",
	};
	struct ctl_bootstrap bs;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ctl_parse_bootstrap(bad[i], &bs) == -1,
		    "accepted: %s", bad[i]);
	/* Quoted text may hold what looks like another field. */
	ck_assert_int_eq(ctl_parse_bootstrap("NOTICE BOOTSTRAP SUMMARY="
	    "\"a PROGRESS=99 b\" PROGRESS=7 TAG=t", &bs), 0);
	ck_assert_int_eq(bs.progress, 7);
	ck_assert_str_eq(bs.summary, "a PROGRESS=99 b");
}
END_TEST

START_TEST(dot_stuffing)
{
	const char	*v;
	size_t		 len;

	load("ctl_synth_dotstuff.txt");
	parse_both(1);
	ck_assert_int_eq(ctl_reply_value(&rep[0], "x", &v, &len), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_int_eq(memcmp(v, ".a\n..\nb\n\n", 9), 0);
	free_all();
}
END_TEST

START_TEST(pipelined)
{
	static char	 all[64 * 1024];
	size_t		 n = 0;
	static const char *files[] = {
		"ctl_protocolinfo.txt", "ctl_auth_ok.txt",
		"ctl_getinfo_multi.txt", "ctl_event_conf_changed.txt",
		"ctl_synth_bootstrap.txt", "ctl_unrecognized.txt",
	};
	size_t		 i, step;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		load(files[i]);
		ck_assert_uint_lt(n + inlen, sizeof(all));
		memcpy(all + n, in, inlen);
		n += inlen;
	}
	for (step = 1; step <= n; step = step * 3 + 1) {
		ck_assert_int_eq(parse(all, n, step, NULL, 0), CTL_DONE);
		ck_assert_uint_eq(nrep, 1 + 1 + 1 + 2 + 7 + 1);
		ck_assert_int_eq(rep[nrep - 1].code, 510);
	}
	free_all();
}
END_TEST

START_TEST(malformed)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		const char	*why;
	} bad[] = {
		{ "250 OK\n", 0, "CRLF" },
		{ "250 O\rK\r\n", 0, "CR inside" },
		{ "25 OK\r\n", 0, "bad status code" },
		{ "250\r\n", 0, "too short" },
		{ "2x0 OK\r\n", 0, "bad status code" },
		{ "150 OK\r\n", 0, "bad status code" },
		{ "750 OK\r\n", 0, "bad status code" },
		{ "250_OK\r\n", 0, "bad separator" },
		{ "250-a\r\n251 OK\r\n", 0, "status code changes" },
		{ "650-CONF_CHANGED\r\n250 OK\r\n", 0, "status code changes" },
		{ "250 O\0K\r\n", 9, "NUL" },
		{ "250+x=\r\nab\0\r\n.\r\n250 OK\r\n", 24, "NUL" },
	};
	char		 why[128];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].in);

		ck_assert_msg(parse(bad[i].in, len, len, why, sizeof(why)) ==
		    CTL_ERROR, "accepted #%zu", i);
		ck_assert_msg(strstr(why, bad[i].why) != NULL,
		    "#%zu: want '%s', got '%s'", i, bad[i].why, why);
		/* Byte by byte too. */
		ck_assert_int_eq(parse(bad[i].in, len, 1, NULL, 0), CTL_ERROR);
	}
	free_all();
}
END_TEST

START_TEST(truncated_is_incomplete)
{
	/* A reply cut anywhere is never reported complete. */
	load("ctl_getinfo_multi.txt");
	for (size_t cut = 0; cut + 1 < inlen; cut++) {
		ck_assert_int_eq(parse(in, cut, cut ? cut : 1, NULL, 0),
		    CTL_MORE);
		ck_assert_uint_eq(nrep, 0);
	}
	free_all();
}
END_TEST

START_TEST(limits)
{
	static char	 big[CTL_LINE_MAX + 16];
	char		 why[128];
	char		*many;
	size_t		 i, n = 0;

	memset(big, 'a', sizeof(big));
	memcpy(big, "250 ", 4);
	ck_assert_int_eq(parse(big, sizeof(big), 4096, why, sizeof(why)),
	    CTL_ERROR);
	ck_assert_ptr_nonnull(strstr(why, "line longer"));

	ck_assert_ptr_nonnull(many = malloc((CTL_LINES_MAX + 1) * 8));
	for (i = 0; i <= CTL_LINES_MAX; i++) {
		memcpy(many + n, "250-x\r\n", 7);
		n += 7;
	}
	ck_assert_int_eq(parse(many, n, n, why, sizeof(why)), CTL_ERROR);
	ck_assert_ptr_nonnull(strstr(why, "more than"));
	free(many);

	/* A data block larger than a reply may be. */
	ck_assert_ptr_nonnull(many = malloc(CTL_REPLY_MAX + 4096));
	n = 0;
	memcpy(many, "250+x=\r\n", 8);
	n = 8;
	while (n < CTL_REPLY_MAX + 1024) {
		memset(many + n, 'b', 1000);
		memcpy(many + n + 1000, "\r\n", 2);
		n += 1002;
	}
	ck_assert_int_eq(parse(many, n, n, why, sizeof(why)), CTL_ERROR);
	ck_assert_ptr_nonnull(strstr(why, "reply larger"));
	free(many);
}
END_TEST

START_TEST(kv)
{
	char	 v[32];

	ck_assert_int_eq(ctl_kv_get("A=1 B=\"two words\" C=3", "B", v,
	    sizeof(v)), 0);
	ck_assert_str_eq(v, "two words");
	ck_assert_int_eq(ctl_kv_get("A=1 B=2", "C", v, sizeof(v)), -1);
	ck_assert_int_eq(ctl_kv_get("AB=1 B=2", "B", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "2");
	ck_assert_int_eq(ctl_kv_get("X=\"q\\\"\\\\\\n\\101\" Y=1", "X", v,
	    sizeof(v)), 0);
	ck_assert_str_eq(v, "q\"\\\nA");
	ck_assert_int_eq(ctl_kv_get("X=\"unterminated", "X", v, sizeof(v)),
	    -2);
	ck_assert_int_eq(ctl_kv_get("X=\"abc\\", "X", v, sizeof(v)), -2);
	ck_assert_int_eq(ctl_kv_get("X=\"\\777\"", "X", v, sizeof(v)), -2);
	ck_assert_int_eq(ctl_kv_get("X=0123456789", "X", v, 5), -2);
	ck_assert_int_eq(ctl_kv_get("X=", "X", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(ctl_kv_get("\"lone quoted\" X=1", "X", v, sizeof(v)),
	    0);
	ck_assert_int_eq(ctl_kv_get("word X=1", "word", v, sizeof(v)), -1);
}
END_TEST

START_TEST(protocolinfo_variants)
{
	struct ctl_protocolinfo pi;

	const char	*s = "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n"
	    "250 OK\r\n";

	ck_assert_int_eq(parse(s, strlen(s), strlen(s), NULL, 0), CTL_DONE);
	ck_assert_int_eq(ctl_parse_protocolinfo(&rep[0], &pi), 0);
	ck_assert_uint_eq(pi.methods, CTL_AUTH_NULL);
	ck_assert_str_eq(pi.cookiefile, "");
	ck_assert_int_eq(parse("250-PROTOCOLINFO 1\r\n250 OK\r\n", 28, 28,
	    NULL, 0), CTL_DONE);
	ck_assert_int_eq(ctl_parse_protocolinfo(&rep[0], &pi), -1);
	ck_assert_int_eq(parse("515 no\r\n", 8, 8, NULL, 0), CTL_DONE);
	ck_assert_int_eq(ctl_parse_protocolinfo(&rep[0], &pi), -1);
	free_all();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ctlreply");
	TCase	*tc = tcase_create("parse");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, protocolinfo);
	tcase_add_test(tc, getinfo_with_data_block);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, events);
	tcase_add_test(tc, bootstrap_events);
	tcase_add_test(tc, bootstrap_malformed);
	tcase_add_test(tc, dot_stuffing);
	tcase_add_test(tc, pipelined);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, truncated_is_incomplete);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, kv);
	tcase_add_test(tc, protocolinfo_variants);
	suite_add_tcase(s, tc);
	return check_run(s);
}
