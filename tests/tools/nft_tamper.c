/*
 * nft_tamper: tamper with nftables and time the answer, for the watchdog
 * tests (tests/netns/test_watchdog.sh). Run inside the test's network
 * namespace. It subscribes to nftables notifications, runs one nft
 * command through libnftables (one transaction), then waits for
 * transactions committed by other processes (the watchdog's privd):
 *
 *   nft_tamper [-a ANSWERS] [-t MS] 'delete table inet ttp'
 *
 * prints "tamper SEC.USEC" (CLOCK_REALTIME, as tcpdump -tt stamps
 * packets, right after the commit returned) and one "answer SEC.USEC PID
 * +MS" line per answer. Exit 0 when ANSWERS (default 1) came within MS
 * (default 2000) milliseconds, 1 when not, 2 on a usage or nft error.
 * With -a 0 it only tampers.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>

static double
now_real(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
gen_cb(const struct nlattr *a, void *data)
{
	uint32_t	*pid = data;

	if (mnl_attr_get_type(a) == NFTA_GEN_PROC_PID &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*pid = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

int
main(int argc, char *argv[])
{
	static char		 buf[64 * 1024];
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	struct pollfd		 p;
	const struct nlmsghdr	*nlh;
	struct nft_ctx		*nft;
	double			 t0, end, t;
	uint32_t		 pid;
	int			 ch, want = 1, ms = 2000, got = 0, fd, grp, len;

	while ((ch = getopt(argc, argv, "a:t:")) != -1) {
		if (ch == 'a')
			want = atoi(optarg);
		else if (ch == 't')
			ms = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || want < 0 || ms < 1) {
		fprintf(stderr, "usage: nft_tamper [-a N] [-t MS] COMMAND\n");
		return 2;
	}
	grp = NFNLGRP_NFTABLES;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == -1) {
		perror("nft_tamper: nftables notifications");
		return 2;
	}
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return 2;
	if (nft_run_cmd_from_buffer(nft, argv[optind]) != 0)
		return 2;
	t0 = now_real();
	printf("tamper %.6f\n", t0);
	fflush(stdout);
	end = t0 + ms / 1e3;
	p.fd = fd;
	p.events = POLLIN;
	while (got < want && (t = now_real()) < end) {
		ssize_t	 n;

		if (poll(&p, 1, (int)((end - t) * 1e3) + 1) != 1 ||
		    (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) <= 0)
			continue;
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			if (NFNL_SUBSYS_ID(nlh->nlmsg_type) !=
			    NFNL_SUBSYS_NFTABLES ||
			    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN)
				continue;
			pid = 0;
			(void)mnl_attr_parse(nlh, sizeof(struct nfgenmsg),
			    gen_cb, &pid);
			if (pid == 0 || (pid_t)pid == getpid() || got >= want)
				continue;
			t = now_real();
			printf("answer %.6f %u +%.2f\n", t, pid, (t - t0) * 1e3);
			got++;
		}
	}
	nft_ctx_free(nft);
	return got == want ? 0 : 1;
}
