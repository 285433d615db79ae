/*
 * nftables notifications (nftev/nftev.c) and the watchdog's reading of
 * them (wd_nft_read, watchdog/events.c), on datagrams built here: what
 * the kernel sends for a transaction, one message per object it changed,
 * then NFT_MSG_NEWGEN with the committing pid. The readers take them from
 * a datagram socketpair as they would from the netlink socket.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftev/nftev.h"
#include "watchdog/watchdog.h"
#include "check_run.h"

static char	 dgram[8192];
static size_t	 dlen;

/* Append one nftables message to the datagram being built. */
static struct nlmsghdr *
put(int type, uint8_t family)
{
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(dgram + dlen);
	struct nfgenmsg	*g;

	nlh->nlmsg_type = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | type);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	return nlh;
}

static void
done(struct nlmsghdr *nlh)
{
	dlen += NLMSG_ALIGN(nlh->nlmsg_len);
	ck_assert_uint_le(dlen, sizeof(dgram) - 512);
}

/* NEWTABLE/NEWRULE/... of `table` in `family`. */
static void
object(int type, uint8_t family, const char *table)
{
	struct nlmsghdr	*nlh = put(type, family);

	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	done(nlh);
}

/* The end of a transaction; pid 0: without NFTA_GEN_PROC_PID. */
static void
newgen(uint32_t pid)
{
	struct nlmsghdr	*nlh = put(NFT_MSG_NEWGEN, AF_UNSPEC);

	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(7));
	if (pid != 0)
		mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
	done(nlh);
}

/* A message of another netfilter subsystem: never reported. */
static void
other_subsys(void)
{
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(dgram + dlen);

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | 0;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	done(nlh);
}

static struct {
	int64_t	 pid[16];
	int	 n;
} seen;

static void
record(const struct nlmsghdr *nlh, int64_t pid, void *arg)
{
	ck_assert_ptr_eq(arg, &seen);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_int_lt(seen.n, 16);
	seen.pid[seen.n++] = pid;
}

START_TEST(walk_reports_objects_and_commits)
{
	dlen = 0;
	memset(&seen, 0, sizeof(seen));
	object(NFT_MSG_NEWTABLE, NFPROTO_INET, "ttp");
	other_subsys();
	object(NFT_MSG_DELRULE, NFPROTO_INET, "ttp");
	newgen(4242);
	newgen(0);
	nftev_walk(dgram, dlen, record, &seen);
	ck_assert_int_eq(seen.n, 4);
	ck_assert_int_eq(seen.pid[0], NFTEV_OBJECT);
	ck_assert_int_eq(seen.pid[1], NFTEV_OBJECT);
	ck_assert_int_eq(seen.pid[2], 4242);
	ck_assert_int_eq(seen.pid[3], 0);
}
END_TEST

/* A truncated last message is not walked into. */
START_TEST(walk_stops_at_a_short_message)
{
	dlen = 0;
	memset(&seen, 0, sizeof(seen));
	newgen(1);
	newgen(2);
	nftev_walk(dgram, dlen - 4, record, &seen);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_int_eq(seen.pid[0], 1);
	seen.n = 0;
	nftev_walk(dgram, 0, record, &seen);
	ck_assert_int_eq(seen.n, 0);
}
END_TEST

/* What wd_nft_read makes of the datagram built so far, sent as one. */
static int
read_as_guard(pid_t self, int32_t *by)
{
	int	 sv[2], r;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(send(sv[0], dgram, dlen, 0), (ssize_t)dlen);
	*by = 0;
	r = wd_nft_read(sv[1], self, by);
	close(sv[0]);
	close(sv[1]);
	return r;
}

START_TEST(guard_reads_transactions)
{
	int32_t	 by;

	/* Another process changed inet ttp: tampering, and by whom. */
	dlen = 0;
	object(NFT_MSG_DELTABLE, NFPROTO_INET, "ttp");
	newgen(4242);
	ck_assert_int_eq(read_as_guard(100, &by), WD_EV_NFT);
	ck_assert_int_eq(by, 4242);
	ck_assert(!wd_nft_pending());

	/* The guard's own privd did it: nothing. */
	ck_assert_int_eq(read_as_guard(4242, &by), 0);
	ck_assert_int_eq(by, 0);

	/* Another table, or inet ttp's namesake in another family. */
	dlen = 0;
	object(NFT_MSG_NEWRULE, NFPROTO_INET, "filter");
	object(NFT_MSG_NEWRULE, NFPROTO_IPV4, "ttp");
	newgen(4242);
	ck_assert_int_eq(read_as_guard(100, &by), 0);

	/* inet ttp changed, but the commit does not say by whom. */
	dlen = 0;
	object(NFT_MSG_NEWCHAIN, NFPROTO_INET, "ttp");
	newgen(0);
	ck_assert_int_eq(read_as_guard(100, &by), WD_EV_NFT_UNKNOWN);
	ck_assert_int_eq(by, 0);

	/* Tampering beats an unknown origin in the same read. */
	dlen = 0;
	object(NFT_MSG_NEWCHAIN, NFPROTO_INET, "ttp");
	newgen(0);
	object(NFT_MSG_DELRULE, NFPROTO_INET, "ttp");
	newgen(777);
	ck_assert_int_eq(read_as_guard(100, &by), WD_EV_NFT);
	ck_assert_int_eq(by, 777);

	/* A transaction whose NEWGEN has not come yet stays pending. */
	dlen = 0;
	object(NFT_MSG_DELRULE, NFPROTO_INET, "ttp");
	ck_assert_int_eq(read_as_guard(100, &by), 0);
	ck_assert(wd_nft_pending());
	dlen = 0;
	newgen(555);
	ck_assert_int_eq(read_as_guard(100, &by), WD_EV_NFT);
	ck_assert_int_eq(by, 555);
	ck_assert(!wd_nft_pending());
	wd_nft_forget();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("nftev");
	TCase	*tc = tcase_create("notifications");

	tcase_add_test(tc, walk_reports_objects_and_commits);
	tcase_add_test(tc, walk_stops_at_a_short_message);
	tcase_add_test(tc, guard_reads_transactions);
	suite_add_tcase(s, tc);
	return check_run(s);
}
