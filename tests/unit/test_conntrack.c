/*
 * Unit tests of privd's conntrack flush and redirected-socket destruction
 * (privd/conntrack.c), through the handlers themselves. Every test runs in
 * a forked child (Check's default) that first enters a new network
 * namespace with only lo: the tables, connections and flushes never reach
 * the host's. A small nftables table (loaded with libnftables) makes
 * conntrack track that namespace and redirects two test addresses on lo
 * into a TransPort stand-in, the way the session ruleset does. Needs root.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <nftables/libnftables.h>

#include "common/log.h"
#include "privd/privd.h"
#include "check_run.h"

#define TRANS_PORT	9041
#define FAR4		"198.18.0.1"	/* on lo, redirected */
#define FAR6		"2001:db8::1"	/* on lo, redirected */

static const char ruleset[] =
    "table inet ttpsys_test {\n"
    "  chain out {\n"
    "    type filter hook output priority 0;\n"
    "    ct state new counter\n"
    "  }\n"
    "  chain nat_out {\n"
    "    type nat hook output priority -100;\n"
    "    ip daddr " FAR4 " meta l4proto tcp redirect to :9041\n"
    "    ip6 daddr " FAR6 " meta l4proto tcp redirect to :9041\n"
    "  }\n"
    "}\n";

/* In the child: a network namespace of our own, or stop right here. */
static void
setup(void)
{
	struct nft_ctx	*nft;

	ck_assert_int_eq(geteuid(), 0);
	if (unshare(CLONE_NEWNET) == -1)
		ck_abort_msg("network namespace: %s", strerror(errno));
	ck_assert_int_eq(system("ip link set lo up && "
	    "ip addr add " FAR4 "/32 dev lo && "
	    "ip addr add " FAR6 "/128 dev lo nodad"), 0);
	ck_assert_ptr_nonnull(nft = nft_ctx_new(NFT_CTX_DEFAULT));
	ck_assert_int_eq(nft_run_cmd_from_buffer(nft, ruleset), 0);
	nft_ctx_free(nft);
}

static int
count_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	(void)type;
	(void)ct;
	(*(int *)arg)++;
	return NFCT_CB_CONTINUE;
}

static int
ct_entries(void)
{
	struct nfct_handle	*h = nfct_open(CONNTRACK, 0);
	uint32_t		 family = AF_UNSPEC;
	int			 n = 0;

	ck_assert_ptr_nonnull(h);
	nfct_callback_register(h, NFCT_T_ALL, count_cb, &n);
	ck_assert_int_eq(nfct_query(h, NFCT_Q_DUMP, &family), 0);
	nfct_close(h);
	return n;
}

static void
sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	}
}

static int
tcp_listen(const char *addr, int port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, on = 1;

	sockaddr_of(addr, port, &ss, &len);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

/* Connect to addr:port, accept on lfd, exchange a byte each way. */
static int
tcp_pair(const char *addr, int port, int lfd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 c;
	int			 fd, afd;

	sockaddr_of(addr, port, &ss, &len);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&ss, len), 0);
	afd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(afd, 0);
	ck_assert_int_eq(write(fd, "q", 1), 1);
	ck_assert_int_eq(read(afd, &c, 1), 1);
	ck_assert_int_eq(write(afd, "r", 1), 1);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	return fd;
}

static struct privop_reply
run_op(enum privop op, uint16_t port)
{
	struct privop_req	 req;
	struct privop_reply	 rep;

	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	req.op = op;
	if (op == PRIVOP_CT_FLUSH)
		privd_ct_flush(&req, &rep);
	else {
		req.u.sock_kill.trans_port = port;
		privd_sock_kill(&req, &rep);
	}
	ck_assert_msg(rep.err == 0, "%s", rep.msg);
	return rep;
}

/* Sending on fd fails as on an aborted socket. */
static void
assert_aborted(int fd)
{
	ck_assert_int_eq(send(fd, "x", 1, MSG_NOSIGNAL), -1);
	ck_assert_msg(errno == ECONNABORTED || errno == EPIPE ||
	    errno == ECONNRESET, "send: %s", strerror(errno));
}

START_TEST(flush_empties_both_families)
{
	struct privop_reply	 rep;
	int			 l4, l6;

	l4 = tcp_listen("127.0.0.1", 8080);
	l6 = tcp_listen("::1", 8080);
	(void)tcp_pair("127.0.0.1", 8080, l4);
	(void)tcp_pair("::1", 8080, l6);
	ck_assert_int_ge(ct_entries(), 2);
	rep = run_op(PRIVOP_CT_FLUSH, 0);
	ck_assert_uint_ge(rep.count, 2);
	ck_assert_int_eq(ct_entries(), 0);
}
END_TEST

START_TEST(flush_empty_table)
{
	struct privop_reply	 rep;

	rep = run_op(PRIVOP_CT_FLUSH, 0);
	ck_assert_uint_eq(rep.count, 0);
	ck_assert_int_eq(ct_entries(), 0);
}
END_TEST

/*
 * Redirected connections (IPv4, IPv6, IPv4 from an IPv6 socket) are
 * destroyed; a direct connection to the TransPort and one to another port
 * are left alone.
 */
START_TEST(sock_kill_redirected_only)
{
	struct privop_reply	 rep;
	int			 l4, l6, lo, a, b, c, d, e;

	l4 = tcp_listen("127.0.0.1", TRANS_PORT);
	l6 = tcp_listen("::1", TRANS_PORT);
	lo = tcp_listen("127.0.0.1", 8080);
	a = tcp_pair(FAR4, 80, l4);		/* redirected */
	b = tcp_pair(FAR6, 443, l6);		/* redirected */
	e = tcp_pair("::ffff:" FAR4, 22, l4);	/* redirected, v4-mapped */
	c = tcp_pair("127.0.0.1", TRANS_PORT, l4);	/* direct */
	d = tcp_pair("127.0.0.1", 8080, lo);	/* unrelated */
	rep = run_op(PRIVOP_SOCK_KILL, TRANS_PORT);
	ck_assert_uint_eq(rep.count, 3);
	assert_aborted(a);
	assert_aborted(b);
	assert_aborted(e);
	ck_assert_int_eq(send(c, "x", 1, MSG_NOSIGNAL), 1);
	ck_assert_int_eq(send(d, "x", 1, MSG_NOSIGNAL), 1);
	/* A second run finds nothing more to destroy. */
	rep = run_op(PRIVOP_SOCK_KILL, TRANS_PORT);
	ck_assert_uint_eq(rep.count, 0);
}
END_TEST

START_TEST(sock_kill_other_port)
{
	struct privop_reply	 rep;
	int			 l4, a;

	l4 = tcp_listen("127.0.0.1", TRANS_PORT);
	a = tcp_pair(FAR4, 80, l4);
	rep = run_op(PRIVOP_SOCK_KILL, TRANS_PORT + 1);
	ck_assert_uint_eq(rep.count, 0);
	ck_assert_int_eq(send(a, "x", 1, MSG_NOSIGNAL), 1);
}
END_TEST

/* The application closed its socket and it is gone: not an error. */
START_TEST(sock_kill_gone)
{
	struct privop_reply	 rep;
	struct linger		 lg = { 1, 0 };
	int			 l4, a;

	l4 = tcp_listen("127.0.0.1", TRANS_PORT);
	a = tcp_pair(FAR4, 80, l4);
	/* Linger 0: close sends a RST and frees the socket at once. */
	ck_assert_int_eq(setsockopt(a, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	close(a);
	rep = run_op(PRIVOP_SOCK_KILL, TRANS_PORT);
	ck_assert_uint_eq(rep.count, 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conntrack");
	TCase	*tc = tcase_create("netns");

	log_init("test_conntrack", LOG_FORMAT_TEXT, 0);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, flush_empties_both_families);
	tcase_add_test(tc, flush_empty_table);
	tcase_add_test(tc, sock_kill_redirected_only);
	tcase_add_test(tc, sock_kill_other_port);
	tcase_add_test(tc, sock_kill_gone);
	suite_add_tcase(s, tc);
	return check_run(s);
}
