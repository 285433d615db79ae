/*
 * runs in: ttp-privd (root, 2 capabilities, seccomp) and `ttp rules` (any
 *   user).
 *
 * The rulesets of table inet ttp, rendered as nft text from the built-in
 * template below and validated values only: nothing a peer sends can
 * become rule text except decimal uids, gids and ports, and addresses
 * formatted by inet_ntop(). Each rendering is
 * one buffer that replaces the table atomically on nftables 1.0.6, which
 * has no `destroy`: `table inet ttp {}` makes sure a table exists, `delete
 * table inet ttp` removes it, and the new table follows, all in one
 * transaction, so there is never a moment without rules. The same code
 * serves ttp-privd and `ttp rules`, so what an auditor reads is what root
 * loads. The chains and their order are explained in docs/ruleset.md; the
 * comments below say why each rule sits where it does.
 */
#include "privd/privd.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A line of the template is rendered only in a ruleset that has every
 * property named by its own `when` and by its block's (0: no condition).
 */
#define SESSION		0x01	/* the session ruleset */
#define LOCKDOWN	0x02	/* the lockdown ruleset */
#define IP6		0x04	/* session, IPv6 redirected */
#define NOIP6		0x08	/* session, IPv6 dropped */
#define LAN		0x10	/* session with the LAN bypass */
#define ROOT		0x20	/* session with allow-root */
#define NAT		0x40	/* table inet ttp, not the anchor */
#define ANCHOR		0x80	/* the anchor */
#define GW		0x100	/* session with gateway interfaces */
#define ISO		0x200	/* session with --isolate-users */
/* Blocks only some sessions have: ruleset_classify() does not require
 * them, but counts them when they are there. */
#define OPTIONAL	(GW | ISO)

/* What a line is: a plain line, a rule whose %s stands for integers (a
 * rule on an empty list of bypass ids is left out), a set's elements
 * line whose %s stands for the routers of one family (left out when
 * there are none), or the start of a set or a chain. */
enum arg { NONE, TOR, DNS, TRANS, UIDS, GIDS, ROUTERS4, ROUTERS6, BLOCK,
	/* Gateway lines: %i stands for the set of gateway interfaces, %s
	 * for the gateway TransPort (GWT) or DNSPort (GWD); GWI has no
	 * port. ISOT/ISOD: the elements of the isolation maps. */
	GWI, GWT, GWD, ISOT, ISOD,
	/* The uid . port pairs of the isolation ports, and the rule that
	 * keeps each uid off the others' ports. */
	ISOOWN, ISOREJ };

/* Continues a long line inside a set, indented as nft itself would. */
#define MORE	"\n\t\t\t     "

/*
 * The template: sets and chains in order, each followed by its lines. A
 * block left out (the sets and the session's nat chains in lockdown)
 * takes its lines with it.
 */
static const struct rule {
	int		 when;
	enum arg	 arg;
	const char	*text;
} template[] = {
	/* Well-known DoH resolvers (Cloudflare, Google, Quad9, OpenDNS,
	 * AdGuard) and the LAN ranges of the bypass, in address order. */
	{ SESSION, BLOCK, "set doh_v4" },
	{ 0,	NONE,	"type ipv4_addr" },
	{ 0,	NONE,
	    "elements = { 1.0.0.1, 1.1.1.1, 8.8.4.4, 8.8.8.8, 9.9.9.9,"
	    MORE "94.140.14.14, 94.140.15.15, 149.112.112.112,"
	    MORE "208.67.220.220, 208.67.222.222 }" },
	{ SESSION, BLOCK, "set doh_v6" },
	{ 0,	NONE,	"type ipv6_addr" },
	{ 0,	NONE,
	    "elements = { 2001:4860:4860::8844, 2001:4860:4860::8888,"
	    MORE "2606:4700:4700::1001, 2606:4700:4700::1111,"
	    MORE "2620:fe::9, 2620:fe::fe,"
	    MORE "2620:119:35::35, 2620:119:53::53,"
	    MORE "2a10:50c0::ad1:ff, 2a10:50c0::ad2:ff }" },
	{ SESSION, BLOCK, "set lan_v4" },
	{ 0,	NONE,	"type ipv4_addr" },
	{ 0,	NONE,	"flags interval" },
	{ 0,	NONE,
	    "elements = { 10.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12,"
	    MORE "192.168.0.0/16 }" },
	{ SESSION, BLOCK, "set lan_v6" },
	{ 0,	NONE,	"type ipv6_addr" },
	{ 0,	NONE,	"flags interval" },
	{ 0,	NONE,	"elements = { fc00::/7, fe80::/10 }" },
	/* The gateways of the host's routes, which the LAN bypass must not
	 * reach (filter_out); empty with --lan-allow-router. */
	{ SESSION, BLOCK, "set routers_v4" },
	{ 0,	NONE,	"type ipv4_addr" },
	{ 0,	ROUTERS4, "elements = { %s }" },
	{ SESSION, BLOCK, "set routers_v6" },
	{ 0,	NONE,	"type ipv6_addr" },
	{ 0,	ROUTERS6, "elements = { %s }" },

	/* --isolate-users: each uid's TransPort and DNSPort; a uid not in
	 * the maps misses the lookup, and the rule after the one that looks
	 * it up sends it to the pair of the other uids. */
	{ ISO | NAT, BLOCK, "map iso_trans" },
	{ 0,	NONE,	"type uid : inet_service" },
	{ 0,	ISOT,	"elements = { %s }" },
	{ ISO | NAT, BLOCK, "map iso_dns" },
	{ 0,	NONE,	"type uid : inet_service" },
	{ 0,	ISOD,	"elements = { %s }" },
	/* Which uid may send to which of those ports (filter_out). */
	{ ISO,	BLOCK,	"set iso_own" },
	{ 0,	NONE,	"type uid . inet_service" },
	{ 0,	ISOOWN,	"elements = { %s }" },

	/*
	 * Gateway mode, before anything else sees a packet from a gateway
	 * interface (priority mangle, -150, ahead of dstnat): a source
	 * address that would not be routed back out of the interface it
	 * came in on (strict reverse path: only the interface's own subnets
	 * and what is routed through it) is spoofed and dropped, and so is
	 * all of its IPv6 when IPv6 is not carried (docs/gateway.md).
	 */
	{ GW,	BLOCK,	"chain gw_pre" },
	{ 0,	NONE,	"type filter hook prerouting priority mangle; "
			"policy accept;" },
	{ NOIP6, GWI,	"iifname %i meta nfproto ipv6 drop" },
	{ 0,	GWI,	"iifname %i fib saddr . iif oif missing "
			"counter drop" },

	/*
	 * nat prerouting: what the hosts behind a gateway interface send
	 * goes to tor's ports for them: DNS (udp 53) to the gateway
	 * DNSPort, every TCP connection (DNS over TCP included) to the
	 * gateway TransPort. Nothing else is translated: it is either
	 * forwarded (filter_fwd drops it) or for this host (filter_in drops
	 * it). Without a gateway the chain is empty.
	 */
	{ SESSION | NAT, BLOCK, "chain prerouting" },
	{ 0,	NONE,	"type nat hook prerouting priority dstnat; "
			"policy accept;" },
	{ GW | IP6, GWD, "iifname %i udp dport 53 redirect to :%s" },
	{ GW | NOIP6, GWD, "iifname %i meta nfproto ipv4 udp dport 53 "
			"redirect to :%s" },
	{ GW | IP6, GWT, "iifname %i meta l4proto tcp redirect to :%s" },
	{ GW | NOIP6, GWT, "iifname %i meta nfproto ipv4 meta l4proto tcp "
			"redirect to :%s" },

	/*
	 * nat output: what goes to Tor. Order matters: tor itself first (no
	 * loop); DNS to ANY address and Tor's virtual ranges before anything
	 * can return, so neither loopback, an exempt id nor the LAN bypass
	 * ever carries them; then what stays untouched; TCP last.
	 */
	{ SESSION | NAT, BLOCK, "chain output" },
	{ 0,	NONE,	"type nat hook output priority -100; policy accept;" },
	{ 0,	TOR,	"meta skuid %s return" },
	{ IP6,	DNS,	"udp dport 53 redirect to :%s" },
	{ NOIP6, DNS,	"meta nfproto ipv4 udp dport 53 redirect to :%s" },
	{ 0,	TRANS,	"ip daddr " TTP_VIRT_NET4 " meta l4proto tcp "
			"redirect to :%s" },
	{ IP6,	TRANS,	"ip6 daddr " TTP_VIRT_NET6 " meta l4proto tcp "
			"redirect to :%s" },
	{ 0,	NONE,	"oifname \"lo\" return" },
	{ 0,	NONE,	"ip daddr 127.0.0.0/8 return" },
	{ 0,	NONE,	"ip6 daddr ::1 return" },
	/* DNS over TCP too, before the exempt ids and the LAN can return:
	 * into Tor, like every other TCP connection. */
	{ IP6,	TRANS,	"tcp dport 53 redirect to :%s" },
	{ NOIP6, TRANS,	"meta nfproto ipv4 tcp dport 53 redirect to :%s" },
	{ 0,	UIDS,	"meta skuid { %s } return" },
	{ 0,	GIDS,	"meta skgid { %s } return" },
	{ ROOT,	NONE,	"meta skuid 0 return" },
	/* DoT and DoH are left unredirected so filter_out rejects them:
	 * the application falls back to plain DNS, which Tor answers. */
	{ 0,	NONE,	"tcp dport 853 return" },
	{ 0,	NONE,	"ip daddr @doh_v4 tcp dport 443 return" },
	{ IP6,	NONE,	"ip6 daddr @doh_v6 tcp dport 443 return" },
	{ LAN,	NONE,	"ip daddr @lan_v4 return" },
	{ LAN | IP6, NONE, "ip6 daddr @lan_v6 return" },
	{ IP6,	TRANS,	"meta l4proto tcp redirect to :%s" },
	{ NOIP6, TRANS,	"meta nfproto ipv4 meta l4proto tcp redirect to :%s" },

	/*
	 * Lockdown keeps an empty nat chain: the kernel translates packets of
	 * connections that already exist only while a nat chain of the
	 * family is registered. Without one, connections redirected into
	 * Tor lose their translation during teardown: the application's ACKs
	 * head for the real destination (and are dropped), tor's side keeps
	 * retransmitting its FIN, and once the rules are gone the kernel
	 * answers those with RSTs to ::1 that left by the real interface
	 * (found by the lab's end-to-end test). It redirects nothing: a new
	 * connection is only dropped by filter_out.
	 */
	{ LOCKDOWN | NAT, BLOCK, "chain output" },
	{ 0,	NONE,	"type nat hook output priority -100; policy accept;" },

	/*
	 * filter output: the kill switch. Loopback, the tor uid and the
	 * ICMPv6 the kernel sends on its own account come first in both
	 * rulesets. A packet redirected by the nat chain has daddr 127.0.0.1
	 * or ::1 but keeps its original oifname, so loopback is accepted by
	 * address as well as by interface. Neighbour discovery and MLD
	 * reports are sent by the kernel with no owning socket; without them
	 * IPv6 stops working even for tor. The same types from a socket (a
	 * raw socket's, whoever owns it) are dropped first: `meta skuid`
	 * matches every packet that has an owning socket and none that has
	 * not. Only link-local scope is accepted: the hop limits RFC 4861 and
	 * RFC 3810 require, and MLD reports to link-scope groups (ff02::/16).
	 */
	/*
	 * The anchor's one nat chain, empty, for the same reason: should
	 * table inet ttp go (`nft flush ruleset`), connections already
	 * redirected into Tor keep their translation and carry on through
	 * Tor, instead of sending to their real destination (dropped) while
	 * tor's side of them lingers. It redirects nothing new.
	 */
	{ ANCHOR, BLOCK, "chain output" },
	{ 0,	NONE,	"type nat hook output priority -100; policy accept;" },

	{ 0,	BLOCK,	"chain filter_out" },
	{ 0,	NONE,	"type filter hook output priority 0; policy drop;" },
	{ 0,	NONE,	"ct state invalid drop" },
	/* --isolate-users: a uid's own TransPort and DNSPort are for it
	 * alone, redirected or not: another uid sending there (a DNS query
	 * to it over loopback) would ride its circuits and could learn its
	 * exit. Before the loopback accepts; only loopback destinations
	 * (where tor listens; the LAN and exempt users keep every port) and
	 * only what opens a connection or sends a query (tor's answers are
	 * replies); the last pair, the other uids', is open to all. */
	{ ISO,	ISOREJ,	"ct direction original ip daddr 127.0.0.0/8 meta l4proto "
			"{ tcp, udp } th dport %s meta skuid . th dport != "
			"@iso_own counter reject" },
	{ ISO | IP6, ISOREJ, "ct direction original ip6 daddr ::1 meta l4proto "
			"{ tcp, udp } th dport %s meta skuid . th dport != "
			"@iso_own counter reject" },
	{ 0,	NONE,	"oifname \"lo\" accept" },
	{ 0,	NONE,	"ip daddr 127.0.0.0/8 accept" },
	{ 0,	NONE,	"ip6 daddr ::1 accept" },
	{ 0,	TOR,	"meta skuid %s accept" },
	{ 0,	NONE,	"icmpv6 type { mld-listener-report, nd-router-solicit, "
			"nd-neighbor-solicit, nd-neighbor-advert, "
			"mld2-listener-report } meta skuid 0-4294967295 drop" },
	{ 0,	NONE,	"icmpv6 type { nd-router-solicit, nd-neighbor-solicit, "
			"nd-neighbor-advert } ip6 hoplimit 255 accept" },
	{ 0,	NONE,	"icmpv6 type { mld-listener-report, "
			"mld2-listener-report } ip6 hoplimit 1 ip6 daddr ff02::/16 "
			"accept" },
	/*
	 * Session: exempt ids next; DoT/DoH rejected before the LAN accept
	 * so a LAN resolver cannot be used either; the LAN bypass never
	 * carries name resolution (DNS, NetBIOS, mDNS, LLMNR) nor reaches a
	 * service that tells a redirected user the host's public address:
	 * SSDP/UPnP discovery (udp 1900), WS-Discovery (3702), NAT-PMP and
	 * PCP (5350, 5351), cloud metadata (169.254.169.254, fd00:ec2::254;
	 * both inside the LAN sets), and the routers: a LAN packet whose
	 * next hop is a gateway of the host's routes is either for the
	 * router itself (its web pages, its UPnP control URL) or for a
	 * private network behind it (an ISP modem), and both can show the
	 * public address. `rt ip nexthop` is the gateway of a routed
	 * destination and the destination itself for an on-link one, so
	 * on-link LAN hosts stay reachable (docs/killswitch.md). Such
	 * packets are not redirected into Tor either: nat output returns
	 * every LAN destination before its TCP redirect, since no exit
	 * reaches a private address (a redirected connection would only
	 * fail slowly, after a circuit); here they are refused at once.
	 * The rest is rejected, so applications fail fast instead of
	 * hanging.
	 */
	{ SESSION, UIDS, "meta skuid { %s } accept" },
	{ SESSION, GIDS, "meta skgid { %s } accept" },
	{ ROOT,	NONE,	"meta skuid 0 accept" },
	{ SESSION, NONE, "tcp dport 853 reject with tcp reset" },
	{ SESSION, NONE, "ip daddr @doh_v4 tcp dport 443 "
			"reject with tcp reset" },
	{ IP6,	NONE,	"ip6 daddr @doh_v6 tcp dport 443 "
			"reject with tcp reset" },
	{ LAN,	NONE,	"udp dport { 53, 137, 138, 1900, 3702, 5350, 5351, "
			"5353, 5355 } reject" },
	{ LAN,	NONE,	"ip daddr 169.254.169.254 reject" },
	{ LAN | IP6, NONE, "ip6 daddr fd00:ec2::254 reject" },
	{ LAN,	NONE,	"tcp dport { 53, 137, 139, 3702, 5355 } "
			"reject with tcp reset" },
	{ LAN,	NONE,	"ip daddr @lan_v4 rt ip nexthop @routers_v4 "
			"meta l4proto tcp reject with tcp reset" },
	{ LAN,	NONE,	"ip daddr @lan_v4 rt ip nexthop @routers_v4 "
			"reject with icmpx type admin-prohibited" },
	{ LAN | IP6, NONE, "ip6 daddr @lan_v6 rt ip6 nexthop @routers_v6 "
			"meta l4proto tcp reject with tcp reset" },
	{ LAN | IP6, NONE, "ip6 daddr @lan_v6 rt ip6 nexthop @routers_v6 "
			"reject with icmpx type admin-prohibited" },
	{ LAN,	NONE,	"ip daddr @lan_v4 accept" },
	{ LAN | IP6, NONE, "ip6 daddr @lan_v6 accept" },
	{ NOIP6, NONE,	"meta nfproto ipv6 drop" },
	{ SESSION, NONE, "counter reject with icmpx type admin-prohibited" },
	/*
	 * Lockdown, for teardown: nothing is redirected any more and only
	 * loopback and tor may send. Redirected connections still
	 * established keep their NAT binding in conntrack, so they pass as
	 * loopback until they close.
	 */
	{ LOCKDOWN, NONE, "counter drop" },

	/*
	 * Input: invalid packets are dropped. With gateway interfaces, what
	 * comes in on one reaches only tor's gateway ports (where
	 * prerouting redirected it), the replies of connections this host
	 * opened, and (IPv6) neighbour discovery; the rest from there is
	 * dropped, and tor's gateway ports are dropped from every other
	 * interface, loopback included. Forward: always dropped, in
	 * gateway mode too: hosts behind the gateway reach only Tor.
	 */
	{ 0,	BLOCK,	"chain filter_in" },
	{ 0,	NONE,	"type filter hook input priority 0; policy accept;" },
	{ 0,	NONE,	"ct state invalid drop" },
	{ GW,	GWI,	"iifname %i ct state established,related accept" },
	{ GW,	GWT,	"iifname %i tcp dport %s accept" },
	{ GW,	GWD,	"iifname %i udp dport %s accept" },
	{ GW | IP6, GWI, "iifname %i icmpv6 type { nd-neighbor-solicit, "
			"nd-neighbor-advert } ip6 hoplimit 255 accept" },
	{ GW,	GWI,	"iifname %i counter drop" },
	{ GW,	GWT,	"tcp dport %s drop" },
	{ GW,	GWD,	"udp dport %s drop" },
	{ 0,	BLOCK,	"chain filter_fwd" },
	{ 0,	NONE,	"type filter hook forward priority 0; policy drop;" },

	/*
	 * Loopback addresses never leave by a real interface. filter_out
	 * accepts 127.0.0.0/8 and ::1 by address because it still sees a
	 * redirected packet's original oifname; here, after routing, the
	 * real one is known. The kernel does route a reset to ::1 out of the
	 * physical interface when a redirected connection has lost its
	 * translation (e.g. after someone deleted the table).
	 */
	{ 0,	BLOCK,	"chain filter_post" },
	{ 0,	NONE,	"type filter hook postrouting priority 0; "
			"policy accept;" },
	{ 0,	NONE,	"oifname != \"lo\" ip daddr 127.0.0.0/8 drop" },
	{ 0,	NONE,	"oifname != \"lo\" ip6 daddr ::1 drop" },
};

/* Appends to a fixed buffer. len == sz once something did not fit (text
 * that fits always leaves room for its NUL), so callers check once. */
struct rbuf {
	char	*p;
	size_t	 sz, len;
};

static void __attribute__((format(printf, 2, 3)))
rb_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (b->len >= b->sz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->sz - b->len, fmt, ap);
	va_end(ap);
	b->len = n < 0 || (size_t)n >= b->sz - b->len ? b->sz :
	    b->len + (size_t)n;
}

/* At most TTP_MAX_BYPASS ids, each in 1..0xfffffffe, as
 * privop_validate_req() demands: 0 would exempt root and (uid_t)-1 means
 * "no id". */
static bool
ids_ok(const uint32_t *ids, size_t n)
{
	size_t	 i;

	if (n > TTP_MAX_BYPASS)
		return false;
	for (i = 0; i < n; i++)
		if (ids[i] == 0 || ids[i] == UINT32_MAX)
			return false;
	return true;
}

/*
 * A set's elements line, its %s replaced by the n addresses of len bytes
 * at v, in ascending byte order and each once (as for ids below), so the
 * text does not depend on the order of the routing table; nothing when
 * n is 0: an empty set.
 */
static void
rb_addrs(struct rbuf *b, const char *text, const uint8_t *v, size_t n,
    size_t len)
{
	const char	*mark = strchr(text, '%');
	const uint8_t	*last = NULL, *next;
	char		 s[INET6_ADDRSTRLEN];
	size_t		 i;

	if (n == 0 || mark == NULL)
		return;
	rb_printf(b, "\t\t%.*s", (int)(mark - text), text);
	for (;; last = next) {
		for (next = NULL, i = 0; i < n; i++)
			if ((last == NULL || memcmp(v + i * len, last,
			    len) > 0) && (next == NULL ||
			    memcmp(v + i * len, next, len) < 0))
				next = v + i * len;
		if (next == NULL)
			break;
		if (inet_ntop(len == 4 ? AF_INET : AF_INET6, next, s,
		    sizeof(s)) == NULL)
			b->len = b->sz;
		else
			rb_printf(b, "%s%s", last != NULL ? ", " : "", s);
	}
	rb_printf(b, "%s\n", mark + 2);
}

/*
 * A rule, its %s replaced by the integers r->arg names, in ascending
 * order and each once, so the text is the same whatever order the user
 * gave. They are validated, so all lie strictly between 0 and UINT32_MAX.
 */
/*
 * A gateway line: %i becomes the set of gateway interfaces (names
 * validated by privop_valid_ifname(): nothing but [A-Za-z0-9_.-]), %s the
 * gateway port the line's arg names.
 */
static void
rb_gw(struct rbuf *b, const struct rule *r, const struct privop_fw_apply *a)
{
	const char	*p;
	uint8_t		 i;

	rb_printf(b, "\t\t");
	for (p = r->text; *p != '\0'; p++) {
		if (p[0] != '%' || (p[1] != 'i' && p[1] != 's')) {
			rb_printf(b, "%c", *p);
			continue;
		}
		if (*++p == 's')
			rb_printf(b, "%u", (unsigned)(r->arg == GWT ?
			    a->gw.trans_port : a->gw.dns_port));
		else {
			rb_printf(b, "{ ");
			for (i = 0; i < a->gw.n_ifs; i++)
				rb_printf(b, "%s\"%s\"", i ? ", " : "",
				    a->gw.ifs[i]);
			rb_printf(b, " }");
		}
	}
	rb_printf(b, "\n");
}

/*
 * The elements of an isolation map or of iso_own: uid : TransPort
 * (ISOT), uid : DNSPort (ISOD), six to a line; or each uid with its two
 * ports (ISOOWN), three uids to a line. Nothing for no uid (empty).
 */
static void
rb_isoelems(struct rbuf *b, const struct privop_fw_apply *a, enum arg arg)
{
	unsigned	 per = arg == ISOOWN ? 3 : 6, uid, port;
	uint8_t		 i;

	if (a->iso.n_uids == 0)
		return;
	rb_printf(b, "\t\telements = { ");
	for (i = 0; i < a->iso.n_uids; i++) {
		uid = (unsigned)a->iso.uids[i];
		port = (unsigned)a->iso.base + 2U * i;
		rb_printf(b, "%s", i == 0 ? "" : i % per ? ", " : "," MORE);
		if (arg == ISOOWN)
			rb_printf(b, "%u . %u, %u . %u", uid, port, uid,
			    port + 1U);
		else
			rb_printf(b, "%u : %u", uid, port + (arg == ISOD));
	}
	rb_printf(b, " }\n");
}

/*
 * A redirect to the TransPort or the DNSPort with --isolate-users: to
 * the uid's own port, looked up in its map, and for a uid not there to
 * the other uids' port.
 */
static void
rb_isolated(struct rbuf *b, const struct rule *r,
    const struct privop_fw_apply *a)
{
	const char	*mark = strchr(r->text, '%');
	unsigned	 off = r->arg == DNS ? 1 : 0;

	rb_printf(b, "\t\t%.*smeta skuid map @%s%s\n", (int)(mark - r->text),
	    r->text, off ? "iso_dns" : "iso_trans", mark + 2);
	rb_printf(b, "\t\t%.*s%u%s\n", (int)(mark - r->text), r->text,
	    (unsigned)a->iso.base + 2U * a->iso.n_uids + off, mark + 2);
}

static void
rb_rule(struct rbuf *b, const struct rule *r, const struct privop_fw_apply *a)
{
	const char	*mark = strchr(r->text, '%');
	const uint32_t	*v = NULL;
	uint32_t	 one, last = 0, next;
	size_t		 i, n = 1;

	if (a->iso.base != 0 && mark != NULL && (r->arg == DNS ||
	    r->arg == TRANS)) {
		rb_isolated(b, r, a);
		return;
	}
	switch (r->arg) {
	case GWI:
	case GWT:
	case GWD:
		rb_gw(b, r, a);
		return;
	case ISOT:
	case ISOD:
	case ISOOWN:
		rb_isoelems(b, a, r->arg);
		return;
	case ISOREJ:
		if (a->iso.n_uids > 0)
			rb_printf(b, "\t\t%.*s%u-%u%s\n", (int)(mark - r->text),
			    r->text, (unsigned)a->iso.base,
			    (unsigned)a->iso.base + 2U * a->iso.n_uids - 1U,
			    mark + 2);
		return;
	case TOR:	v = &a->tor_uid; break;
	case DNS:	one = a->dns_port; v = &one; break;
	case TRANS:	one = a->trans_port; v = &one; break;
	case UIDS:	v = a->bypass_uids; n = a->n_bypass_uids; break;
	case GIDS:	v = a->bypass_gids; n = a->n_bypass_gids; break;
	case ROUTERS4:
		rb_addrs(b, r->text, a->routers.v4[0], a->routers.n_v4, 4);
		return;
	case ROUTERS6:
		rb_addrs(b, r->text, a->routers.v6[0], a->routers.n_v6, 16);
		return;
	default:	break;
	}
	if (v == NULL || mark == NULL) {
		rb_printf(b, "\t\t%s\n", r->text);
		return;
	}
	if (n == 0)
		return;
	rb_printf(b, "\t\t%.*s", (int)(mark - r->text), r->text);
	for (;; last = next) {
		for (next = UINT32_MAX, i = 0; i < n; i++)
			if (v[i] > last && v[i] < next)
				next = v[i];
		if (next == UINT32_MAX)
			break;
		rb_printf(b, "%s%u", last != 0 ? ", " : "", next);
	}
	rb_printf(b, "%s\n", mark + 2);
}

static int
render(const struct privop_fw_apply *a, int have, unsigned slot, char *buf,
    size_t bufsz)
{
	struct rbuf		 b = { buf, bufsz, 0 };
	const struct rule	*r;
	int			 block = 0;
	bool			 open = false;

	if (buf == NULL)
		return -1;
	if (have & NAT)
		rb_printf(&b,
		    "# ttp %s ruleset: replaces table inet ttp in one "
		    "transaction\n"
		    "# (rendered by ttp from its built-in template; see `ttp "
		    "rules`)\n"
		    "table inet ttp {}\n"
		    "delete table inet ttp\n"
		    "table inet ttp {\n",
		    have & SESSION ? "session" : "lockdown");
	else
		/* The anchor is created, never replaced: a new one takes the
		 * other slot, and the old one goes with its owner. */
		rb_printf(&b,
		    "# ttp anchor: the session's filter chains in a table owned "
		    "by the\n"
		    "# netlink socket that creates it; no other process can "
		    "change it\n"
		    "# (see `ttp rules --anchor`)\n"
		    "table inet " TTP_ANCHOR_TABLE "%u {\n"
		    "\tflags owner\n\n", slot);
	for (r = template; r < template + nitems(template); r++) {
		/* A line also needs what its block needs. */
		if (r->arg == BLOCK)
			block = r->when;
		if (((r->when | block) & ~have) != 0)
			continue;
		if (r->arg != BLOCK)
			rb_rule(&b, r, a);
		else {
			rb_printf(&b, "%s\t%s {\n", open ? "\t}\n\n" : "",
			    r->text);
			open = true;
		}
	}
	rb_printf(&b, "\t}\n}\n");
	return b.len >= b.sz ? -1 : (int)b.len;
}

/*
 * The properties of the session's ruleset for these options, or -1 when
 * an id is not one the renderer may use. Re-checked here, whoever
 * validated before: tor_uid 0 would exempt root; more routers than the
 * arrays hold would be read beyond them.
 */
static int
session_have(const struct privop_fw_apply *a)
{
	uint8_t	 i;

	if (!ids_ok(&a->tor_uid, 1) ||
	    !ids_ok(a->bypass_uids, a->n_bypass_uids) ||
	    !ids_ok(a->bypass_gids, a->n_bypass_gids) ||
	    a->routers.n_v4 > TTP_MAX_ROUTERS ||
	    a->routers.n_v6 > TTP_MAX_ROUTERS ||
	    a->gw.n_ifs > TTP_MAX_GATEWAYS ||
	    a->iso.n_uids > TTP_MAX_ISOLATE)
		return -1;
	/* The names become rule text: only validated bytes; the ports must
	 * redirect somewhere. */
	for (i = 0; i < a->gw.n_ifs; i++)
		if (!privop_valid_ifname(a->gw.ifs[i], sizeof(a->gw.ifs[i])))
			return -1;
	if (a->gw.n_ifs > 0 && (a->gw.trans_port == 0 ||
	    a->gw.dns_port == 0))
		return -1;
	if (a->iso.base != 0 &&
	    (uint32_t)a->iso.base + 2U * a->iso.n_uids + 1U > 65535U)
		return -1;
	return SESSION | (a->ipv6 ? IP6 : NOIP6) | (a->lan_bypass ? LAN : 0) |
	    (a->allow_root ? ROOT : 0) | (a->gw.n_ifs > 0 ? GW : 0) |
	    (a->iso.base != 0 ? ISO : 0);
}

int
ruleset_render_session(const struct privop_fw_apply *a, char *buf,
    size_t bufsz)
{
	int	 have = session_have(a);

	/* Port 0 would redirect nowhere. */
	if (have == -1 || a->trans_port == 0 || a->dns_port == 0)
		return -1;
	return render(a, NAT | have, 0, buf, bufsz);
}

int
ruleset_render_anchor(const struct privop_fw_apply *a, unsigned slot,
    char *buf, size_t bufsz)
{
	int	 have = session_have(a);

	if (have == -1 || slot >= TTP_ANCHOR_SLOTS)
		return -1;
	return render(a, ANCHOR | have, slot, buf, bufsz);
}

int
ruleset_render_lockdown(uint32_t tor_uid, char *buf, size_t bufsz)
{
	struct privop_fw_apply	 a = { .tor_uid = tor_uid };

	return ids_ok(&tor_uid, 1) ? render(&a, NAT | LOCKDOWN, 0, buf,
	    bufsz) : -1;
}

/*
 * Which of the two rulesets an nft listing of table inet ttp is, judged by
 * what the table declares against the blocks of the template: exactly the
 * sets and chains of the session (or of the lockdown) ruleset, nothing
 * more. A table flag (dormant) or a comment, which a rendered table never
 * has, also counts as a declaration, so it makes the table foreign.
 * Whether the rules themselves are intact is the hash's business (fw.c).
 */
uint32_t
ruleset_classify(const char *list)
{
	static const int	 kinds[] = { SESSION, LOCKDOWN };
	const struct rule	*r;
	const char		*p;
	char			 decl[64];
	size_t			 i, lines = 0, blocks;
	bool			 all;

	for (p = list; (p = strstr(p, "\n\t")) != NULL; p++)
		if (p[2] != '\t' && p[2] != '}')
			lines++;
	for (i = 0; i < nitems(kinds); i++) {
		blocks = 0;
		all = true;
		for (r = template; r < template + nitems(template); r++) {
			if (r->arg != BLOCK)
				continue;
			(void)snprintf(decl, sizeof(decl), "\n\t%s {\n",
			    r->text);
			/* A gateway or isolation block: a session's, when
			 * there. */
			if ((r->when & OPTIONAL) != 0) {
				if (kinds[i] == SESSION &&
				    strstr(list, decl) != NULL)
					blocks++;
				continue;
			}
			if (r->when != 0 && (r->when & kinds[i]) == 0)
				continue;
			blocks++;
			all = all && strstr(list, decl) != NULL;
		}
		if (all && blocks == lines)
			return kinds[i] == SESSION ? FW_STATE_SESSION :
			    FW_STATE_LOCKDOWN;
	}
	return FW_STATE_FOREIGN;
}
