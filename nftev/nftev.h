/*
 * nftables change notifications: a NETLINK_NETFILTER socket in group
 * NFNLGRP_NFTABLES hears every transaction committed in its network
 * namespace, as one message per object the transaction changed (table,
 * chain, rule, set, ...) and then NFT_MSG_NEWGEN, which ends it and
 * carries the pid of the process that committed it (NFTA_GEN_PROC_PID).
 * What the watchdog makes of them is in docs/watchdog.md.
 */
#ifndef TTP_NFTEV_H
#define TTP_NFTEV_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/*
 * A socket subscribed to the notifications (joining the group needs
 * CAP_NET_ADMIN; the subscription outlives it). type_flags are or-ed
 * into the socket type (SOCK_NONBLOCK); the socket is close-on-exec.
 * Returns -1 with errno set.
 */
int	nftev_open(int type_flags);

/* The commit_pid of a message about one object, not a NEWGEN. */
#define NFTEV_OBJECT	(-1)
/*
 * Walk one datagram read from that socket: fn(nlh, commit_pid, arg) for
 * each nftables message in it, in order. commit_pid is NFTEV_OBJECT for
 * an object's message; for NFT_MSG_NEWGEN it is the committing process's
 * pid, or 0 when the message does not say. Makes no syscall.
 */
typedef void	nftev_fn(const struct nlmsghdr *nlh, int64_t commit_pid,
		    void *arg);
void	nftev_walk(const void *buf, size_t len, nftev_fn *fn, void *arg);

#endif
