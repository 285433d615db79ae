/*
 * runs in: ttp, root or any user.
 *
 * Parsing of the firewall options (see options.h). Names are resolved to
 * ids here, in the unprivileged CLI, so privd only ever sees integers;
 * every error is one line saying what is wrong and how to fix it.
 */
#include "cli/options.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/defaults.h"
#include "common/log.h"
#include "ipc/routes.h"

#define ID_MAX	0xfffffffeULL	/* (uid_t)-1 is "no id" */

void
fw_opts_init(struct fw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tor_user = TTP_DEF_TOR_USER;
	o->trans_port = TTP_DEF_TRANS_PORT;
	o->dns_port = TTP_DEF_DNS_PORT;
	o->lan_bypass = true;
}

int
parse_uint(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long	 v;
	char			*end;

	/* strtoull accepts spaces and a sign; a number here is digits. */
	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_bootstrap_timeout(const char *arg, long *secs)
{
	unsigned long long	 v;

	if (parse_uint(arg, 1, 3600, &v) == -1) {
		log_warnx("--bootstrap-timeout: '%s' is not a number of "
		    "seconds from 1 to 3600", arg);
		return -1;
	}
	*secs = (long)v;
	return 0;
}

static int
opt_port(const char *opt, const char *arg, uint16_t *port)
{
	unsigned long long	 v;

	if (parse_uint(arg, 1, 65535, &v) == -1) {
		log_warnx("%s: '%s' is not a port; give a number from 1 to "
		    "65535", opt, arg);
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

/*
 * An exemption must never cover ttp's own helpers: they drop to
 * TTP_UNPRIV_USER with only its primary group (setgroups(1, &pw_gid)), and
 * if that uid or gid bypassed Tor, netcheck's exit check would leave
 * outside Tor and report what it sees there. `what` names the option and
 * `name` the value given; 0, or -1 after one line saying so.
 */
static int
helper_not_exempt(const char *what, const char *name, bool group,
    uint32_t id)
{
	const struct passwd	*pw = getpwnam(TTP_UNPRIV_USER);
	char			 who[64] = "";

	if (pw == NULL || id != (uint32_t)(group ? pw->pw_gid : pw->pw_uid))
		return 0;
	if (group || strcmp(name, TTP_UNPRIV_USER) != 0)
		snprintf(who, sizeof(who), " (%s %u is %s's)", group ? "gid" :
		    "uid", (unsigned)id, TTP_UNPRIV_USER);
	log_warnx("%s %s: that is the %s ttp's own helpers run as%s; "
	    "exempting it would let the exit check leave outside Tor. Choose "
	    "another %s", what, name, group ? "group" : "account", who,
	    group ? "group" : "user");
	return -1;
}

/* One name or number of --bypass-user/--bypass-group to an id. */
static int
resolve_id(bool group, const char *name, uint32_t *id)
{
	unsigned long long	 v;
	const char		*opt = group ? "--bypass-group" : "--bypass-user";
	const char		*kind = group ? "group" : "user";

	if (parse_uint(name, 0, ID_MAX, &v) == 0)
		*id = (uint32_t)v;
	else if (group) {
		struct group	*gr = getgrnam(name);

		if (gr == NULL) {
			log_warnx("%s: no group '%s'; check the name with "
			    "'getent group %s'", opt, name, name);
			return -1;
		}
		*id = (uint32_t)gr->gr_gid;
	} else {
		struct passwd	*pw = getpwnam(name);

		if (pw == NULL) {
			log_warnx("%s: no user '%s'; check the name with "
			    "'getent passwd %s'", opt, name, name);
			return -1;
		}
		*id = (uint32_t)pw->pw_uid;
	}
	if (*id == 0 || *id > ID_MAX) {
		log_warnx("%s: %s '%s' is %s; root is exempted only with "
		    "--allow-root", opt, kind, name, *id == 0 ? "id 0" :
		    "not a valid id");
		return -1;
	}
	return helper_not_exempt(opt, name, group, *id);
}

/* A comma-separated list, appended to ids (the option may repeat). */
static int
opt_ids(bool group, const char *arg, uint32_t *ids, uint8_t *n)
{
	const char	*opt = group ? "--bypass-group" : "--bypass-user";
	char		*copy, *p, *tok, *save = NULL;
	int		 rc = 0;

	if ((copy = strdup(arg)) == NULL)
		fatal("strdup");
	for (p = copy; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		if (*n >= TTP_MAX_BYPASS) {
			log_warnx("%s: more than %d entries; use a group "
			    "instead", opt, TTP_MAX_BYPASS);
			rc = -1;
			break;
		}
		if (resolve_id(group, tok, &ids[*n]) == -1) {
			rc = -1;
			break;
		}
		(*n)++;
	}
	if (rc == 0 && p == copy) {
		log_warnx("%s: empty list; give names separated by commas",
		    opt);
		rc = -1;
	}
	free(copy);
	return rc;
}

/* One --gateway IFACE: a name privd would accept, given once. */
static int
opt_gateway(struct fw_opts *o, const char *arg)
{
	char	 name[TTP_IFNAME_MAX];
	uint8_t	 i;

	if (o->n_gw >= TTP_MAX_GATEWAYS) {
		log_warnx("--gateway: more than %d interfaces; put the hosts "
		    "behind fewer (one bridge)", TTP_MAX_GATEWAYS);
		return -1;
	}
	if (strcmp(arg, "lo") == 0) {
		log_warnx("--gateway lo: loopback is this host itself, not a "
		    "network of other hosts; name a bridge or a NIC (see 'ip "
		    "link')");
		return -1;
	}
	memset(name, 0, sizeof(name));
	if (strlen(arg) >= sizeof(name) ||
	    (memcpy(name, arg, strlen(arg)), !privop_valid_ifname(name,
	    sizeof(name)))) {
		log_warnx("--gateway: '%s' is not an interface name (1 to %d "
		    "of A-Z a-z 0-9 _ . -); see 'ip link'", arg,
		    TTP_IFNAME_MAX - 1);
		return -1;
	}
	for (i = 0; i < o->n_gw; i++)
		if (strcmp(o->gw_ifs[i], name) == 0) {
			log_warnx("--gateway %s: given twice; name each "
			    "interface once", name);
			return -1;
		}
	memcpy(o->gw_ifs[o->n_gw++], name, sizeof(name));
	return 0;
}

int
fw_opts_parse(struct fw_opts *o, int opt, const char *arg)
{
	unsigned long long	 v;

	switch (opt) {
	case FWOPT_GATEWAY:
		return opt_gateway(o, arg) == 0 ? 1 : -1;
	case FWOPT_ISOLATE_USERS:
		o->isolate_users = true;
		return 1;
	case FWOPT_ALLOW_ROOT:
		o->allow_root = true;
		return 1;
	case FWOPT_NO_LAN_BYPASS:
		o->lan_bypass = false;
		return 1;
	case FWOPT_LAN_ALLOW_ROUTER:
		o->lan_allow_router = true;
		return 1;
	case FWOPT_NO_IPV6:
		o->no_ipv6 = true;
		return 1;
	case FWOPT_BYPASS_USER:
		return opt_ids(false, arg, o->uids, &o->nuids) == 0 ? 1 : -1;
	case FWOPT_BYPASS_GROUP:
		return opt_ids(true, arg, o->gids, &o->ngids) == 0 ? 1 : -1;
	case FWOPT_TRANS_PORT:
		o->ports_given = true;
		return opt_port("--transport-port", arg, &o->trans_port) == 0 ?
		    1 : -1;
	case FWOPT_DNS_PORT:
		o->ports_given = true;
		return opt_port("--dns-port", arg, &o->dns_port) == 0 ? 1 : -1;
	case FWOPT_TOR_UID:
		if (parse_uint(arg, 1, ID_MAX, &v) == -1) {
			log_warnx("--tor-uid: '%s' is not a uid; give a "
			    "number from 1 to %llu", arg, ID_MAX);
			return -1;
		}
		o->tor_uid = (uint32_t)v;
		return 1;
	}
	return 0;
}

void
fw_opts_config(struct fw_opts *o, const struct ttp_config *cfg)
{
	o->tor_user = cfg->tor_user;
	if (!o->ports_given) {
		o->trans_port = cfg->transport_port;
		o->dns_port = cfg->dns_port;
	}
}

int
bad_option(const char *cmd, char **argv)
{
	if (optopt == 0)
		log_warnx("%s: unknown option '%s'; see 'ttp %s --help'", cmd,
		    argv[optind - 1], cmd);
	else if (optopt < 0x100)
		log_warnx("%s: unknown option '-%c'; see 'ttp %s --help'", cmd,
		    optopt, cmd);
	else
		log_warnx("%s: option '%s' is missing its value or takes "
		    "none; see 'ttp %s --help'", cmd, argv[optind - 1], cmd);
	return TTP_EXIT_ERROR;
}

/*
 * IPv6 is redirected only where it can be: Tor's ports listen on ::1, so
 * without IPv6 loopback the ruleset drops IPv6 instead. /proc/net is per
 * network namespace, so this answers for the namespace we run in. Lines
 * look like "00000000000000000000000000000001 01 80 10 80       lo".
 */
bool
host_has_ipv6_loopback(void)
{
	char	 line[256], addr[33], dev[32];
	FILE	*fp;
	bool	 found = false;

	if ((fp = fopen("/proc/net/if_inet6", "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%32s %*x %*x %*x %*x %31s", addr, dev) == 2 &&
		    strcmp(addr, "00000000000000000000000000000001") == 0 &&
		    strcmp(dev, "lo") == 0)
			found = true;
	}
	fclose(fp);
	return found;
}

/*
 * Whether `name` carries a default route of this network namespace:
 * /proc/net/route ("eth0 00000000 ... 0003 ... 00000000" destination and
 * mask 0) or /proc/net/ipv6_route (destination ::/0, the device last).
 */
static bool
has_default_route(const char *name)
{
	char	 line[512], dev[64], dst[33], mask[16];
	unsigned plen;
	FILE	*fp;
	bool	 found = false;

	if ((fp = fopen("/proc/net/route", "re")) != NULL) {
		while (!found && fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "%63s %15s %*s %*s %*s %*s %*s %15s",
			    dev, dst, mask) == 3 && strcmp(dst,
			    "00000000") == 0 && strcmp(mask, "00000000") == 0 &&
			    strcmp(dev, name) == 0)
				found = true;
		fclose(fp);
	}
	if (!found && (fp = fopen("/proc/net/ipv6_route", "re")) != NULL) {
		while (!found && fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "%32s %x %*s %*s %*s %*s %*s %*s %*s "
			    "%63s", dst, &plen, dev) == 3 && plen == 0 &&
			    strcmp(dst, "00000000000000000000000000000000") ==
			    0 && strcmp(dev, name) == 0)
				found = true;
		fclose(fp);
	}
	return found;
}

int
fw_opts_check_gateways(const struct fw_opts *o, const char *interface)
{
	uint8_t	 i;

	for (i = 0; i < o->n_gw; i++) {
		const char	*g = o->gw_ifs[i];

		if (if_nametoindex(g) == 0) {
			log_warnx("--gateway %s: no such network interface "
			    "(see 'ip link'); create the bridge first (e.g. "
			    "start libvirt's network) or leave the option out",
			    g);
			return -1;
		}
		if (interface != NULL && strcmp(interface, g) == 0) {
			log_warnx("--gateway %s: that is the interface given "
			    "with -i, this host's way out; a gateway "
			    "interface is where the hosts to carry are", g);
			return -1;
		}
		if (has_default_route(g)) {
			log_warnx("--gateway %s: this host's default route "
			    "goes out there; a gateway interface must face "
			    "the hosts to carry, not the uplink", g);
			return -1;
		}
	}
	return 0;
}

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t	 a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * --isolate-users: the uids of the passwd database now (NSS included),
 * less tor's and those that bypass Tor anyway, ascending, each once; the
 * first TTP_MAX_ISOLATE get a pair of ports of their own.
 */
static int
isolate_uids(const struct fw_opts *o, struct privop_fw_apply *a)
{
	uint32_t	*v = NULL, *nv;
	size_t		 n = 0, cap = 0, i, k = 0;
	struct passwd	*pw;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		uint32_t	 uid = (uint32_t)pw->pw_uid;

		if (uid == a->tor_uid || uid == UINT32_MAX ||
		    (uid == 0 && o->allow_root))
			continue;
		for (i = 0; i < o->nuids && o->uids[i] != uid; i++)
			;
		if (i < o->nuids)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				endpwent();
				free(v);
				log_warn("--isolate-users");
				return -1;
			}
			v = nv;
		}
		v[n++] = uid;
	}
	endpwent();
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n && k < TTP_MAX_ISOLATE; i++)
		if (k == 0 || v[i] != a->iso.uids[k - 1])
			a->iso.uids[k++] = v[i];
	for (; i < n && v[i] == a->iso.uids[k - 1]; i++)
		;
	if (i < n)
		log_warnx("--isolate-users: more than %d accounts; those "
		    "from uid %u on share one set of circuits",
		    TTP_MAX_ISOLATE, (unsigned)v[i]);
	free(v);
	a->iso.n_uids = (uint8_t)k;
	a->iso.base = TTP_ISO_PORT_BASE;
	return 0;
}

/* The ports of gateway mode and isolation, clear of the session's. */
static int
extra_ports(const struct fw_opts *o, struct privop_fw_apply *a)
{
	const uint16_t	 mine[] = { a->trans_port, a->dns_port };
	uint32_t	 lo = a->iso.base, hi = lo + 2U * a->iso.n_uids + 1U;
	size_t		 i;

	if (o->n_gw > 0) {
		memcpy(a->gw.ifs, o->gw_ifs, sizeof(a->gw.ifs));
		a->gw.n_ifs = o->n_gw;
		a->gw.trans_port = TTP_DEF_GW_TRANS_PORT;
		a->gw.dns_port = TTP_DEF_GW_DNS_PORT;
	}
	for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		if (o->n_gw > 0 && (mine[i] == a->gw.trans_port ||
		    mine[i] == a->gw.dns_port)) {
			log_warnx("port %u is gateway mode's (%u, %u); choose "
			    "another with --transport-port/--dns-port",
			    mine[i], TTP_DEF_GW_TRANS_PORT,
			    TTP_DEF_GW_DNS_PORT);
			return -1;
		}
		if (a->iso.base != 0 && mine[i] >= lo && mine[i] <= hi) {
			log_warnx("port %u is inside --isolate-users' range "
			    "%u-%u; choose another with --transport-port/"
			    "--dns-port", mine[i], (unsigned)lo, (unsigned)hi);
			return -1;
		}
	}
	return 0;
}

int
fw_opts_finish(const struct fw_opts *o, struct privop_fw_apply *a)
{
	memset(a, 0, sizeof(*a));
	a->tor_uid = o->tor_uid;
	if (a->tor_uid == 0) {
		const struct passwd *pw;

		if ((pw = getpwnam(o->tor_user)) == NULL) {
			log_warnx("tor user '%s' does not exist; install tor "
			    "or pass --tor-uid N", o->tor_user);
			return -1;
		}
		if (pw->pw_uid == 0) {
			log_warnx("tor user '%s' is root; tor must run as an "
			    "unprivileged user", o->tor_user);
			return -1;
		}
		a->tor_uid = (uint32_t)pw->pw_uid;
	}
	/* tor's uid bypasses Tor's ports: it must not be the helpers'. */
	if (o->tor_uid != 0) {
		char	 uid[16];

		snprintf(uid, sizeof(uid), "%u", (unsigned)o->tor_uid);
		if (helper_not_exempt("--tor-uid", uid, false, a->tor_uid) == -1)
			return -1;
	} else if (helper_not_exempt("tor user", o->tor_user, false,
	    a->tor_uid) == -1)
		return -1;
	a->trans_port = o->trans_port;
	a->dns_port = o->dns_port;
	memcpy(a->bypass_uids, o->uids, sizeof(a->bypass_uids));
	memcpy(a->bypass_gids, o->gids, sizeof(a->bypass_gids));
	a->n_bypass_uids = o->nuids;
	a->n_bypass_gids = o->ngids;
	a->allow_root = o->allow_root;
	a->lan_bypass = o->lan_bypass;
	a->ipv6 = !o->no_ipv6 && host_has_ipv6_loopback();
	/* The routers as they are now: a start records them in the lock,
	 * and restarts and the watchdog's repairs apply the same. */
	if (a->lan_bypass && !o->lan_allow_router &&
	    routes_read(&a->routers) == -1)
		return -1;
	if (o->isolate_users && isolate_uids(o, a) == -1)
		return -1;
	return extra_ports(o, a);
}
