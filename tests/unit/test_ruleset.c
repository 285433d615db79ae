/*
 * The ruleset renderer (privd/ruleset.c): golden files for a few option
 * combinations, and the ordering invariants of docs/ruleset.md asserted on
 * the text itself, so a template edit that breaks one fails here with the
 * rule named, not only as a golden-file diff.
 *
 * Golden files live in tests/unit/data/ruleset_*.nft. After an intended
 * change to the template, regenerate them and review the diff:
 *     TTP_REGEN_GOLDEN=1 build/tests/test_ruleset
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privd/privd.h"
#include "check_run.h"
#include "fw_fixture.h"

static char	 out[RULESET_MAX];

/* 192.168.1.1, fe80::1: a home router's gateways. */
static const uint8_t	 router4[4] = { 192, 168, 1, 1 };
static const uint8_t	 router6[16] = { 0xfe, 0x80, [15] = 1 };

static struct privop_fw_apply
defaults(void)
{
	struct privop_fw_apply	 a = fixture_fw_apply();

	memcpy(a.routers.v4[0], router4, 4);
	memcpy(a.routers.v6[0], router6, 16);
	a.routers.n_v4 = a.routers.n_v6 = 1;
	return a;
}

static const char *
render(const struct privop_fw_apply *a)
{
	int	 n = ruleset_render_session(a, out, sizeof(out));

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(out), (size_t)n);
	return out;
}

/* The body of chain `name` as a new string (caller frees). */
static char *
chain(const char *text, const char *name)
{
	char		 hdr[64];
	const char	*s, *e;

	snprintf(hdr, sizeof(hdr), "\tchain %s {\n", name);
	s = strstr(text, hdr);
	ck_assert_msg(s != NULL, "no chain %s", name);
	s += strlen(hdr);
	e = strstr(s, "\n\t}\n");
	ck_assert_ptr_nonnull(e);
	return strndup(s, (size_t)(e - s) + 1);
}

/* Offset of the first line of body containing needle; -1 if none. */
static long
line_of(const char *body, const char *needle)
{
	const char	*p = strstr(body, needle);

	return p == NULL ? -1 : (long)(p - body);
}

static void
assert_before(const char *body, const char *first, const char *then)
{
	long	 a = line_of(body, first), b = line_of(body, then);

	ck_assert_msg(a >= 0, "missing '%s'", first);
	ck_assert_msg(b >= 0, "missing '%s'", then);
	ck_assert_msg(a < b, "'%s' must come before '%s'", first, then);
}

static void
golden(const char *name, const char *text)
{
	char	 path[512], *want;
	FILE	*fp;
	long	 len;

	snprintf(path, sizeof(path), "%s/ruleset_%s.nft", TTP_TEST_DATA,
	    name);
	if (getenv("TTP_REGEN_GOLDEN") != NULL) {
		fp = fopen(path, "w");
		ck_assert_msg(fp != NULL, "cannot write %s", path);
		fputs(text, fp);
		fclose(fp);
		return;
	}
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "missing %s (TTP_REGEN_GOLDEN=1 makes it)",
	    path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	want = calloc(1, (size_t)len + 1);
	ck_assert_ptr_nonnull(want);
	ck_assert_uint_eq(fread(want, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	ck_assert_msg(strcmp(want, text) == 0, "%s differs from the rendered "
	    "ruleset; if intended, regenerate with TTP_REGEN_GOLDEN=1", path);
	free(want);
}

START_TEST(golden_default)
{
	struct privop_fw_apply	 a = defaults();

	golden("default", render(&a));
}
END_TEST

START_TEST(golden_noipv6_nolan)
{
	struct privop_fw_apply	 a = defaults();

	a.ipv6 = false;
	a.lan_bypass = false;
	golden("noipv6_nolan", render(&a));
}
END_TEST

START_TEST(golden_bypass_root)
{
	struct privop_fw_apply	 a = defaults();

	a.allow_root = true;
	a.trans_port = 19041;
	a.dns_port = 19054;
	a.bypass_uids[0] = 1001;
	a.bypass_uids[1] = 1000;
	a.bypass_uids[2] = 1001;
	a.n_bypass_uids = 3;
	a.bypass_gids[0] = 100;
	a.n_bypass_gids = 1;
	golden("bypass_root", render(&a));
}
END_TEST

/* --lan-allow-router: the sets exist, empty, so nothing is excluded. */
START_TEST(golden_allow_router)
{
	struct privop_fw_apply	 a = defaults();
	const char		*t;

	memset(&a.routers, 0, sizeof(a.routers));
	t = render(&a);
	ck_assert_ptr_nonnull(strstr(t, "\tset routers_v4 {\n\t\ttype "
	    "ipv4_addr\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tset routers_v6 {\n\t\ttype "
	    "ipv6_addr\n\t}\n"));
	golden("allow_router", t);
}
END_TEST

START_TEST(golden_lockdown)
{
	ck_assert_int_gt(ruleset_render_lockdown(64001, out, sizeof(out)), 0);
	golden("lockdown", out);
}
END_TEST

/* Every rendering replaces the table in one buffer, 1.0.6 style. */
START_TEST(replaces_table)
{
	static const char head[] = "table inet ttp {}\ndelete table inet ttp\n"
	    "table inet ttp {\n";
	struct privop_fw_apply	 a = defaults();
	const char		*t = render(&a);

	ck_assert_msg(t[0] == '#', "no header comment");
	ck_assert_ptr_nonnull(strstr(t, head));
	ck_assert_ptr_null(strstr(t, "destroy"));
	ck_assert_int_gt(ruleset_render_lockdown(64001, out, sizeof(out)), 0);
	ck_assert_msg(out[0] == '#', "no header comment");
	ck_assert_ptr_nonnull(strstr(out, head));
	/* Lockdown translates nothing new (see lockdown_shape). */
	ck_assert_ptr_null(strstr(out, "nat hook prerouting"));
	ck_assert_ptr_null(strstr(out, "redirect"));
}
END_TEST

/* The invariants, for every combination of the three flags. */
START_TEST(ordering)
{
	struct privop_fw_apply	 a = defaults();
	char			*nat, *flt, *last;
	const char		*t;

	a.allow_root = (_i & 1) != 0;
	a.lan_bypass = (_i & 2) != 0;
	a.ipv6 = (_i & 4) != 0;
	a.bypass_uids[0] = 1000;
	a.n_bypass_uids = 1;
	t = render(&a);
	nat = chain(t, "output");
	flt = chain(t, "filter_out");

	/* nat: tor first, then DNS and the virtual range, before any
	 * return that could let them out untouched. */
	ck_assert_msg(strncmp(strstr(nat, ";\n") + 2,
	    "\t\tmeta skuid 64001 return\n", 26) == 0, "tor uid not first");
	assert_before(nat, "udp dport 53 redirect", "oifname \"lo\" return");
	assert_before(nat, "udp dport 53 redirect", "meta skuid { 1000 }");
	assert_before(nat, "ip daddr " TTP_VIRT_NET4 " meta l4proto tcp "
	    "redirect", "oifname \"lo\" return");
	assert_before(nat, TTP_VIRT_NET4, "tcp dport 853 return");
	if (a.lan_bypass) {
		assert_before(nat, "udp dport 53 redirect", "@lan_v4");
		assert_before(nat, TTP_VIRT_NET4, "@lan_v4");
		assert_before(nat, "tcp dport 853 return", "@lan_v4");
		assert_before(nat, "@doh_v4", "@lan_v4");
	} else
		ck_assert_int_eq(line_of(nat, "@lan_v"), -1);
	if (a.ipv6) {
		ck_assert_int_eq(line_of(nat, "meta nfproto ipv4"), -1);
		assert_before(nat, TTP_VIRT_NET6, "oifname \"lo\" return");
		if (a.lan_bypass)
			assert_before(nat, TTP_VIRT_NET6, "@lan_v6");
	} else {
		ck_assert_int_ge(line_of(nat, "meta nfproto ipv4 udp dport 53 "
		    "redirect"), 0);
		ck_assert_int_eq(line_of(nat, TTP_VIRT_NET6), -1);
		ck_assert_int_eq(line_of(nat, "@lan_v6"), -1);
	}
	last = strrchr(nat, '\t');
	ck_assert_msg(strstr(last, "meta l4proto tcp redirect to :9041") !=
	    NULL, "TCP redirect is not the last nat rule");

	/* filter_out: policy drop, invalid dropped first, kill switch last */
	ck_assert_ptr_nonnull(strstr(flt, "type filter hook output priority "
	    "0; policy drop;\n\t\tct state invalid drop\n"));
	assert_before(flt, "oifname \"lo\" accept", "reject");
	assert_before(flt, "ip daddr 127.0.0.0/8 accept", "reject");
	assert_before(flt, "nd-neighbor-solicit", "reject");
	last = strrchr(flt, '\t');
	ck_assert_str_eq(last, "\tcounter reject with icmpx type "
	    "admin-prohibited\n");
	if (a.lan_bypass) {
		assert_before(flt, "tcp dport 853 reject", "@lan_v4 accept");
		assert_before(flt, "@doh_v4 tcp dport 443 reject",
		    "@lan_v4 accept");
		assert_before(flt, "udp dport { 53, 137, 138, 1900, 3702, "
		    "5350, 5351, 5353, 5355 } reject", "@lan_v4 accept");
		assert_before(flt, "tcp dport { 53, 137, 139, 3702, 5355 } "
		    "reject", "@lan_v4 accept");
		/* The public address is never to be learnt on the LAN. */
		assert_before(flt, "ip daddr 169.254.169.254 reject",
		    "@lan_v4 accept");
		if (a.ipv6)
			assert_before(flt, "ip6 daddr fd00:ec2::254 reject",
			    "@lan_v6 accept");
		/* Nor is a router: its own address or what lies behind it. */
		assert_before(flt, "ip daddr @lan_v4 rt ip nexthop "
		    "@routers_v4 meta l4proto tcp reject with tcp reset",
		    "@lan_v4 accept");
		assert_before(flt, "ip daddr @lan_v4 rt ip nexthop "
		    "@routers_v4 reject with icmpx type admin-prohibited",
		    "@lan_v4 accept");
		assert_before(flt, "meta skuid { 1000 } accept",
		    "@routers_v4");
		if (a.ipv6) {
			assert_before(flt, "ip6 daddr @lan_v6 rt ip6 nexthop "
			    "@routers_v6 meta l4proto tcp reject with tcp "
			    "reset", "@lan_v6 accept");
			assert_before(flt, "ip6 daddr @lan_v6 rt ip6 nexthop "
			    "@routers_v6 reject with icmpx type "
			    "admin-prohibited", "@lan_v6 accept");
		}
	} else {
		ck_assert_int_eq(line_of(flt, "@lan_v"), -1);
		ck_assert_int_eq(line_of(flt, "@routers_v"), -1);
	}
	/* LAN packets to a router are refused, never sent into Tor: nat
	 * knows no router and returns every LAN destination. */
	ck_assert_int_eq(line_of(nat, "@routers_v"), -1);
	ck_assert_int_eq(line_of(nat, "rt ip"), -1);
	if (a.ipv6)
		ck_assert_int_eq(line_of(flt, "meta nfproto ipv6 drop"), -1);
	else {
		ck_assert_int_eq(line_of(flt, "@lan_v6"), -1);
		assert_before(flt, "meta nfproto ipv6 drop", "counter reject");
	}

	/* root: exempt only with allow_root, and then in both chains */
	ck_assert_int_eq(line_of(nat, "meta skuid 0 return") >= 0,
	    a.allow_root);
	ck_assert_int_eq(line_of(flt, "meta skuid 0 accept") >= 0,
	    a.allow_root);
	ck_assert_int_eq(strstr(t, "skuid 0 ") != NULL, a.allow_root);
	if (a.allow_root)
		assert_before(flt, "meta skuid 0 accept", "counter reject");

	/* forward dropped, input drops invalid */
	ck_assert_ptr_nonnull(strstr(t, "type filter hook forward priority "
	    "0; policy drop;"));
	free(nat);
	nat = chain(t, "filter_in");
	ck_assert_ptr_nonnull(strstr(nat, "ct state invalid drop"));
	free(nat);
	free(flt);
}
END_TEST

START_TEST(lockdown_shape)
{
	char	*flt;

	ck_assert_int_gt(ruleset_render_lockdown(64001, out, sizeof(out)), 0);
	flt = chain(out, "filter_out");
	ck_assert_ptr_nonnull(strstr(flt, "policy drop;\n\t\tct state "
	    "invalid drop\n"));
	ck_assert_ptr_nonnull(strstr(flt, "meta skuid 64001 accept"));
	ck_assert_str_eq(strrchr(flt, '\t'), "\tcounter drop\n");
	ck_assert_ptr_null(strstr(out, "redirect"));
	ck_assert_ptr_null(strstr(out, "skuid 0 "));
	free(flt);
	/* An empty nat chain keeps existing redirected connections
	 * translated while the host is locked down. */
	flt = chain(out, "output");
	ck_assert_str_eq(flt, "\t\ttype nat hook output priority -100; "
	    "policy accept;\n");
	free(flt);
}
END_TEST

/*
 * The anchor: exactly the session's filter chains and sets for the same
 * options, in its own owned table, with one nat chain that is empty
 * (nothing in it redirects: it only keeps existing translations); only the
 * two slots exist.
 */
START_TEST(anchor_shape)
{
	static char		 anc[RULESET_MAX];
	static const char	*chains[] = { "filter_out", "filter_in",
		"filter_fwd", "filter_post" };
	struct privop_fw_apply	 a = defaults();
	char			*x, *y;
	size_t			 i;

	a.bypass_uids[0] = 1000;
	a.n_bypass_uids = 1;
	a.allow_root = true;
	ck_assert_int_gt(ruleset_render_anchor(&a, 1, anc, sizeof(anc)), 0);
	ck_assert_ptr_nonnull(strstr(anc, "\ntable inet ttp_anchor1 {\n"
	    "\tflags owner\n"));
	ck_assert_ptr_null(strstr(anc, "delete table"));
	ck_assert_ptr_null(strstr(anc, "table inet ttp {"));
	x = strstr(anc, "type nat");
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_null(strstr(x + 1, "type nat"));
	ck_assert_ptr_nonnull(strstr(anc, "\tchain output {\n\t\ttype nat hook "
	    "output priority -100; policy accept;\n\t}\n"));
	ck_assert_ptr_null(strstr(anc, "redirect"));
	render(&a);
	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		x = chain(out, chains[i]);
		y = chain(anc, chains[i]);
		ck_assert_str_eq(x, y);
		free(x);
		free(y);
	}
	ck_assert_int_eq(ruleset_render_anchor(&a, TTP_ANCHOR_SLOTS, anc,
	    sizeof(anc)), -1);
	a.tor_uid = 0;
	ck_assert_int_eq(ruleset_render_anchor(&a, 0, anc, sizeof(anc)), -1);
}
END_TEST

/* Ids are sorted and deduplicated: the order the user gave is not
 * visible in the ruleset. */
START_TEST(deterministic)
{
	struct privop_fw_apply	 a = defaults(), b = defaults();
	char			 first[RULESET_MAX];

	a.bypass_uids[0] = 3; a.bypass_uids[1] = 1; a.bypass_uids[2] = 2;
	a.n_bypass_uids = 3;
	b.bypass_uids[0] = 2; b.bypass_uids[1] = 3; b.bypass_uids[2] = 1;
	b.bypass_uids[3] = 3;
	b.n_bypass_uids = 4;
	strcpy(first, render(&a));
	ck_assert_str_eq(first, render(&b));
	ck_assert_ptr_nonnull(strstr(first, "meta skuid { 1, 2, 3 } return"));

	/* Routers too, in address order whatever the routing table's. */
	a.routers.n_v4 = 3;
	memcpy(a.routers.v4[0], (uint8_t[4]){ 192, 168, 100, 1 }, 4);
	memcpy(a.routers.v4[1], (uint8_t[4]){ 10, 0, 0, 1 }, 4);
	memcpy(a.routers.v4[2], (uint8_t[4]){ 192, 168, 1, 1 }, 4);
	a.routers.n_v6 = 2;
	memcpy(a.routers.v6[0], (uint8_t[16]){ 0xfe, 0x80, [15] = 2 }, 16);
	memcpy(a.routers.v6[1], (uint8_t[16]){ 0xfd, 0, [15] = 1 }, 16);
	b.routers = a.routers;
	memcpy(b.routers.v4[0], a.routers.v4[2], 4);
	memcpy(b.routers.v4[2], a.routers.v4[0], 4);
	memcpy(b.routers.v6[0], a.routers.v6[1], 16);
	memcpy(b.routers.v6[1], a.routers.v6[0], 16);
	strcpy(first, render(&a));
	ck_assert_str_eq(first, render(&b));
	ck_assert_ptr_nonnull(strstr(first, "elements = { 10.0.0.1, "
	    "192.168.1.1, 192.168.100.1 }\n"));
	ck_assert_ptr_nonnull(strstr(first, "elements = { fd00::1, fe80::2 "
	    "}\n"));
}
END_TEST

START_TEST(buffer_too_small)
{
	struct privop_fw_apply	 a = defaults();
	char			 small[RULESET_MAX];
	int			 n;
	size_t			 sz;

	a.bypass_uids[0] = 1000;
	a.n_bypass_uids = 1;
	a.allow_root = true;
	n = ruleset_render_session(&a, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	/* Every size that cannot hold text and NUL fails; n + 1 fits. */
	for (sz = 0; sz <= (size_t)n; sz++)
		ck_assert_int_eq(ruleset_render_session(&a, small, sz), -1);
	ck_assert_int_eq(ruleset_render_session(&a, small, (size_t)n + 1), n);
	n = ruleset_render_lockdown(64001, out, sizeof(out));
	for (sz = 0; sz <= (size_t)n; sz++)
		ck_assert_int_eq(ruleset_render_lockdown(64001, small, sz), -1);
	ck_assert_int_eq(ruleset_render_lockdown(64001, small,
	    (size_t)n + 1), n);
	/* The worst case fits RULESET_MAX with room to spare. */
	a.n_bypass_uids = a.n_bypass_gids = TTP_MAX_BYPASS;
	for (sz = 0; sz < TTP_MAX_BYPASS; sz++) {
		a.bypass_uids[sz] = 0xfffffff0U + (uint32_t)sz;
		a.bypass_gids[sz] = 0xfffffff0U + (uint32_t)sz;
	}
	a.routers.n_v4 = a.routers.n_v6 = TTP_MAX_ROUTERS;
	for (sz = 0; sz < TTP_MAX_ROUTERS; sz++) {
		memset(a.routers.v4[sz], 0xdd, 4);
		a.routers.v4[sz][3] = (uint8_t)sz;
		memset(a.routers.v6[sz], 0xfd, 16);
		a.routers.v6[sz][15] = (uint8_t)sz;
	}
	ck_assert_int_lt(ruleset_render_session(&a, out, sizeof(out)),
	    RULESET_MAX / 2);
}
END_TEST

/* Gateway mode on br0 and virbr0, isolation of uids 0, 1000, 1001. */
static struct privop_fw_apply
gateway(void)
{
	struct privop_fw_apply	 a = defaults();

	strcpy(a.gw.ifs[0], "br0");
	strcpy(a.gw.ifs[1], "virbr0");
	a.gw.n_ifs = 2;
	a.gw.trans_port = TTP_DEF_GW_TRANS_PORT;
	a.gw.dns_port = TTP_DEF_GW_DNS_PORT;
	a.iso.uids[0] = 0;
	a.iso.uids[1] = 1000;
	a.iso.uids[2] = 1001;
	a.iso.n_uids = 3;
	a.iso.base = TTP_ISO_PORT_BASE;
	return a;
}

#define GWS	"iifname { \"br0\", \"virbr0\" } "

START_TEST(golden_gateway)
{
	struct privop_fw_apply	 a = gateway();

	golden("gateway", render(&a));
	a.ipv6 = false;
	a.lan_bypass = false;
	golden("gateway_noipv6", render(&a));
}
END_TEST

/*
 * Gateway mode rule by rule (docs/ruleset.md, "Gateway mode"): spoofed
 * sources dropped ahead of the nat hook; DNS and TCP from the gateway
 * interfaces redirected, nothing else; from there only tor's gateway
 * ports, which no other interface reaches; nothing forwarded. The anchor
 * keeps the filter half; the lockdown has none of it.
 */
START_TEST(gateway_rules)
{
	static char		 anc[RULESET_MAX];
	struct privop_fw_apply	 a = gateway();
	char			*pre, *nat, *in, *fwd, *x;

	a.iso.base = 0;
	a.iso.n_uids = 0;
	render(&a);
	pre = chain(out, "gw_pre");
	ck_assert_ptr_nonnull(strstr(out, "\tchain gw_pre {\n\t\ttype filter "
	    "hook prerouting priority mangle; policy accept;\n"));
	ck_assert_ptr_nonnull(strstr(pre, GWS "fib saddr . iif oif missing "
	    "counter drop\n"));
	ck_assert_ptr_null(strstr(pre, " accept\n"));
	nat = chain(out, "prerouting");
	ck_assert_ptr_nonnull(strstr(nat, GWS "udp dport 53 redirect to "
	    ":9055\n"));
	ck_assert_ptr_nonnull(strstr(nat, GWS "meta l4proto tcp redirect to "
	    ":9042\n"));
	assert_before(nat, "udp dport 53", "meta l4proto tcp");
	/* Only TCP and DNS: three lines (the hook, two redirects). */
	for (x = nat; (x = strchr(x + 1, '\n')) != NULL && x[1] != '\0';)
		ck_assert_ptr_nonnull(strstr(x, "redirect") ? x : NULL);
	in = chain(out, "filter_in");
	assert_before(in, "ct state invalid drop", GWS "ct state established");
	assert_before(in, GWS "tcp dport 9042 accept", GWS "counter drop");
	assert_before(in, GWS "udp dport 9055 accept", GWS "counter drop");
	assert_before(in, GWS "icmpv6 type { nd-neighbor-solicit, "
	    "nd-neighbor-advert } ip6 hoplimit 255 accept", GWS "counter drop");
	assert_before(in, GWS "counter drop", "\t\ttcp dport 9042 drop");
	assert_before(in, GWS "counter drop", "\t\tudp dport 9055 drop");
	fwd = chain(out, "filter_fwd");
	ck_assert_ptr_nonnull(strstr(fwd, "policy drop;"));
	ck_assert_ptr_null(strstr(fwd, "accept\n"));
	ck_assert_ptr_null(strstr(out, "iso_"));
	/* The anchor holds the same filter half, no redirect. */
	ck_assert_int_gt(ruleset_render_anchor(&a, 0, anc, sizeof(anc)), 0);
	x = chain(anc, "gw_pre");
	ck_assert_str_eq(x, pre);
	free(x);
	x = chain(anc, "filter_in");
	ck_assert_str_eq(x, in);
	free(x);
	ck_assert_ptr_null(strstr(anc, "redirect"));
	free(pre);
	free(nat);
	free(in);
	free(fwd);
	/* Without IPv6: the gateway's IPv6 dropped before anything else,
	 * IPv4 alone redirected, no neighbour discovery. */
	a.ipv6 = false;
	render(&a);
	pre = chain(out, "gw_pre");
	assert_before(pre, GWS "meta nfproto ipv6 drop", GWS "fib saddr");
	free(pre);
	nat = chain(out, "prerouting");
	ck_assert_ptr_nonnull(strstr(nat, GWS "meta nfproto ipv4 udp dport 53 "
	    "redirect to :9055\n"));
	ck_assert_ptr_nonnull(strstr(nat, GWS "meta nfproto ipv4 meta l4proto "
	    "tcp redirect to :9042\n"));
	free(nat);
	ck_assert_ptr_null(strstr(out, "nd-neighbor-solicit, nd-neighbor-advert "
	    "} ip6 hoplimit 255 accept\n\t\t" GWS "counter"));
	/* Without a gateway: an empty prerouting, no gw_pre, no rule that
	 * names an interface in filter_in. */
	a = defaults();
	render(&a);
	ck_assert_ptr_null(strstr(out, "gw_pre"));
	ck_assert_ptr_null(strstr(out, "iifname"));
	ck_assert_ptr_nonnull(strstr(out, "\tchain prerouting {\n\t\ttype nat "
	    "hook prerouting priority dstnat; policy accept;\n\t}\n"));
	ck_assert_int_gt(ruleset_render_lockdown(64001, out, sizeof(out)), 0);
	ck_assert_ptr_null(strstr(out, "iifname"));
	ck_assert_ptr_null(strstr(out, "prerouting"));
}
END_TEST

/*
 * --isolate-users: every redirect of nat output looks the uid up in its
 * map first, and the next line sends whoever missed it to the pair of
 * the other uids; the maps give uid i the pair base + 2i, base + 2i + 1.
 */
START_TEST(isolate_rules)
{
	static char		 anc[RULESET_MAX];
	struct privop_fw_apply	 a = gateway();
	char			*nat, *chk;
	const char		*p;
	int			 looks = 0;

	render(&a);
	ck_assert_ptr_nonnull(strstr(out, "\tmap iso_trans {\n\t\ttype uid : "
	    "inet_service\n\t\telements = { 0 : 9100, 1000 : 9102, "
	    "1001 : 9104 }\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(out, "\tmap iso_dns {\n\t\ttype uid : "
	    "inet_service\n\t\telements = { 0 : 9101, 1000 : 9103, "
	    "1001 : 9105 }\n\t}\n"));
	nat = chain(out, "output");
	ck_assert_ptr_null(strstr(nat, ":9041"));
	ck_assert_ptr_null(strstr(nat, ":9054"));
	for (p = nat; (p = strstr(p, " redirect to :meta skuid map @")) !=
	    NULL; p++) {
		const char	*eol = strchr(p, '\n'), *end;
		const char	*port = strncmp(p + 30, "iso_dns", 7) == 0 ?
		    ":9107\n" : ":9106\n";

		looks++;
		ck_assert_ptr_nonnull(eol);
		/* The next line sends the other uids to their port. */
		end = strchr(eol + 1, '\n');
		ck_assert_ptr_nonnull(end);
		ck_assert_msg(strncmp(end - 5, port, 6) == 0,
		    "no fallback after '%.*s'", (int)(eol - p), p);
	}
	/* udp 53, the two virtual ranges, tcp 53, all TCP. */
	ck_assert_int_eq(looks, 5);
	assert_before(nat, "meta skuid 64001 return", "@iso_dns");
	assert_before(nat, "ip6 daddr ::1 return", "tcp dport 53 redirect to "
	    ":meta skuid map @iso_trans");
	free(nat);
	/* Each uid's ports are its own in filter_out too, before loopback
	 * is accepted; the other uids' pair (9106, 9107) is open. */
	ck_assert_ptr_nonnull(strstr(out, "\tset iso_own {\n\t\ttype uid . "
	    "inet_service\n\t\telements = { 0 . 9100, 0 . 9101, 1000 . 9102, "
	    "1000 . 9103, 1001 . 9104, 1001 . 9105 }\n\t}\n"));
	nat = chain(out, "filter_out");
	assert_before(nat, "ct state invalid drop", "ct direction original "
	    "ip daddr 127.0.0.0/8 meta l4proto { tcp, udp } th dport 9100-9105 "
	    "meta skuid . th dport != @iso_own counter reject\n");
	assert_before(nat, "ct state invalid drop", "ct direction original "
	    "ip6 daddr ::1 meta l4proto { tcp, udp } th dport 9100-9105 "
	    "meta skuid . th dport != @iso_own counter reject\n");
	assert_before(nat, "@iso_own", "oifname \"lo\" accept");
	free(nat);
	/* The anchor has no nat, so no maps, but the same filter_out. */
	ck_assert_int_gt(ruleset_render_anchor(&a, 0, anc, sizeof(anc)), 0);
	ck_assert_ptr_null(strstr(anc, "iso_trans"));
	ck_assert_ptr_null(strstr(anc, "iso_dns"));
	ck_assert_ptr_nonnull(strstr(anc, "\tset iso_own {\n"));
	nat = chain(out, "filter_out");
	chk = chain(anc, "filter_out");
	ck_assert_str_eq(nat, chk);
	free(nat);
	free(chk);
	/* No uid in the list: no set elements and no rule. */
	a.iso.n_uids = 0;
	render(&a);
	ck_assert_ptr_null(strstr(out, "!= @iso_own"));
	ck_assert_ptr_nonnull(strstr(out, "redirect to :9101\n"));
	a.iso.n_uids = 3;
	/* All TTP_MAX_ISOLATE uids, with every other option at its largest,
	 * fit with room to spare. */
	for (a.iso.n_uids = 0; a.iso.n_uids < TTP_MAX_ISOLATE; a.iso.n_uids++)
		a.iso.uids[a.iso.n_uids] = 0xfffffe00U + a.iso.n_uids;
	a.gw.n_ifs = TTP_MAX_GATEWAYS;
	strcpy(a.gw.ifs[2], "abcdefghijklmno");
	strcpy(a.gw.ifs[3], "docker0");
	ck_assert_int_lt(ruleset_render_session(&a, out, sizeof(out)),
	    RULESET_MAX / 2);
}
END_TEST

/* The kind of a table from its blocks: gateway and isolation blocks are
 * a session's when there, and only then; nothing else may be added. */
START_TEST(classify_optional_blocks)
{
	struct privop_fw_apply	 a = gateway();
	char			*extra;

	render(&a);
	ck_assert_uint_eq(ruleset_classify(out), FW_STATE_SESSION);
	a = defaults();
	render(&a);
	ck_assert_uint_eq(ruleset_classify(out), FW_STATE_SESSION);
	ck_assert_int_gt(asprintf(&extra, "%s\tchain sneaky {\n\t}\n", out),
	    0);
	ck_assert_uint_eq(ruleset_classify(extra), FW_STATE_FOREIGN);
	free(extra);
	ck_assert_int_gt(ruleset_render_lockdown(64001, out, sizeof(out)), 0);
	ck_assert_uint_eq(ruleset_classify(out), FW_STATE_LOCKDOWN);
	/* A lockdown with a gateway chain is not a lockdown. */
	ck_assert_int_gt(asprintf(&extra, "%s\tchain gw_pre {\n\t}\n", out),
	    0);
	ck_assert_uint_eq(ruleset_classify(extra), FW_STATE_FOREIGN);
	free(extra);
}
END_TEST

/* The renderer re-checks what its safety depends on. */
START_TEST(bad_arguments)
{
	struct privop_fw_apply	 a;

	a = defaults(); a.tor_uid = 0;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.tor_uid = UINT32_MAX;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.trans_port = 0;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.dns_port = 0;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.n_bypass_uids = TTP_MAX_BYPASS + 1;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.n_bypass_gids = 1; a.bypass_gids[0] = 0;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.n_bypass_uids = 1; a.bypass_uids[0] = 0;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.routers.n_v4 = TTP_MAX_ROUTERS + 1;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = defaults(); a.routers.n_v6 = TTP_MAX_ROUTERS + 1;
	ck_assert_int_eq(ruleset_render_anchor(&a, 0, out, sizeof(out)), -1);
	ck_assert_int_eq(ruleset_render_session(&a, NULL, 100), -1);
	/* Interface names are rule text: only what privd validates. */
	a = gateway(); strcpy(a.gw.ifs[0], "br0\" accept");
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	ck_assert_int_eq(ruleset_render_anchor(&a, 0, out, sizeof(out)), -1);
	a = gateway(); strcpy(a.gw.ifs[1], "lo");
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = gateway(); a.gw.ifs[0][0] = '\0';
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = gateway(); memset(a.gw.ifs[0], 'a', TTP_IFNAME_MAX);
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = gateway(); a.gw.n_ifs = TTP_MAX_GATEWAYS + 1;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = gateway(); a.gw.trans_port = 0;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = gateway(); a.iso.n_uids = TTP_MAX_ISOLATE + 1;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	a = gateway(); a.iso.base = 65530;
	ck_assert_int_eq(ruleset_render_session(&a, out, sizeof(out)), -1);
	ck_assert_int_eq(ruleset_render_lockdown(0, out, sizeof(out)), -1);
	ck_assert_int_eq(ruleset_render_lockdown(UINT32_MAX, out,
	    sizeof(out)), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ruleset");
	TCase	*tc = tcase_create("render");

	tcase_add_test(tc, golden_default);
	tcase_add_test(tc, golden_noipv6_nolan);
	tcase_add_test(tc, golden_bypass_root);
	tcase_add_test(tc, golden_allow_router);
	tcase_add_test(tc, golden_lockdown);
	tcase_add_test(tc, replaces_table);
	tcase_add_loop_test(tc, ordering, 0, 8);
	tcase_add_test(tc, lockdown_shape);
	tcase_add_test(tc, anchor_shape);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, buffer_too_small);
	tcase_add_test(tc, golden_gateway);
	tcase_add_test(tc, gateway_rules);
	tcase_add_test(tc, isolate_rules);
	tcase_add_test(tc, classify_optional_blocks);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return check_run(s);
}
