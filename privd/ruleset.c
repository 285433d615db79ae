/*
 * The rulesets of table inet ttp, rendered as nft text from the built-in
 * template below and validated integers only: nothing a peer sends can
 * become rule text except decimal uids, gids and ports. Each rendering is
 * one buffer that replaces the table atomically on nftables 1.0.6, which
 * has no `destroy`: `table inet ttp {}` makes sure a table exists, `delete
 * table inet ttp` removes it, and the new table follows, all in one
 * transaction, so there is never a moment without rules. The same code
 * serves ttp-privd and `ttp rules`, so what an auditor reads is what root
 * loads. The chains and their order are explained in DESIGN.md §3; the
 * comments below say why each rule sits where it does.
 */
#include "privd/privd.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends to a fixed buffer; remembers overflow so callers check once. */
struct rbuf {
	char	*p;
	size_t	 sz;
	size_t	 len;
	bool	 overflow;
};

static void rb_printf(struct rbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
rb_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->sz - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->sz - b->len) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

/* Valid uids and gids for rules: 1..0xfffffffe, as privop_validate_req()
 * demands. 0 would exempt root and (uid_t)-1 means "no id". */
static bool
id_ok(uint32_t id)
{
	return id != 0 && id != UINT32_MAX;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Sort and deduplicate ids into out; the rendered text is deterministic
 * whatever order the user gave. Returns the count, or -1 on a bad id. */
static int
ids_sorted(const uint32_t *ids, size_t n, uint32_t *out)
{
	size_t	 i, m = 0;

	if (n > TTP_MAX_BYPASS)
		return -1;
	for (i = 0; i < n; i++) {
		if (!id_ok(ids[i]))
			return -1;
		out[i] = ids[i];
	}
	qsort(out, n, sizeof(*out), cmp_u32);
	for (i = 0; i < n; i++)
		if (m == 0 || out[m - 1] != out[i])
			out[m++] = out[i];
	return (int)m;
}

/* "meta skuid { 1000, 1001 } <verdict>", nothing when there are no ids. */
static void
rb_ids(struct rbuf *b, const char *key, const uint32_t *ids, int n,
    const char *verdict)
{
	int	 i;

	if (n <= 0)
		return;
	rb_printf(b, "\t\tmeta %s { ", key);
	for (i = 0; i < n; i++)
		rb_printf(b, "%s%u", i ? ", " : "", ids[i]);
	rb_printf(b, " } %s\n", verdict);
}

static void
rb_header(struct rbuf *b, const char *what)
{
	rb_printf(b,
	    "# ttp %s ruleset: replaces table inet ttp in one transaction\n"
	    "# (rendered by ttp from its built-in template; see `ttp rules`)\n"
	    "table inet ttp {}\n"
	    "delete table inet ttp\n"
	    "table inet ttp {\n", what);
}

/*
 * Loopback, the tor uid and the ICMPv6 the kernel sends on its own account
 * come first in both output filter chains. A packet redirected by the nat
 * chain has daddr 127.0.0.1 or ::1 but keeps its original oifname, so
 * loopback is accepted by address as well as by interface. Neighbour
 * discovery and MLD reports are sent with no owning socket, so no skuid
 * rule can match them; without them IPv6 stops working even for tor. The
 * hop limits are the ones RFC 4861 and RFC 3810 require, so only
 * link-local control traffic fits.
 */
static void
rb_filter_common(struct rbuf *b, uint32_t tor_uid)
{
	rb_printf(b,
	    "\t\ttype filter hook output priority 0; policy drop;\n"
	    "\t\tct state invalid drop\n"
	    "\t\toifname \"lo\" accept\n"
	    "\t\tip daddr 127.0.0.0/8 accept\n"
	    "\t\tip6 daddr ::1 accept\n"
	    "\t\tmeta skuid %u accept\n"
	    "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, "
	    "nd-neighbor-advert } ip6 hoplimit 255 accept\n"
	    "\t\ticmpv6 type { mld-listener-report, mld2-listener-report } "
	    "ip6 hoplimit 1 accept\n", tor_uid);
}

/* Input: only invalid packets are dropped. Forward: dropped (no gateway
 * mode). */
static void
rb_in_fwd(struct rbuf *b)
{
	rb_printf(b,
	    "\tchain filter_in {\n"
	    "\t\ttype filter hook input priority 0; policy accept;\n"
	    "\t\tct state invalid drop\n"
	    "\t}\n"
	    "\n"
	    "\tchain filter_fwd {\n"
	    "\t\ttype filter hook forward priority 0; policy drop;\n"
	    "\t}\n");
}

/* Well-known DoH resolvers (Cloudflare, Google, Quad9, OpenDNS, AdGuard)
 * and the LAN ranges of the bypass, in address order. */
static const char set_text[] =
	"\tset doh_v4 {\n"
	"\t\ttype ipv4_addr\n"
	"\t\telements = { 1.0.0.1, 1.1.1.1, 8.8.4.4, 8.8.8.8, 9.9.9.9,\n"
	"\t\t\t     94.140.14.14, 94.140.15.15, 149.112.112.112,\n"
	"\t\t\t     208.67.220.220, 208.67.222.222 }\n"
	"\t}\n"
	"\n"
	"\tset doh_v6 {\n"
	"\t\ttype ipv6_addr\n"
	"\t\telements = { 2001:4860:4860::8844, 2001:4860:4860::8888,\n"
	"\t\t\t     2606:4700:4700::1001, 2606:4700:4700::1111,\n"
	"\t\t\t     2620:fe::9, 2620:fe::fe,\n"
	"\t\t\t     2620:119:35::35, 2620:119:53::53,\n"
	"\t\t\t     2a10:50c0::ad1:ff, 2a10:50c0::ad2:ff }\n"
	"\t}\n"
	"\n"
	"\tset lan_v4 {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tflags interval\n"
	"\t\telements = { 10.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12,\n"
	"\t\t\t     192.168.0.0/16 }\n"
	"\t}\n"
	"\n"
	"\tset lan_v6 {\n"
	"\t\ttype ipv6_addr\n"
	"\t\tflags interval\n"
	"\t\telements = { fc00::/7, fe80::/10 }\n"
	"\t}\n"
	"\n";

int
ruleset_render_session(const struct privop_fw_apply *a, char *buf,
    size_t bufsz)
{
	struct rbuf	 b = { buf, bufsz, 0, false };
	uint32_t	 uids[TTP_MAX_BYPASS], gids[TTP_MAX_BYPASS];
	int		 nu, ng;

	if (buf == NULL || bufsz == 0 || !id_ok(a->tor_uid) ||
	    a->trans_port == 0 || a->dns_port == 0)
		return -1;
	if ((nu = ids_sorted(a->bypass_uids, a->n_bypass_uids, uids)) == -1 ||
	    (ng = ids_sorted(a->bypass_gids, a->n_bypass_gids, gids)) == -1)
		return -1;

	rb_header(&b, "session");
	rb_printf(&b, "%s", set_text);

	/* Kept because the seed lists it; gateway mode is not offered, so it
	 * has no rules and forwarded packets are dropped in filter_fwd. */
	rb_printf(&b,
	    "\tchain prerouting {\n"
	    "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	    "\t}\n"
	    "\n");

	/*
	 * nat output: what goes to Tor. Order matters: tor itself first (no
	 * loop); DNS to ANY address and Tor's virtual ranges before anything
	 * can return, so neither loopback, an exempt id nor the LAN bypass
	 * ever carries them; then what stays untouched; TCP last.
	 */
	rb_printf(&b,
	    "\tchain output {\n"
	    "\t\ttype nat hook output priority -100; policy accept;\n"
	    "\t\tmeta skuid %u return\n", a->tor_uid);
	if (a->ipv6)
		rb_printf(&b, "\t\tudp dport 53 redirect to :%u\n",
		    a->dns_port);
	else
		rb_printf(&b, "\t\tmeta nfproto ipv4 udp dport 53 "
		    "redirect to :%u\n", a->dns_port);
	rb_printf(&b, "\t\tip daddr %s meta l4proto tcp redirect to :%u\n",
	    TTP_VIRT_NET4, a->trans_port);
	if (a->ipv6)
		rb_printf(&b, "\t\tip6 daddr %s meta l4proto tcp "
		    "redirect to :%u\n", TTP_VIRT_NET6, a->trans_port);
	rb_printf(&b,
	    "\t\toifname \"lo\" return\n"
	    "\t\tip daddr 127.0.0.0/8 return\n"
	    "\t\tip6 daddr ::1 return\n");
	rb_ids(&b, "skuid", uids, nu, "return");
	rb_ids(&b, "skgid", gids, ng, "return");
	if (a->allow_root)
		rb_printf(&b, "\t\tmeta skuid 0 return\n");
	/* DoT and DoH are left unredirected so filter_out rejects them:
	 * the application falls back to plain DNS, which Tor answers. */
	rb_printf(&b,
	    "\t\ttcp dport 853 return\n"
	    "\t\tip daddr @doh_v4 tcp dport 443 return\n");
	if (a->ipv6)
		rb_printf(&b, "\t\tip6 daddr @doh_v6 tcp dport 443 return\n");
	if (a->lan_bypass) {
		rb_printf(&b, "\t\tip daddr @lan_v4 return\n");
		if (a->ipv6)
			rb_printf(&b, "\t\tip6 daddr @lan_v6 return\n");
	}
	if (a->ipv6)
		rb_printf(&b, "\t\tmeta l4proto tcp redirect to :%u\n",
		    a->trans_port);
	else
		rb_printf(&b, "\t\tmeta nfproto ipv4 meta l4proto tcp "
		    "redirect to :%u\n", a->trans_port);
	rb_printf(&b, "\t}\n\n");

	/*
	 * filter output: the kill switch. Redirected packets pass as
	 * loopback; exempt ids next; DoT/DoH rejected before the LAN accept
	 * so a LAN resolver cannot be used either; the LAN bypass never
	 * carries name resolution (DNS, NetBIOS, mDNS, LLMNR); the rest is
	 * rejected, so applications fail fast instead of hanging.
	 */
	rb_printf(&b, "\tchain filter_out {\n");
	rb_filter_common(&b, a->tor_uid);
	rb_ids(&b, "skuid", uids, nu, "accept");
	rb_ids(&b, "skgid", gids, ng, "accept");
	if (a->allow_root)
		rb_printf(&b, "\t\tmeta skuid 0 accept\n");
	rb_printf(&b,
	    "\t\ttcp dport 853 reject with tcp reset\n"
	    "\t\tip daddr @doh_v4 tcp dport 443 reject with tcp reset\n");
	if (a->ipv6)
		rb_printf(&b, "\t\tip6 daddr @doh_v6 tcp dport 443 "
		    "reject with tcp reset\n");
	if (a->lan_bypass) {
		rb_printf(&b,
		    "\t\tudp dport { 53, 137, 138, 5353, 5355 } reject\n"
		    "\t\ttcp dport { 53, 137, 139, 5355 } "
		    "reject with tcp reset\n"
		    "\t\tip daddr @lan_v4 accept\n");
		if (a->ipv6)
			rb_printf(&b, "\t\tip6 daddr @lan_v6 accept\n");
	}
	if (!a->ipv6)
		rb_printf(&b, "\t\tmeta nfproto ipv6 drop\n");
	rb_printf(&b,
	    "\t\tcounter reject with icmpx type admin-prohibited\n"
	    "\t}\n\n");
	rb_in_fwd(&b);
	rb_printf(&b, "}\n");

	return b.overflow ? -1 : (int)b.len;
}

/*
 * Lockdown, for teardown: nothing is redirected any more and only loopback
 * and tor may send. Redirected connections still established keep their
 * NAT binding in conntrack, so they pass as loopback until they close.
 */
int
ruleset_render_lockdown(uint32_t tor_uid, char *buf, size_t bufsz)
{
	struct rbuf	 b = { buf, bufsz, 0, false };

	if (buf == NULL || bufsz == 0 || !id_ok(tor_uid))
		return -1;
	rb_header(&b, "lockdown");
	rb_printf(&b, "\tchain filter_out {\n");
	rb_filter_common(&b, tor_uid);
	rb_printf(&b,
	    "\t\tcounter drop\n"
	    "\t}\n\n");
	rb_in_fwd(&b);
	rb_printf(&b, "}\n");

	return b.overflow ? -1 : (int)b.len;
}
