/*
 * ttp run's pure parts (run/dns.c, run/socks.c): DNS queries parsed and
 * answered byte for byte, garbage refused without reading past the end;
 * SOCKS5 framing as RFC 1928/1929 and tor's RESOLVE extension have it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "run/run.h"

/* web.lab.test A IN, id 0x1234, RD. */
static const uint8_t q_a[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	3, 'W', 'e', 'b', 3, 'l', 'a', 'b', 4, 't', 'e', 's', 't', 0,
	0x00, 0x01, 0x00, 0x01,
};

START_TEST(dns_a_query)
{
	struct dns_query	 q;
	uint8_t			 out[DNS_MSG_MAX];
	static const uint8_t	 a4[4] = { 198, 51, 100, 80 };
	size_t			 n;

	ck_assert_int_eq(dns_parse_query(q_a, sizeof(q_a), &q),
	    DNS_RC_NOERROR);
	ck_assert_str_eq(q.name, "web.lab.test");	/* lower-cased */
	ck_assert_uint_eq(q.id, 0x1234);
	ck_assert_uint_eq(q.qtype, DNS_T_A);
	ck_assert_uint_eq(q.qlen, sizeof(q_a) - 12);
	n = dns_answer(q_a, &q, DNS_RC_NOERROR, a4, out, sizeof(out));
	ck_assert_uint_eq(n, sizeof(q_a) + 16);
	ck_assert_uint_eq(out[0], 0x12);
	ck_assert_uint_eq(out[1], 0x34);
	ck_assert_uint_eq(out[2], 0x81);	/* QR, RD */
	ck_assert_uint_eq(out[3], 0x80);	/* RA, NOERROR */
	ck_assert_uint_eq(out[5], 1);		/* one question */
	ck_assert_uint_eq(out[7], 1);		/* one answer */
	ck_assert_int_eq(memcmp(out + 12, q_a + 12, sizeof(q_a) - 12), 0);
	ck_assert_uint_eq(out[sizeof(q_a)], 0xc0);
	ck_assert_uint_eq(out[sizeof(q_a) + 1], 0x0c);
	ck_assert_int_eq(memcmp(out + n - 4, a4, 4), 0);
	/* Too small a buffer: nothing. */
	ck_assert_uint_eq(dns_answer(q_a, &q, DNS_RC_NOERROR, a4, out, 20), 0);
	/* NXDOMAIN: the question, no answer. */
	n = dns_answer(q_a, &q, DNS_RC_NXDOMAIN, NULL, out, sizeof(out));
	ck_assert_uint_eq(n, sizeof(q_a));
	ck_assert_uint_eq(out[3] & 0xf, DNS_RC_NXDOMAIN);
	ck_assert_uint_eq(out[7], 0);
}
END_TEST

START_TEST(dns_bad_queries)
{
	struct dns_query	 q;
	uint8_t			 m[sizeof(q_a)];
	size_t			 i;

	/* Every truncation: never NOERROR, never past the end (ASan). */
	for (i = 0; i < sizeof(q_a); i++) {
		uint8_t	*cut = malloc(i ? i : 1);

		memcpy(cut, q_a, i);
		ck_assert_int_ne(dns_parse_query(cut, i, &q), DNS_RC_NOERROR);
		free(cut);
	}
	ck_assert_int_eq(dns_parse_query(q_a, 11, &q), -1);
	memcpy(m, q_a, sizeof(m));
	m[2] |= 0x80;				/* a response */
	ck_assert_int_eq(dns_parse_query(m, sizeof(m), &q), -1);
	memcpy(m, q_a, sizeof(m));
	m[2] = 0x28;				/* opcode 5 (UPDATE) */
	ck_assert_int_eq(dns_parse_query(m, sizeof(m), &q), DNS_RC_NOTIMP);
	memcpy(m, q_a, sizeof(m));
	m[5] = 2;				/* two questions */
	ck_assert_int_eq(dns_parse_query(m, sizeof(m), &q), DNS_RC_FORMERR);
	memcpy(m, q_a, sizeof(m));
	m[12] = 0xc0;				/* a compression pointer */
	ck_assert_int_eq(dns_parse_query(m, sizeof(m), &q), DNS_RC_FORMERR);
	memcpy(m, q_a, sizeof(m));
	m[14] = ' ';				/* not a host name */
	ck_assert_int_eq(dns_parse_query(m, sizeof(m), &q), DNS_RC_REFUSED);
	memcpy(m, q_a, sizeof(m));
	m[sizeof(m) - 1] = 3;			/* class CHAOS */
	ck_assert_int_eq(dns_parse_query(m, sizeof(m), &q), DNS_RC_REFUSED);
}
END_TEST

START_TEST(dns_long_name)
{
	uint8_t			 m[12 + 5 * 64 + 5];
	struct dns_query	 q;
	size_t			 off = 12;
	int			 i;

	memset(m, 0, sizeof(m));
	m[5] = 1;
	for (i = 0; i < 5; i++) {	/* 5 x 63: longer than 253 */
		m[off++] = 63;
		memset(m + off, 'a', 63);
		off += 63;
	}
	m[off++] = 0;
	m[off + 1] = 1;
	m[off + 3] = 1;
	ck_assert_int_eq(dns_parse_query(m, off + 4, &q), DNS_RC_FORMERR);
}
END_TEST

START_TEST(dns_onion)
{
	ck_assert(dns_is_onion("abc.onion"));
	ck_assert(dns_is_onion("www.abc.onion"));
	ck_assert(dns_is_onion("onion"));
	ck_assert(!dns_is_onion("onion.example"));
	ck_assert(!dns_is_onion("xonion"));
	ck_assert(!dns_is_onion(""));
}
END_TEST

START_TEST(socks_framing)
{
	uint8_t			 b[SOCKS_MSG_MAX], a4[4];
	static const uint8_t	 ip[4] = { 198, 51, 100, 80 };
	static const uint8_t	 ok4[] = { 5, 0, 0, 1, 1, 2, 3, 4, 0, 0 };
	static const uint8_t	 fail[] = { 5, 4, 0, 1, 0, 0, 0, 0, 0, 0 };
	char			 big[300];
	bool			 has4;
	size_t			 n;

	ck_assert_uint_eq(socks_hello(b), 3);
	ck_assert_int_eq(memcmp(b, "\x05\x01\x02", 3), 0);
	ck_assert_int_eq(socks_hello_ok((const uint8_t *)"\x05\x02"), 0);
	ck_assert_int_eq(socks_hello_ok((const uint8_t *)"\x05\xff"), -1);
	ck_assert_int_eq(socks_hello_ok((const uint8_t *)"\x04\x02"), -1);
	n = socks_auth(b, sizeof(b), "ttp-run-1", "ttp");
	ck_assert_uint_eq(n, 3 + 9 + 3);
	ck_assert_int_eq(memcmp(b, "\x01\x09ttp-run-1\x03ttp", n), 0);
	ck_assert_int_eq(socks_auth_ok((const uint8_t *)"\x01\x00"), 0);
	ck_assert_int_eq(socks_auth_ok((const uint8_t *)"\x01\x01"), -1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_uint_eq(socks_auth(b, sizeof(b), big, "p"), 0);
	ck_assert_uint_eq(socks_auth(b, sizeof(b), "", "p"), 0);
	n = socks_request(b, sizeof(b), SOCKS_CMD_CONNECT, NULL, ip, 80);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(memcmp(b, "\x05\x01\x00\x01\xc6\x33\x64\x50\x00\x50",
	    10), 0);
	n = socks_request(b, sizeof(b), SOCKS_CMD_RESOLVE, "a.onion", NULL, 0);
	ck_assert_uint_eq(n, 4 + 1 + 7 + 2);
	ck_assert_int_eq(memcmp(b, "\x05\xf0\x00\x03\x07" "a.onion\x00\x00",
	    n), 0);
	ck_assert_uint_eq(socks_request(b, sizeof(b), 1, big, NULL, 80), 0);
	ck_assert_uint_eq(socks_request(b, 8, 1, NULL, ip, 80), 0);
	/* Reply lengths as the bytes arrive. */
	ck_assert_int_eq(socks_reply_len(ok4, 1), 0);
	ck_assert_int_eq(socks_reply_len(ok4, 3), 0);
	ck_assert_int_eq(socks_reply_len(ok4, 4), 10);
	ck_assert_int_eq(socks_reply_len((const uint8_t *)"\x05\x00\x00\x04",
	    4), 22);
	ck_assert_int_eq(socks_reply_len((const uint8_t *)"\x05\x00\x00\x03",
	    4), 0);
	ck_assert_int_eq(socks_reply_len((const uint8_t *)"\x05\x00\x00\x03\x05",
	    5), 12);
	ck_assert_int_eq(socks_reply_len((const uint8_t *)"\x04\x00", 2), -1);
	ck_assert_int_eq(socks_reply_len((const uint8_t *)"\x05\x00\x01\x01",
	    4), -1);
	ck_assert_int_eq(socks_reply_len((const uint8_t *)"\x05\x00\x00\x09",
	    4), -1);
	ck_assert_int_eq(socks_reply(ok4, sizeof(ok4), a4, &has4), 0);
	ck_assert(has4);
	ck_assert_int_eq(memcmp(a4, "\x01\x02\x03\x04", 4), 0);
	ck_assert_int_eq(socks_reply(fail, sizeof(fail), a4, &has4), 4);
	ck_assert(!has4);
	ck_assert_int_eq(socks_reply(ok4, sizeof(ok4) - 1, a4, &has4), -1);
}
END_TEST

START_TEST(ruleset_shape)
{
	const char	*r = run_ruleset();

	/* Redirects TCP and DNS, accepts loopback only, refuses the rest. */
	ck_assert_ptr_nonnull(strstr(r, "redirect to :9040"));
	ck_assert_ptr_nonnull(strstr(r, "udp dport 53 redirect to :53"));
	ck_assert_ptr_nonnull(strstr(r, "policy drop;"));
	ck_assert_ptr_nonnull(strstr(r, "ip daddr 127.0.0.0/8 accept"));
	ck_assert_ptr_nonnull(strstr(r, "ip6 daddr ::1 accept"));
	ck_assert_ptr_nonnull(strstr(r, RUN_ONION_NET_STR " accept"));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("run");
	TCase	*tc = tcase_create("run");

	tcase_add_test(tc, dns_a_query);
	tcase_add_test(tc, dns_bad_queries);
	tcase_add_test(tc, dns_long_name);
	tcase_add_test(tc, dns_onion);
	tcase_add_test(tc, socks_framing);
	tcase_add_test(tc, ruleset_shape);
	suite_add_tcase(s, tc);
	return check_run(s);
}
