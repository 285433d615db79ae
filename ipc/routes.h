/*
 * The routers of the host: the gateways of its routes, which the LAN
 * bypass must not reach (docs/killswitch.md, "The LAN bypass and the
 * router"). Read by the CLI from /proc/net/route (the main IPv4 table)
 * and /proc/net/ipv6_route (every IPv6 table) of its network namespace;
 * privd only ever sees the addresses.
 */
#ifndef TTP_ROUTES_H
#define TTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ipc/privop.h"

/*
 * Add the gateways of the routes listed in fp, in the format of
 * /proc/net/route or /proc/net/ipv6_route, to r: each distinct unicast
 * gateway once. 0, or -1 when there are more than TTP_MAX_ROUTERS (r then
 * holds the first TTP_MAX_ROUTERS).
 */
int	routes_parse4(FILE *fp, struct privop_routers *r);
int	routes_parse6(FILE *fp, struct privop_routers *r);
/* Both files of this network namespace (ipv6_route may be missing: no
 * IPv6); 0, or -1 after one line saying why. */
int	routes_read(struct privop_routers *r);
/* A default route, IPv4 or IPv6, up and not a reject route? */
bool	routes_have_default(void);
/* "a, b, c" (or "none") into buf; NUL-terminated, truncated if need be. */
void	routes_format(const struct privop_routers *r, char *buf, size_t bufsz);

#endif
