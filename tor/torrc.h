/*
 * The generated torrc: ttp's own directives,
 * then the bridges, then the user's torrc_append file verbatim.
 */
#ifndef TTP_TORRC_H
#define TTP_TORRC_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "tor/bridges.h"

/* Largest torrc ttp renders (its own lines, 64 bridges, the append file). */
#define TORRC_MAX	(256 * 1024)

struct torrc_opts {
	uint16_t		 trans_port;	/* as chosen by ports_choose() */
	uint16_t		 dns_port;
	int			 ipv6;		/* listen on [::1] too */
	int			 sandbox;	/* "Sandbox 1" */
	int			 use_bridges;	/* also implied by bridges->n > 0 */
	/* `ttp run`'s SOCKS listener (a unix socket); "": SocksPort 0. */
	char			 socks_path[TTP_CONF_PATH_MAX];
	const struct bridge_list *bridges;	/* NULL: none */
	/* Gateway mode: tor's ports for the hosts behind the gateway
	 * interfaces, on 0.0.0.0 (and [::] with ipv6); 0: none. */
	uint16_t		 gw_trans_port;
	uint16_t		 gw_dns_port;
	/* --isolate-users: n_iso + 1 pairs from iso_base (0: none). */
	uint16_t		 iso_base;
	unsigned		 n_iso;
	/* The program of each transport the bridges use ("" = unused). */
	char			 pt_path[PT_COUNT][TTP_CONF_PATH_MAX];
};

/* Ports from cfg, IPv6 on, sandbox unless cfg says 0, no bridges. */
void	torrc_opts_init(struct torrc_opts *o, const struct ttp_config *cfg);

/*
 * Render into buf (NUL-terminated). Reads cfg->torrc_append when set.
 * Returns the length, or -1 with a message in err (append file unreadable
 * or untrusted, buffer too small).
 */
int	torrc_render(const struct ttp_config *cfg, const struct torrc_opts *o,
	    char *buf, size_t bufsz, char *err, size_t errsz);

#endif
