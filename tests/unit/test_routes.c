/*
 * The routers the LAN bypass excludes (ipc/routes.c): the gateways in
 * /proc/net/route (hex of the kernel's 32-bit word, so 192.168.1.1 reads
 * 0101A8C0 on a little-endian host) and /proc/net/ipv6_route (32 hex
 * digits in order), each distinct unicast gateway once, routes without a
 * gateway ignored, at most TTP_MAX_ROUTERS per family; and one real read
 * in a private network namespace with known routes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/routes.h"
#include "check_run.h"

static FILE *
text(const char *s)
{
	FILE	*fp = fmemopen((void *)s, strlen(s), "r");

	ck_assert_ptr_nonnull(fp);
	return fp;
}

static void
assert_v4(const struct privop_routers *r, int i, const char *want)
{
	char	 s[INET_ADDRSTRLEN];

	ck_assert_ptr_nonnull(inet_ntop(AF_INET, r->v4[i], s, sizeof(s)));
	ck_assert_str_eq(s, want);
}

static void
assert_v6(const struct privop_routers *r, int i, const char *want)
{
	char	 s[INET6_ADDRSTRLEN];

	ck_assert_ptr_nonnull(inet_ntop(AF_INET6, r->v6[i], s, sizeof(s)));
	ck_assert_str_eq(s, want);
}

/* A home router, a second network behind another router, a route
 * without a gateway, a duplicate, a header and a garbage line. */
static const char route4[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
    "\tWindow\tIRTT\n"
    "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    "eth0\t0064A8C0\t0101A8C0\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "wg0\t0000000A\t0100000A\t0003\t0\t0\t0\t000000FF\t0\t0\t0\n"
    "eth1\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"
    "garbage\n";

START_TEST(parse4)
{
	struct privop_routers	 r;
	FILE			*fp = text(route4);

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(routes_parse4(fp, &r), 0);
	fclose(fp);
	ck_assert_uint_eq(r.n_v4, 2);
	ck_assert_uint_eq(r.n_v6, 0);
	/* The hex is the kernel's word in host order: on this (little-
	 * endian) host, 0101A8C0 is 192.168.1.1. */
	if (htonl(1) != 1) {
		assert_v4(&r, 0, "192.168.1.1");
		assert_v4(&r, 1, "10.0.0.1");
	}
}
END_TEST

/* dest plen src plen nexthop metric refcnt use flags dev: a default
 * route via a link-local router, a ULA route via a ULA router, on-link
 * and local routes (no RTF_GATEWAY), a duplicate, a multicast one. */
static const char route6[] =
    "fd770000000000000000000000000000 40 00000000000000000000000000000000 00"
    " 00000000000000000000000000000000 00000100 00000001 00000000 00000001"
    "     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00"
    " fe800000000000000000000000000001 00000400 00000002 00000000 00000003"
    "     eth0\n"
    "fd640000000000000000000000000000 40 00000000000000000000000000000000 00"
    " fd770000000000000000000000000001 00000400 00000001 00000000 00000003"
    "     eth0\n"
    "20010db8000000000000000000000000 20 00000000000000000000000000000000 00"
    " fe800000000000000000000000000001 00000400 00000001 00000000 00000003"
    "     eth0\n"
    "00000000000000000000000000000001 80 00000000000000000000000000000000 00"
    " 00000000000000000000000000000000 00000000 00000002 00000000 80200001"
    "       lo\n"
    "ff000000000000000000000000000000 08 00000000000000000000000000000000 00"
    " ff020000000000000000000000000001 00000100 00000003 00000000 00000003"
    "     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00"
    " 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200"
    "       lo\n";

START_TEST(parse6)
{
	struct privop_routers	 r;
	FILE			*fp = text(route6);

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(routes_parse6(fp, &r), 0);
	fclose(fp);
	ck_assert_uint_eq(r.n_v4, 0);
	ck_assert_uint_eq(r.n_v6, 2);
	assert_v6(&r, 0, "fe80::1");
	assert_v6(&r, 1, "fd77::1");
}
END_TEST

/* More distinct gateways than FW_APPLY can carry: -1, and the first
 * TTP_MAX_ROUTERS kept. */
START_TEST(too_many)
{
	struct privop_routers	 r;
	char			 buf[4096], *p = buf;
	FILE			*fp;
	int			 i;

	for (i = 1; i <= TTP_MAX_ROUTERS + 1; i++)
		p += sprintf(p, "eth0\t%08X\t%02X00000A\t0003\t0\t0\t0\t"
		    "00FFFFFF\t0\t0\t0\n", i, i);
	memset(&r, 0, sizeof(r));
	fp = text(buf);
	ck_assert_int_eq(routes_parse4(fp, &r), -1);
	fclose(fp);
	ck_assert_uint_eq(r.n_v4, TTP_MAX_ROUTERS);
	p = buf;
	for (i = 1; i <= TTP_MAX_ROUTERS + 1; i++)
		p += sprintf(p, "00000000000000000000000000000000 00 "
		    "00000000000000000000000000000000 00 fe8000000000000000000"
		    "000000000%02x 00000400 00000001 00000000 00000003 eth0\n",
		    i);
	fp = text(buf);
	ck_assert_int_eq(routes_parse6(fp, &r), -1);
	fclose(fp);
	ck_assert_uint_eq(r.n_v6, TTP_MAX_ROUTERS);
	/* The same gateway many times is one router. */
	memset(&r, 0, sizeof(r));
	p = buf;
	for (i = 1; i <= 3 * TTP_MAX_ROUTERS; i++)
		p += sprintf(p, "eth0\t%08X\t0101A8C0\t0003\t0\t0\t0\t"
		    "00FFFFFF\t0\t0\t0\n", i);
	fp = text(buf);
	ck_assert_int_eq(routes_parse4(fp, &r), 0);
	fclose(fp);
	ck_assert_uint_eq(r.n_v4, 1);
}
END_TEST

START_TEST(format)
{
	struct privop_routers	 r;
	char			 buf[64];

	memset(&r, 0, sizeof(r));
	routes_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
	memcpy(r.v4[0], (uint8_t[4]){ 192, 168, 1, 1 }, 4);
	memcpy(r.v6[0], (uint8_t[16]){ 0xfe, 0x80, [15] = 1 }, 16);
	r.n_v4 = r.n_v6 = 1;
	routes_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.168.1.1, fe80::1");
	routes_format(&r, buf, 8);
	ck_assert_str_eq(buf, "192.168");
}
END_TEST

/* The real files, in a network namespace of this test's own with no
 * route at all: nothing to exclude, and no error. */
START_TEST(read_empty_netns)
{
	struct privop_routers	 r;

	if (unshare(CLONE_NEWNET) == -1)
		return;		/* not root: parse4/parse6 cover the rest */
	memset(&r, 0xff, sizeof(r));
	ck_assert_int_eq(routes_read(&r), 0);
	ck_assert_uint_eq(r.n_v4, 0);
	ck_assert_uint_eq(r.n_v6, 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("routes");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, parse4);
	tcase_add_test(tc, parse6);
	tcase_add_test(tc, too_many);
	tcase_add_test(tc, format);
	tcase_add_test(tc, read_empty_netns);
	suite_add_tcase(s, tc);
	return check_run(s);
}
