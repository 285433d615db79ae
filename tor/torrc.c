/*
 * runs in: ttp, root.
 *
 * Rendering the torrc; see torrc.h. Decisions, each checked against
 * tor 0.4.9 (`tor --verify-config` and a real start in a namespace):
 * - No User line: ttp starts tor as its user directly (tor_spawn), so
 *   tor never runs as root, not even to parse this file.
 * - Logs go to stdout, which tor_spawn points at run_dir/tor.log opened
 *   by root: tor itself cannot create files in run_dir, and needs no
 *   writable directory besides its own.
 * - ControlSocket and CookieAuthFile live in tor_run_dir (0700, tor
 *   user). No ControlSocketsGroupWritable / CookieAuthFileGroupReadable:
 *   ttp-torctl connects and reads the cookie as root, before it drops
 *   privileges, so nobody else needs access.
 * - VirtualAddrNetworkIPv6 wants the address in brackets: "[100::]/64".
 * - "Sandbox 1" only when asked: tor refuses it together with managed
 *   pluggable transports ("Managed proxies are not compatible with
 *   Sandbox mode"); the caller decides (tor_build_torrc).
 * - No AvoidDiskWrites: the DataDirectory is persistent so that entry
 *   guards survive; tor should save their state when it changes.
 * - Gateway mode (docs/gateway.md): a TransPort and a DNSPort on 0.0.0.0
 *   and [::] (tor makes its IPv6 listeners IPV6_V6ONLY, so both bind),
 *   reachable only from the gateway interfaces (filter_in), with
 *   IsolateClientAddr spelled out although it is in tor's defaults: each
 *   host behind the gateway gets circuits of its own. tor warns that a
 *   TransPort on a public address can be an open proxy; the ruleset is
 *   what closes it.
 * - --isolate-users: one TransPort/DNSPort pair per uid on loopback.
 *   Streams of different listeners never share a circuit (each port is
 *   its own SessionGroup by default), so the pairs isolate the uids.
 */
#include "tor/torrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/defaults.h"

/*
 * DoH canary domains: answering them tells applications not to switch to
 * their own DNS-over-HTTPS resolver (Firefox: use-application-dns.net;
 * Apple's iCloud Private Relay: mask.icloud.com, mask-h2.icloud.com, for
 * clients behind a gateway). Resolved by tor's DNSPort to 0.0.0.0.
 */
static const char *const doh_canaries[] = {
	"use-application-dns.net",
	"mask.icloud.com",
	"mask-h2.icloud.com",
};

struct out {
	char	*buf;
	size_t	 sz;
	size_t	 len;
	int	 overflow;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->sz - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->sz - o->len) {
		o->overflow = 1;
		return;
	}
	o->len += (size_t)n;
}

void
torrc_opts_init(struct torrc_opts *o, const struct ttp_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->trans_port = cfg->transport_port;
	o->dns_port = cfg->dns_port;
	o->ipv6 = 1;
	o->sandbox = cfg->tor_sandbox != TTP_TOR_SANDBOX_OFF;
}

static void
put_bridges(struct out *out, const struct torrc_opts *o)
{
	const struct bridge_list *bl = o->bridges;
	unsigned	 used = 0, done = 0;
	int		 t, u;

	if (!o->use_bridges && (bl == NULL || bl->n == 0))
		return;
	put(out, "\n# Bridges\nUseBridges 1\n");
	if (bl != NULL) {
		for (size_t i = 0; i < bl->n; i++)
			put(out, "Bridge %s\n", bl->v[i].line);
		used = bridges_transports(bl);
	}
	/* One ClientTransportPlugin line per program, for what is used. */
	for (t = PT_VANILLA + 1; t < PT_COUNT; t++) {
		const char *sep = "";

		if (!(used & (1U << t)) || (done & (1U << t)) ||
		    o->pt_path[t][0] == '\0')
			continue;
		put(out, "ClientTransportPlugin ");
		for (u = t; u < PT_COUNT; u++)
			if ((used & (1U << u)) &&
			    strcmp(o->pt_path[u], o->pt_path[t]) == 0) {
				put(out, "%s%s", sep, pt_name(u));
				sep = ",";
				done |= 1U << u;
			}
		put(out, " exec %s\n", o->pt_path[t]);
	}
}

static int
put_append(struct out *out, const char *path, char *err, size_t errsz)
{
	size_t	 start;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errsz, "torrc_append %s: %s", path,
		    strerror(errno));
		return -1;
	}
	/* Its lines can start programs as the tor user, exempt by uid. */
	if (config_file_trusted(fd, path, err, errsz) == -1) {
		close(fd);
		return -1;
	}
	put(out, "\n# --- torrc_append %s (verbatim) ---\n", path);
	start = out->len;
	while (!out->overflow) {
		ssize_t	 n;

		if (out->len + 1 >= out->sz) {
			out->overflow = 1;
			break;
		}
		n = read(fd, out->buf + out->len, out->sz - out->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errsz, "torrc_append %s: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	close(fd);
	if (out->overflow)
		return 0;
	out->buf[out->len] = '\0';
	if (memchr(out->buf + start, '\0', out->len - start) != NULL) {
		snprintf(err, errsz, "torrc_append %s: contains a NUL byte",
		    path);
		return -1;
	}
	if (out->len > start && out->buf[out->len - 1] != '\n')
		put(out, "\n");
	return 0;
}

int
torrc_render(const struct ttp_config *cfg, const struct torrc_opts *o,
    char *buf, size_t bufsz, char *err, size_t errsz)
{
	struct out	 out = { .buf = buf, .sz = bufsz };
	const char	*v6 = TTP_VIRT_NET6, *slash;
	size_t		 i;

	if (bufsz == 0) {
		snprintf(err, errsz, "torrc: no buffer");
		return -1;
	}
	buf[0] = '\0';
	slash = strchr(v6, '/');
	put(&out, "# torrc generated by ttp at every start; do not edit.\n"
	    "# Add directives through torrc_append in ttp's configuration.\n"
	    "# No User line: ttp starts tor as %s, tor never holds root.\n",
	    cfg->tor_user);
	put(&out, "DataDirectory %s\n", cfg->data_dir);
	put(&out, "RunAsDaemon 0\n");
	put(&out, "ClientOnly 1\n");
	/* For `ttp run` only (docs/run.md): a unix socket, so no TCP port
	 * can collide; WorldWritable lets tor accept its directory (the tor
	 * user's, 0755). Loopback users could reach TransPort already. */
	if (o->socks_path[0] != '\0')
		put(&out, "SocksPort unix:%s WorldWritable IsolateSOCKSAuth\n",
		    o->socks_path);
	else
		put(&out, "SocksPort 0\n");
	put(&out, "TransPort 127.0.0.1:%u\n", o->trans_port);
	if (o->ipv6)
		put(&out, "TransPort [::1]:%u\n", o->trans_port);
	put(&out, "DNSPort 127.0.0.1:%u\n", o->dns_port);
	if (o->ipv6)
		put(&out, "DNSPort [::1]:%u\n", o->dns_port);
	if (o->gw_trans_port != 0) {
		put(&out, "# Gateway mode: the hosts behind the gateway "
		    "interfaces (docs/gateway.md)\n");
		put(&out, "TransPort 0.0.0.0:%u IsolateClientAddr\n",
		    o->gw_trans_port);
		if (o->ipv6)
			put(&out, "TransPort [::]:%u IsolateClientAddr\n",
			    o->gw_trans_port);
		put(&out, "DNSPort 0.0.0.0:%u IsolateClientAddr\n",
		    o->gw_dns_port);
		if (o->ipv6)
			put(&out, "DNSPort [::]:%u IsolateClientAddr\n",
			    o->gw_dns_port);
	}
	if (o->iso_base != 0) {
		put(&out, "# --isolate-users: a pair per uid, the last for "
		    "every other uid\n");
		for (i = 0; i <= o->n_iso; i++) {
			unsigned	 t = o->iso_base + 2U * (unsigned)i;

			put(&out, "TransPort 127.0.0.1:%u\n", t);
			if (o->ipv6)
				put(&out, "TransPort [::1]:%u\n", t);
			put(&out, "DNSPort 127.0.0.1:%u\n", t + 1);
			if (o->ipv6)
				put(&out, "DNSPort [::1]:%u\n", t + 1);
		}
	}
	put(&out, "VirtualAddrNetworkIPv4 %s\n", TTP_VIRT_NET4);
	put(&out, "VirtualAddrNetworkIPv6 [%.*s]%s\n", (int)(slash - v6), v6,
	    slash);
	put(&out, "AutomapHostsOnResolve 1\n");
	put(&out, "AutomapHostsSuffixes .onion,.exit\n");
	put(&out, "ControlSocket %s/%s\n", cfg->tor_run_dir,
	    TTP_CONTROL_SOCK_NAME);
	put(&out, "CookieAuthentication 1\n");
	put(&out, "CookieAuthFile %s/%s\n", cfg->tor_run_dir, TTP_COOKIE_NAME);
	put(&out, "Log notice stdout\n");
	for (i = 0; i < sizeof(doh_canaries) / sizeof(doh_canaries[0]); i++)
		put(&out, "MapAddress %s 0.0.0.0\n", doh_canaries[i]);
	if (o->sandbox)
		put(&out, "Sandbox 1\n");
	put_bridges(&out, o);
	if (cfg->torrc_append[0] != '\0' &&
	    put_append(&out, cfg->torrc_append, err, errsz) == -1)
		return -1;
	if (out.overflow) {
		snprintf(err, errsz, "torrc longer than %zu bytes", bufsz - 1);
		return -1;
	}
	return (int)out.len;
}
