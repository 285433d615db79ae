/*
 * runs in: ttp, root (start, restart) or any user (rules, status).
 *
 * The gateways of the host's routes (see routes.h). /proc/net/route prints
 * each address as the hex of the kernel's 32-bit word, which holds it in
 * network byte order (little-endian hex on x86: 0101A8C0 is 192.168.1.1);
 * /proc/net/ipv6_route prints the 16 bytes in order.
 */
#include "ipc/routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/route.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/log.h"

/* What privop_validate_req() accepts: unicast, and not loopback. */
static bool
unicast(const uint8_t *a, size_t len)
{
	static const uint8_t	 any6[16], lo6[16] = { [15] = 1 };

	if (len == 4)
		return a[0] != 0 && a[0] != 127 && a[0] < 224;
	return memcmp(a, any6, 16) != 0 && memcmp(a, lo6, 16) != 0 &&
	    a[0] != 0xff;
}

/* Add one address to v (n entries of len bytes) unless it is there. */
static int
add(uint8_t *v, uint8_t *n, const uint8_t *a, size_t len)
{
	uint8_t	 i;

	if (!unicast(a, len))
		return 0;
	for (i = 0; i < *n; i++)
		if (memcmp(v + i * len, a, len) == 0)
			return 0;
	if (*n == TTP_MAX_ROUTERS)
		return -1;
	memcpy(v + (*n)++ * len, a, len);
	return 0;
}

/* Iface Destination Gateway Flags ...: "eth0 00000000 0101A8C0 0003 ..."
 * (the first line is a header, which does not scan). */
int
routes_parse4(FILE *fp, struct privop_routers *r)
{
	char		 line[512];
	unsigned int	 gw, flags;
	uint32_t	 w;
	int		 rc = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%*s %*x %x %x", &gw, &flags) != 2 ||
		    !(flags & RTF_GATEWAY))
			continue;
		w = gw;
		if (add(r->v4[0], &r->n_v4, (const uint8_t *)&w, 4) == -1)
			rc = -1;
	}
	return rc;
}

/* dest plen src plen nexthop metric refcnt use flags dev, the addresses
 * as 32 hex digits: "00000000000000000000000000000000 00 ... 00000003 eth0". */
int
routes_parse6(FILE *fp, struct privop_routers *r)
{
	char		 line[512], hop[33];
	uint8_t		 a[16];
	unsigned int	 flags, b;
	size_t		 i;
	int		 rc = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%*32s %*2x %*32s %*2x %32s %*8x %*8x %*8x %8x",
		    hop, &flags) != 2 || !(flags & RTF_GATEWAY) ||
		    strlen(hop) != 32 || strspn(hop, "0123456789abcdefABCDEF")
		    != 32)
			continue;
		for (i = 0; i < 16; i++) {
			(void)sscanf(hop + 2 * i, "%2x", &b);
			a[i] = (uint8_t)b;
		}
		if (add(r->v6[0], &r->n_v6, a, 16) == -1)
			rc = -1;
	}
	return rc;
}

int
routes_read(struct privop_routers *r)
{
	FILE	*fp;
	int	 rc;

	memset(r, 0, sizeof(*r));
	if ((fp = fopen("/proc/net/route", "re")) == NULL) {
		log_warn("cannot read the routes the LAN bypass must exclude: "
		    "/proc/net/route");
		return -1;
	}
	rc = routes_parse4(fp, r);
	fclose(fp);
	if ((fp = fopen("/proc/net/ipv6_route", "re")) != NULL) {
		rc |= routes_parse6(fp, r);
		fclose(fp);
	} else if (errno != ENOENT) {
		log_warn("cannot read the routes the LAN bypass must exclude: "
		    "/proc/net/ipv6_route");
		return -1;
	}
	if (rc != 0) {
		log_warnx("the routes have more than %d distinct gateways of "
		    "one address family; the LAN bypass cannot exclude them "
		    "all: pass --no-lan-bypass (or --lan-allow-router)",
		    TTP_MAX_ROUTERS);
		return -1;
	}
	return 0;
}

void
routes_format(const struct privop_routers *r, char *buf, size_t bufsz)
{
	char	 s[INET6_ADDRSTRLEN];
	size_t	 len = 0;
	uint8_t	 i;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < r->n_v4 + r->n_v6 && i < 2 * TTP_MAX_ROUTERS; i++) {
		if (i < r->n_v4)
			(void)inet_ntop(AF_INET, r->v4[i], s, sizeof(s));
		else
			(void)inet_ntop(AF_INET6, r->v6[i - r->n_v4], s,
			    sizeof(s));
		(void)snprintf(buf + len, bufsz - len, "%s%s", len ? ", " : "",
		    s);
		len = strlen(buf);
	}
	if (len == 0)
		(void)snprintf(buf, bufsz, "none");
}

/*
 * Is there a default route (IPv4 or IPv6) in this network namespace, up
 * and not a reject route? What `ttp boot start` waits for: the network is
 * there when the host knows where to send a packet for the Internet.
 */
bool
routes_have_default(void)
{
	char		 line[512], dst[33];
	unsigned int	 d, flags, plen;
	FILE		*fp;
	bool		 found = false;

	if ((fp = fopen("/proc/net/route", "re")) != NULL) {
		while (!found && fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "%*s %x %*x %x %*u %*u %*u %*x",
			    &d, &flags) == 2 && d == 0 && (flags & RTF_UP) &&
			    !(flags & RTF_REJECT))
				found = true;
		fclose(fp);
	}
	if (!found && (fp = fopen("/proc/net/ipv6_route", "re")) != NULL) {
		/* dst plen src splen nexthop metric refcnt use flags dev */
		while (!found && fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x",
			    dst, &plen, &flags) == 3 && plen == 0 &&
			    strspn(dst, "0") == 32 && (flags & RTF_UP) &&
			    !(flags & RTF_REJECT))
				found = true;
		fclose(fp);
	}
	return found;
}
