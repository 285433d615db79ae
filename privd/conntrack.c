/*
 * runs in: ttp-privd, root, 2 capabilities, seccomp.
 *
 * Conntrack flush and the destruction of redirected sockets, the last two
 * steps of a teardown. While the ruleset is loaded, an application's TCP
 * connection to some far address is NATed into Tor's TransPort. Once the
 * rules and the conntrack entry are gone, that application's socket still
 * believes it talks to the far address: its next segment would leave the
 * host in cleartext. SOCK_KILL therefore finds, in the conntrack table,
 * every connection redirected into the TransPort and aborts the
 * application's socket with sock_diag SOCK_DESTROY (what `ss -K` does);
 * CT_FLUSH then empties the table so no NAT or state outlives the rules.
 * Both talk netlink only (libnetfilter_conntrack, libmnl); the peer gives
 * at most a port number.
 */
#include "privd/privd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "common/log.h"

#define SOCK_KILL_MAX	65536	/* sockets destroyed in one request */

static int
count_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	uint32_t	*n = arg;

	(void)type;
	(void)ct;
	(*n)++;
	return NFCT_CB_CONTINUE;
}

/*
 * rep->count is the number of entries a dump saw just before the flush:
 * the kernel does not say how many a flush removed, and one dump is cheap
 * next to the teardown it belongs to. An entry created between the two is
 * flushed but not counted.
 */
void
privd_ct_flush(const struct privop_req *req, struct privop_reply *rep)
{
	struct nfct_handle	*h;
	uint32_t		 n = 0, family = AF_UNSPEC;	/* dump both */

	(void)req;
	if ((h = nfct_open(CONNTRACK, 0)) == NULL) {
		privop_reply_err(rep, errno,
		    "conntrack: cannot open ctnetlink");
		return;
	}
	nfct_callback_register(h, NFCT_T_ALL, count_cb, &n);
	if (nfct_query(h, NFCT_Q_DUMP, &family) == -1) {
		privop_reply_err(rep, errno, "conntrack: dump failed");
		goto out;
	}
	/*
	 * A version 0 flush (NFCT_Q_FLUSH) empties the whole table whatever
	 * the family; asking for each family keeps it complete on a kernel
	 * that would honour it. (NFCT_Q_FLUSH_FILTER changed its argument
	 * after libnetfilter_conntrack 1.0.9, so it is not used.)
	 */
	family = AF_INET;
	if (nfct_query(h, NFCT_Q_FLUSH, &family) == -1) {
		privop_reply_err(rep, errno, "conntrack: IPv4 flush failed");
		goto out;
	}
	family = AF_INET6;
	if (nfct_query(h, NFCT_Q_FLUSH, &family) == -1) {
		privop_reply_err(rep, errno, "conntrack: IPv6 flush failed");
		goto out;
	}
	rep->count = n;
	log_debug("conntrack: flushed (%u entries)", n);
out:
	nfct_close(h);
}

struct kill_ctx {
	struct mnl_socket	*nl;
	unsigned int		 portid, seq;
	uint16_t		 port;		/* TransPort, network order */
	uint32_t		 killed, gone;
	int			 err;		/* first failure */
};

/*
 * Abort the application's end of a redirected connection, whose local
 * address is the ORIGINAL source and remote the ORIGINAL destination: a
 * SOCK_DESTROY request, then its ack.
 */
static int
sock_destroy(struct kill_ctx *k, struct nf_conntrack *ct, uint8_t family,
    const void *src, const void *dst, size_t alen)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2	*r;
	ssize_t			 n;

	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++k->seq;
	/* Zeroed by libmnl: what is not set here is 0. */
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = ~0U;
	r->id.idiag_sport = nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC);
	r->id.idiag_dport = nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST);
	memcpy(r->id.idiag_src, src, alen);
	memcpy(r->id.idiag_dst, dst, alen);
	r->id.idiag_cookie[0] = r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) == -1)
		return -1;
	if ((n = mnl_socket_recvfrom(k->nl, buf, sizeof(buf))) == -1)
		return -1;
	/* An error ack sets errno to the kernel's error. */
	return mnl_cb_run(buf, (size_t)n, k->seq, k->portid, NULL, NULL) ==
	    -1 ? -1 : 0;
}

/*
 * One conntrack entry. It was redirected into the TransPort when its
 * REPLY tuple comes from loopback (127.0.0.1 or ::1, where `redirect`
 * sends locally generated packets) port trans_port while its ORIGINAL
 * destination is some other address or port. The application's socket
 * then has local = ORIGINAL source and remote = ORIGINAL destination.
 */
static int
kill_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct kill_ctx		*k = arg;
	const void		*rsrc, *osrc, *odst, *lo;
	const uint32_t		 lo4 = htonl(INADDR_LOOPBACK);
	uint8_t			 family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	bool			 v6 = family == AF_INET6;
	size_t			 alen = v6 ? 16 : 4;

	(void)type;
	if ((family != AF_INET && !v6) ||
	    nfct_get_attr_u8(ct, ATTR_L4PROTO) != IPPROTO_TCP ||
	    nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC) != k->port)
		return NFCT_CB_CONTINUE;
	rsrc = nfct_get_attr(ct, v6 ? ATTR_REPL_IPV6_SRC : ATTR_REPL_IPV4_SRC);
	osrc = nfct_get_attr(ct, v6 ? ATTR_ORIG_IPV6_SRC : ATTR_ORIG_IPV4_SRC);
	odst = nfct_get_attr(ct, v6 ? ATTR_ORIG_IPV6_DST : ATTR_ORIG_IPV4_DST);
	lo = v6 ? (const void *)&in6addr_loopback : &lo4;
	if (rsrc == NULL || osrc == NULL || odst == NULL ||
	    memcmp(rsrc, lo, alen) != 0)
		return NFCT_CB_CONTINUE;
	/* Not redirected: a direct connection to the TransPort itself. */
	if (memcmp(odst, rsrc, alen) == 0 &&
	    nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST) == k->port)
		return NFCT_CB_CONTINUE;

	if (k->killed >= SOCK_KILL_MAX) {
		k->err = E2BIG;
		return NFCT_CB_STOP;
	}
	if (sock_destroy(k, ct, family, osrc, odst, alen) == 0)
		k->killed++;
	else if (errno == ENOENT)
		k->gone++;	/* closed already, or not a local socket */
	else if (k->err == 0)
		k->err = errno;	/* keep going: abort every other one */
	return NFCT_CB_CONTINUE;
}

void
privd_sock_kill(const struct privop_req *req, struct privop_reply *rep)
{
	struct kill_ctx		 k;
	struct nfct_handle	*h;
	uint32_t		 family = AF_UNSPEC;	/* both families */

	/* Re-check what the validator checked: port 0 would match nothing
	 * sensible. */
	if (req->u.sock_kill.trans_port == 0) {
		privop_reply_err(rep, EINVAL, "sock_kill: TransPort 0");
		return;
	}
	memset(&k, 0, sizeof(k));
	k.port = htons(req->u.sock_kill.trans_port);
	if ((k.nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL ||
	    mnl_socket_bind(k.nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		privop_reply_err(rep, errno,
		    "sock_kill: cannot open sock_diag");
		goto out;
	}
	k.portid = mnl_socket_get_portid(k.nl);
	if ((h = nfct_open(CONNTRACK, 0)) == NULL) {
		privop_reply_err(rep, errno,
		    "sock_kill: cannot open ctnetlink");
		goto out;
	}
	nfct_callback_register(h, NFCT_T_ALL, kill_cb, &k);
	if (nfct_query(h, NFCT_Q_DUMP, &family) == -1 && k.err == 0)
		k.err = errno;
	nfct_close(h);

	rep->count = k.killed;
	if (k.err == E2BIG)
		privop_reply_err(rep, E2BIG, "sock_kill: more than %d "
		    "redirected sockets; run it again", SOCK_KILL_MAX);
	else if (k.err != 0)
		privop_reply_err(rep, k.err, "sock_kill: SOCK_DESTROY "
		    "failed for some sockets redirected to port %u",
		    req->u.sock_kill.trans_port);
	else
		log_debug("sock_kill: %u socket(s) redirected to port %u "
		    "destroyed, %u already gone", k.killed,
		    req->u.sock_kill.trans_port, k.gone);
out:
	if (k.nl != NULL)
		mnl_socket_close(k.nl);
}
