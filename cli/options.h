/*
 * The command-line options that shape the firewall, shared by `ttp rules`
 * and (later) `ttp start` / `ttp restart`, so the ruleset an auditor prints
 * and the one a session loads come from the same parsing. A command lists
 * FW_OPTS_LONGOPTS in its getopt_long table, hands every option to
 * fw_opts_parse(), then calls fw_opts_finish() to get the request privd
 * will validate again.
 */
#ifndef TTP_CLI_OPTIONS_H
#define TTP_CLI_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc/privop.h"

/* getopt_long values of the shared options (above any short option). */
enum {
	FWOPT_ALLOW_ROOT = 0x100,
	FWOPT_NO_LAN_BYPASS,
	FWOPT_LAN_ALLOW_ROUTER,
	FWOPT_NO_IPV6,
	FWOPT_BYPASS_USER,
	FWOPT_BYPASS_GROUP,
	FWOPT_TRANS_PORT,
	FWOPT_DNS_PORT,
	FWOPT_TOR_UID,
	FWOPT_GATEWAY,
	FWOPT_ISOLATE_USERS,
	FWOPT_END		/* first value free for a command's own */
};

#define FW_OPTS_LONGOPTS						\
	{ "allow-root",		no_argument,	   NULL, FWOPT_ALLOW_ROOT },	\
	{ "no-lan-bypass",	no_argument,	   NULL, FWOPT_NO_LAN_BYPASS },	\
	{ "lan-allow-router",	no_argument,	   NULL, FWOPT_LAN_ALLOW_ROUTER }, \
	{ "no-ipv6",		no_argument,	   NULL, FWOPT_NO_IPV6 },	\
	{ "bypass-user",	required_argument, NULL, FWOPT_BYPASS_USER },	\
	{ "bypass-group",	required_argument, NULL, FWOPT_BYPASS_GROUP },	\
	{ "transport-port",	required_argument, NULL, FWOPT_TRANS_PORT },	\
	{ "dns-port",		required_argument, NULL, FWOPT_DNS_PORT },	\
	{ "tor-uid",		required_argument, NULL, FWOPT_TOR_UID },	\
	{ "gateway",		required_argument, NULL, FWOPT_GATEWAY },	\
	{ "isolate-users",	no_argument,	   NULL, FWOPT_ISOLATE_USERS }

#define FW_OPTS_HELP							\
	"  --allow-root          exempt root (uid 0) from Tor routing\n"	\
	"  --no-lan-bypass       send LAN traffic through Tor as well\n"	\
	"  --lan-allow-router    let the LAN bypass reach the routers (the\n"	\
	"                        gateways of the routes) and the networks\n"	\
	"                        behind them, whose pages can show the\n"	\
	"                        public address (default: refused)\n"	\
	"  --no-ipv6             drop all IPv6 instead of redirecting it\n"	\
	"  --bypass-user U,...   users (names or uids) that bypass Tor\n"	\
	"  --bypass-group G,...  groups (names or gids) that bypass Tor\n"	\
	"  --transport-port N    Tor's TransPort (default 9041)\n"		\
	"  --dns-port N          Tor's DNSPort (default 9054)\n"		\
	"  --tor-uid N           uid tor runs as (default: the uid of the\n"	\
	"                        tor user, " TTP_DEF_TOR_USER ")\n"	\
	"  --gateway IFACE       also carry the TCP and DNS of the hosts\n"	\
	"                        behind IFACE (a VM bridge, docker0, a\n"	\
	"                        second NIC) through Tor, nothing else;\n"	\
	"                        repeatable, up to 4 (docs/gateway.md)\n"	\
	"  --isolate-users       give each local user (uid) Tor circuits\n"	\
	"                        no other user shares\n"

struct fw_opts {
	const char	*tor_user;	/* used when tor_uid is 0 */
	uint32_t	 tor_uid;	/* 0: look up tor_user */
	uint16_t	 trans_port;
	uint16_t	 dns_port;
	bool		 allow_root;
	bool		 lan_bypass;
	bool		 lan_allow_router;	/* no router exclusion */
	bool		 no_ipv6;
	uint32_t	 uids[TTP_MAX_BYPASS];
	uint32_t	 gids[TTP_MAX_BYPASS];
	uint8_t		 nuids;
	uint8_t		 ngids;
	bool		 ports_given;	/* --transport-port or --dns-port */
	char		 gw_ifs[TTP_MAX_GATEWAYS][TTP_IFNAME_MAX];
	uint8_t		 n_gw;		/* --gateway, in the order given */
	bool		 isolate_users;
};

struct ttp_config;

void	fw_opts_init(struct fw_opts *o);
/* 1: opt was one of FW_OPTS_LONGOPTS and is recorded; 0: not ours;
 * -1: bad value (a one-line error has been printed). */
int	fw_opts_parse(struct fw_opts *o, int opt, const char *arg);
/* The configuration's tor user and ports, where no option overrides them. */
void	fw_opts_config(struct fw_opts *o, const struct ttp_config *cfg);
/* Resolve the tor uid, probe IPv6, read the routers the LAN bypass
 * excludes (from this network namespace's routes); fill *a. 0, or -1
 * (error printed). */
int	fw_opts_finish(const struct fw_opts *o, struct privop_fw_apply *a);
/*
 * After getopt_long returned '?' or ':' (with opterr = 0): one line naming
 * the bad option and where help is. Returns TTP_EXIT_ERROR.
 */
int	bad_option(const char *cmd, char **argv);
/* --bootstrap-timeout's value: 1 to 3600 seconds; -1 (error printed). */
int	parse_bootstrap_timeout(const char *arg, long *secs);
/* Strict decimal in [min, max]; 0 on success. */
int	parse_uint(const char *s, unsigned long long min,
	    unsigned long long max, unsigned long long *out);
/*
 * Before a session starts: each --gateway interface exists, is not the
 * interface of a default route nor `interface` (-i, may be NULL). 0, or
 * -1 after one line saying which and how to fix it.
 */
int	fw_opts_check_gateways(const struct fw_opts *o, const char *interface);
/* Does this network namespace have ::1 on lo (/proc/net/if_inet6)? */
bool	host_has_ipv6_loopback(void);

#endif
