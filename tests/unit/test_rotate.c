/*
 * Check tests: identity rotation's arithmetic (session/rotate.c): what
 * `--rotate` accepts and refuses, how periods and waits are written, and
 * the schedule `ttp status` shows (docs/rotation.md).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "session/rotate.h"
#include "check_run.h"

START_TEST(parse_accepts)
{
	static const struct { const char *in; unsigned want; } ok[] = {
		{ "10", 10 }, { "10s", 10 }, { "90s", 90 }, { "600", 600 },
		{ "10m", 600 }, { "1h", 3600 }, { "1h30m", 5400 },
		{ "1m30s", 90 }, { "2h0m5s", 7205 }, { "24h", 86400 },
		{ "86400", 86400 }, { "1440m", 86400 }, { "0010", 10 },
		{ "0h10s", 10 }, { "23h59m59s", 86399 },
	};
	char		 err[256];
	unsigned	 secs;
	size_t		 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(rotate_parse(ok[i].in, &secs, err,
		    sizeof(err)) == 0, "'%s' refused: %s", ok[i].in, err);
		ck_assert_uint_eq(secs, ok[i].want);
	}
}
END_TEST

START_TEST(parse_refuses)
{
	static const struct { const char *in, *why; } bad[] = {
		{ "", "is empty" }, { "9", "less than 10s" },
		{ "9s", "less than 10s" }, { "0", "less than 10s" },
		{ "0m", "less than 10s" }, { "86401", "more than 24h" },
		{ "25h", "more than 24h" }, { "24h1s", "more than 24h" },
		{ "1441m", "more than 24h" },
		{ "99999999999999999999", "more than 24h" },
		{ "18446744073709551626", "more than 24h" },
		{ "10x", "unknown or repeated unit" },
		{ "1m1h", "unknown or repeated unit" },
		{ "1h1h", "unknown or repeated unit" },
		{ "10ms", "unknown or repeated unit" },
		{ "1h30", "lacks a unit" }, { "-10", "is not a period" },
		{ "+10", "is not a period" }, { " 10", "is not a period" },
		{ "10 ", "is not a period" }, { "1.5h", "is not a period" },
		{ "m", "is not a period" }, { "10M", "unknown or repeated unit" },
		{ "10m ", "is not a period" }, { "0x10", "unknown" },
	};
	char		 err[256];
	unsigned	 secs = 1;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(rotate_parse(bad[i].in, &secs, err,
		    sizeof(err)) == -1, "'%s' accepted", bad[i].in);
		ck_assert_uint_eq(secs, 0);
		ck_assert_msg(strstr(err, bad[i].why) != NULL,
		    "'%s': '%s' does not say '%s'", bad[i].in, err,
		    bad[i].why);
		/* One line that names the option and the fix. */
		ck_assert_ptr_null(strchr(err, '\n'));
		ck_assert_ptr_nonnull(strstr(err, "--rotate"));
		ck_assert_ptr_nonnull(strstr(err, "10s to 24h"));
	}
}
END_TEST

START_TEST(format_shortest)
{
	static const struct { long secs; const char *want; } f[] = {
		{ 0, "0s" }, { 1, "1s" }, { 10, "10s" }, { 59, "59s" },
		{ 60, "1m" }, { 90, "1m30s" }, { 252, "4m12s" },
		{ 600, "10m" }, { 3600, "1h" }, { 3601, "1h0m1s" },
		{ 5400, "1h30m" }, { 86400, "24h" }, { -5, "0s" },
	};
	char	 buf[32];
	size_t	 i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rotate_format(f[i].secs, buf, sizeof(buf));
		ck_assert_str_eq(buf, f[i].want);
	}
	/* A short buffer is cut, never overrun. */
	rotate_format(3601, buf, 4);
	ck_assert_str_eq(buf, "1h0");
}
END_TEST

/* What ttp status writes is what --rotate reads back. */
START_TEST(format_parse_round_trip)
{
	char		 buf[32], err[256];
	unsigned	 secs, s;

	for (s = ROTATE_MIN_SECS; s <= ROTATE_MAX_SECS; s += 7) {
		rotate_format(s, buf, sizeof(buf));
		ck_assert_msg(rotate_parse(buf, &secs, err, sizeof(err)) == 0,
		    "%u -> '%s' refused: %s", s, buf, err);
		ck_assert_uint_eq(secs, s);
	}
}
END_TEST

START_TEST(schedule)
{
	/* Started at 1000, every 600 s: ticks at 1600, 2200, ... */
	ck_assert_int_eq(rotate_next_in(1000, 600, 1000), 600);
	ck_assert_int_eq(rotate_next_in(1000, 600, 1001), 599);
	ck_assert_int_eq(rotate_next_in(1000, 600, 1348), 252);
	ck_assert_int_eq(rotate_next_in(1000, 600, 1599), 1);
	ck_assert_int_eq(rotate_next_in(1000, 600, 1600), 600);
	ck_assert_int_eq(rotate_next_in(1000, 600, 1601), 599);
	ck_assert_int_eq(rotate_next_in(1000, 600, 1000 + 600 * 1000 + 17),
	    583);
	/* A wall clock stepped back: still within one period. */
	ck_assert_int_eq(rotate_next_in(1000, 600, 999), 1);
	ck_assert_int_eq(rotate_next_in(1000, 600, 400), 600);
	ck_assert_int_eq(rotate_next_in(1000, 600, 0), 400);
	/* The shortest and longest periods, at today's epoch. */
	ck_assert_int_eq(rotate_next_in(1798000000, 10, 1798000025), 5);
	ck_assert_int_eq(rotate_next_in(1798000000, 86400, 1798000000 +
	    86400 * 3 - 1), 1);
	/* No rotation: nothing to wait for. */
	ck_assert_int_eq(rotate_next_in(1000, 0, 5000), 0);
}
END_TEST

/* The property the code relies on: always 1..period. */
START_TEST(schedule_bounds)
{
	unsigned	 p;
	long		 t, left;

	for (p = ROTATE_MIN_SECS; p <= ROTATE_MAX_SECS; p = p * 3 + 1)
		for (t = -3 * (long)p; t <= 3 * (long)p; t += 1 + p / 50) {
			left = rotate_next_in(1798000000, p, 1798000000 + t);
			ck_assert_int_ge(left, 1);
			ck_assert_int_le(left, p);
			ck_assert_int_eq((t + left) % p, 0);
		}
}
END_TEST

/* Nothing recorded, nothing alive: pid 0 and our own pid (not a rotator). */
START_TEST(rotator_identity)
{
	ck_assert(!rotator_alive(0));
	ck_assert(!rotator_alive(-1));
	ck_assert(!rotator_alive(getpid()));
	rotator_stop(0);
	rotator_stop(getpid());		/* not ours to signal: still here */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rotate");
	TCase	*tc = tcase_create("rotate");

	tcase_add_test(tc, parse_accepts);
	tcase_add_test(tc, parse_refuses);
	tcase_add_test(tc, format_shortest);
	tcase_add_test(tc, format_parse_round_trip);
	tcase_add_test(tc, schedule);
	tcase_add_test(tc, schedule_bounds);
	tcase_add_test(tc, rotator_identity);
	suite_add_tcase(s, tc);
	return check_run(s);
}
