/*
 * runs in: the watchdog's guard (_ttp, no capabilities, seccomp: the walk
 *   makes no syscall) on the socket its monitor opened as root; the
 *   benches and tests/tools/nft_tamper, root.
 *
 * nftables notifications; see nftev.h. libmnl walks the messages and
 * checks their attributes; nothing here allocates.
 */
#include "nftev/nftev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

int
nftev_open(int type_flags)
{
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	int			 fd, grp = NFNLGRP_NFTABLES, e;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | type_flags,
	    NETLINK_NETFILTER);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
gen_attr_cb(const struct nlattr *a, void *data)
{
	uint32_t	*pid = data;

	if (mnl_attr_get_type(a) == NFTA_GEN_PROC_PID &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*pid = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

void
nftev_walk(const void *buf, size_t len, nftev_fn *fn, void *arg)
{
	const struct nlmsghdr	*nlh = buf;
	uint32_t		 pid;
	int			 left = len > INT32_MAX ? INT32_MAX : (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
			continue;
		if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN) {
			fn(nlh, NFTEV_OBJECT, arg);
			continue;
		}
		pid = 0;
		(void)mnl_attr_parse(nlh, sizeof(struct nfgenmsg),
		    gen_attr_cb, &pid);
		fn(nlh, pid, arg);
	}
}
