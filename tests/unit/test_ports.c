/*
 * Check tests: TransPort/DNSPort selection (torctl/ports.c). Each test
 * runs in Check's own child process and moves it into a fresh network
 * namespace first (needs root; skipped otherwise), so the ports it binds
 * are nobody else's and the host's are never looked at.
 */
#include <check.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/defaults.h"
#include "tor/ports.h"
#include "check_run.h"

static char	 err[256];

/* A private network namespace with lo up; 0 when not possible. */
static int
private_netns(void)
{
	struct ifreq	 ifr;
	int		 fd;

	if (unshare(CLONE_NEWNET) == -1)
		return 0;
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
	return 1;
}

/* Hold a port as another program would: a TCP listener or a UDP socket. */
static int
occupy(int family, int type, const void *addr, uint16_t port)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct sockaddr_in6	 sin6 = { .sin6_family = AF_INET6 };
	int			 fd;

	ck_assert_int_ge(fd = socket(family, type | SOCK_CLOEXEC, 0), 0);
	if (family == AF_INET) {
		memcpy(&sin.sin_addr, addr, 4);
		sin.sin_port = htons(port);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)), 0);
	} else {
		int one = 1;

		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
		memcpy(&sin6.sin6_addr, addr, 16);
		sin6.sin6_port = htons(port);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin6,
		    sizeof(sin6)), 0);
	}
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

static const uint32_t	 lo4 = 0x0100007f;	/* 127.0.0.1, network order */
static const uint32_t	 any4 = 0;

START_TEST(free_ports_kept)
{
	struct port_choice pc;

	if (!private_netns())
		return;
	ck_assert_int_eq(ports_choose(9041, 9054, 1, &pc, err, sizeof(err)), 0);
	ck_assert_int_eq(pc.trans_port, 9041);
	ck_assert_int_eq(pc.dns_port, 9054);
	ck_assert_int_eq(pc.trans_changed, 0);
	ck_assert_int_eq(pc.dns_changed, 0);
}
END_TEST

START_TEST(taken_transport_moves)
{
	struct port_choice pc;
	int		 fd;

	if (!private_netns())
		return;
	fd = occupy(AF_INET, SOCK_STREAM, &lo4, 9041);
	ck_assert_int_eq(port_is_free(SOCK_STREAM, 9041, 0), 0);
	/* TCP taken says nothing about UDP. */
	ck_assert_int_eq(port_is_free(SOCK_DGRAM, 9041, 0), 1);
	ck_assert_int_eq(ports_choose(9041, 9054, 0, &pc, err, sizeof(err)), 0);
	ck_assert_int_ne(pc.trans_port, 9041);
	ck_assert_int_ge(pc.trans_port, TTP_PORT_RANDOM_MIN);
	ck_assert_int_le(pc.trans_port, TTP_PORT_RANDOM_MAX);
	ck_assert_int_eq(pc.trans_changed, 1);
	ck_assert_int_eq(pc.dns_port, 9054);
	ck_assert_int_eq(pc.dns_changed, 0);
	ck_assert_int_eq(port_is_free(SOCK_STREAM, pc.trans_port, 0), 1);
	close(fd);
	ck_assert_int_eq(port_is_free(SOCK_STREAM, 9041, 0), 1);
}
END_TEST

START_TEST(taken_dns_moves)
{
	struct port_choice pc;
	int		 fd;

	if (!private_netns())
		return;
	/* A wildcard socket holds the loopback port as well. */
	fd = occupy(AF_INET, SOCK_DGRAM, &any4, 9054);
	ck_assert_int_eq(ports_choose(9041, 9054, 0, &pc, err, sizeof(err)), 0);
	ck_assert_int_eq(pc.trans_port, 9041);
	ck_assert_int_ne(pc.dns_port, 9054);
	ck_assert_int_ne(pc.dns_port, pc.trans_port);
	ck_assert_int_eq(pc.dns_changed, 1);
	close(fd);
}
END_TEST

START_TEST(random_choices_differ)
{
	struct port_choice pc;
	uint16_t	 first;
	int		 fd, i, differ = 0;

	if (!private_netns())
		return;
	fd = occupy(AF_INET, SOCK_STREAM, &lo4, 9041);
	ck_assert_int_eq(ports_choose(9041, 9054, 0, &pc, err, sizeof(err)), 0);
	first = pc.trans_port;
	for (i = 0; i < 8 && !differ; i++) {
		ck_assert_int_eq(ports_choose(9041, 9054, 0, &pc, err,
		    sizeof(err)), 0);
		differ = pc.trans_port != first;
	}
	ck_assert_msg(differ, "the same port %u 9 times: not random", first);
	close(fd);
}
END_TEST

START_TEST(ipv6_loopback_counts)
{
	struct port_choice pc;
	int		 fd;

	if (!private_netns())
		return;
	if (port_is_free(SOCK_STREAM, 9041, 1) == -1)
		return;		/* no IPv6 in this kernel */
	fd = occupy(AF_INET6, SOCK_STREAM, &in6addr_loopback, 9041);
	ck_assert_int_eq(port_is_free(SOCK_STREAM, 9041, 0), 1);
	ck_assert_int_eq(port_is_free(SOCK_STREAM, 9041, 1), 0);
	ck_assert_int_eq(ports_choose(9041, 9054, 1, &pc, err, sizeof(err)), 0);
	ck_assert_int_eq(pc.trans_changed, 1);
	ck_assert_int_eq(ports_choose(9041, 9054, 0, &pc, err, sizeof(err)), 0);
	ck_assert_int_eq(pc.trans_changed, 0);
	close(fd);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ports");
	TCase	*tc = tcase_create("choose");

	tcase_add_test(tc, free_ports_kept);
	tcase_add_test(tc, taken_transport_moves);
	tcase_add_test(tc, taken_dns_moves);
	tcase_add_test(tc, random_choices_differ);
	tcase_add_test(tc, ipv6_loopback_counts);
	suite_add_tcase(s, tc);
	return check_run(s);
}
