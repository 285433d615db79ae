/* Check tests: parsing what the exit-IP endpoints answer. */
#include <check.h>
#include <string.h>
#include <sys/socket.h>

#include "netcheck/answer.h"
#include "check_run.h"

static int
parse(const char *s, struct answer *a)
{
	return answer_parse(s, strlen(s), a);
}

START_TEST(torproject_json)
{
	struct answer a;

	ck_assert_int_eq(parse("{\"IsTor\":true,\"IP\":\"192.0.2.15\"}", &a), 0);
	ck_assert_str_eq(a.ip, "192.0.2.15");
	ck_assert_int_eq(a.is_tor, 1);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(parse(" {\"IP\":\"2001:DB8::1\",\"IsTor\":false}\n", &a), 0);
	ck_assert_str_eq(a.ip, "2001:db8::1");	/* normalised */
	ck_assert_int_eq(a.is_tor, 0);
	ck_assert_int_eq(parse("{\"IP\":\"198.51.100.7\"}", &a), 0);
	ck_assert_int_eq(a.is_tor, ANSWER_ISTOR_UNKNOWN);
}
END_TEST

START_TEST(bare_address)
{
	struct answer a;

	ck_assert_int_eq(parse("203.0.113.9\n", &a), 0);
	ck_assert_str_eq(a.ip, "203.0.113.9");
	ck_assert_int_eq(a.is_tor, ANSWER_ISTOR_UNKNOWN);
	ck_assert_int_eq(parse("  2001:db8::42  ", &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
}
END_TEST

START_TEST(rejects)
{
	static const char *bad[] = {
		"", "   ", "not an address", "192.0.2.300", "192.0.2.1 x",
		"<html>192.0.2.1</html>", "{\"IP\":42}", "{\"IP\":\"x\"}",
		"{\"IsTor\":\"yes\",\"IP\":\"192.0.2.1\"}", "[\"192.0.2.1\"]",
		"{\"IP\":\"192.0.2.1\",\"IP\":\"192.0.2.2\"}", "{\"IP\":\"192.0.2.1\"",
		"1.2.3.4.5", "::ffff:1.2.3.4x",
	};
	struct answer a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &a) == -1, "accepted: %s", bad[i]);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("answer");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, torproject_json);
	tcase_add_test(tc, bare_address);
	tcase_add_test(tc, rejects);
	suite_add_tcase(s, tc);
	return check_run(s);
}
