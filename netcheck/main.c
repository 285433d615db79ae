/*
 * runs in: ttp-netcheck, _ttp, no capabilities, Landlock, seccomp.
 *
 * ttp-netcheck: the exit-IP, latency and leak checks. Started by the CLI;
 * when started as root it records the host's own addresses (to recognise a
 * leak), then drops to the unprivileged user, which is NOT exempt from
 * redirection, so every request really travels through Tor. It restricts
 * the files it may open (Landlock: resolver and CA store, read-only) and
 * loads its seccomp allowlist before it sends or parses anything from the
 * network.
 * Output: one JSON object on stdout; exit 0 when the check passed.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <limits.h>
#include <jansson.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "netcheck/answer.h"
#include "netcheck/fetch.h"

#define MAX_HOST_ADDRS	64
#define DEF_TIMEOUT	15

static char	 host_addrs[MAX_HOST_ADDRS][INET6_ADDRSTRLEN];
static int	 n_host_addrs;
static long	 timeout_secs = DEF_TIMEOUT;
static int	 verbose;

static void __attribute__((noreturn))
usage(int rc)
{
	fprintf(rc ? stderr : stdout,
	    "usage: ttp-netcheck [-v] [--timeout SECS] COMMAND\n"
	    "  ip URL...                 exit address from the first URL "
	    "that answers\n"
	    "  check URL... --latency URL  exit address, IsTor and latency\n"
	    "  leak --v4 URL --v6 URL    IPv4, IPv6 and DNS leak checks\n"
	    "Each request has a timeout of SECS seconds (default %d).\n",
	    DEF_TIMEOUT);
	exit(rc);
}

/* The host's own addresses, read before the sandbox forbids netlink. */
static void
collect_host_addrs(void)
{
	struct ifaddrs	*ifa, *i;
	const void	*a;

	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL && n_host_addrs < MAX_HOST_ADDRS;
	    i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a,
		    host_addrs[n_host_addrs], INET6_ADDRSTRLEN) != NULL)
			n_host_addrs++;
	}
	freeifaddrs(ifa);
}

static int
is_host_addr(const char *ip)
{
	int	 i;

	for (i = 0; i < n_host_addrs; i++)
		if (strcmp(host_addrs[i], ip) == 0)
			return 1;
	return 0;
}

static void
confine(void)
{
	char		 dir[PATH_MAX];
	const char	*extra[2] = { NULL, NULL };

	if (fetch_init() == -1)
		fatalx("cannot initialise libcurl");
	/* jansson seeds its hash from /dev/urandom on first use: now, while
	 * Landlock still lets it open the device. */
	json_object_seed(0);
	extra[0] = sandbox_libc_dir(dir, sizeof(dir));
	if (sandbox_drop_user(TTP_UNPRIV_USER) == -1 ||
	    sandbox_close_from(STDERR_FILENO + 1) == -1 ||
	    sandbox_landlock(&sandbox_fs_netcheck, extra) == -1 ||
	    sandbox_seccomp(&sandbox_netcheck) == -1)
		fatalx("cannot confine netcheck");
}

static json_t *
error_obj(const char *url, const char *error)
{
	return json_pack("{s:s, s:s}", "url", url, "error", error);
}

/* Exit address: the first URL giving a valid answer wins. */
static json_t *
check_ip(char **urls, int nurls, int *ok)
{
	struct fetch_result	 res;
	struct answer		 ans;
	json_t			*errors = json_array(), *o;
	int			 i;

	*ok = 0;
	for (i = 0; i < nurls; i++) {
		if (fetch_get(urls[i], timeout_secs, &res) == -1) {
			json_array_append_new(errors,
			    error_obj(urls[i], res.error));
			continue;
		}
		if (answer_parse(res.body, res.len, &ans) == -1) {
			json_array_append_new(errors, error_obj(urls[i],
			    "answer is neither {\"IsTor\",\"IP\"} nor an "
			    "address"));
			continue;
		}
		/* Verified: through Tor as far as the answer says, and not
		 * from one of our own addresses (that would be a leak). */
		*ok = !is_host_addr(ans.ip) && ans.is_tor != 0;
		o = json_pack("{s:b, s:s, s:s, s:f, s:b}", "ok", *ok,
		    "url", urls[i], "ip", ans.ip, "seconds", res.seconds,
		    "host_address", is_host_addr(ans.ip));
		json_object_set_new(o, "is_tor",
		    ans.is_tor == ANSWER_ISTOR_UNKNOWN ? json_null() :
		    json_boolean(ans.is_tor));
		if (verbose)
			json_object_set_new(o, "raw", json_string(res.body));
		json_object_set_new(o, "errors", errors);
		return o;
	}
	return json_pack("{s:b, s:o}", "ok", 0, "errors", errors);
}

static json_t *
check_latency(const char *url, int *ok)
{
	struct fetch_result	 res;

	if (fetch_get(url, timeout_secs, &res) == -1 && res.status == 0) {
		*ok = 0;
		return json_pack("{s:b, s:s, s:s}", "ok", 0, "url", url,
		    "error", res.error);
	}
	*ok = 1;
	return json_pack("{s:b, s:s, s:i, s:f}", "ok", 1, "url", url,
	    "status", (int)res.status, "seconds", res.seconds);
}

/* One family's leak check: unreachable is fine (fail-closed), reachable
 * from one of the host's own addresses is a leak. */
static json_t *
check_leak_one(const char *url, int want_family, int *leak)
{
	struct fetch_result	 res;
	struct answer		 ans;
	json_t			*o;

	*leak = 0;
	if (fetch_get(url, timeout_secs, &res) == -1)
		return json_pack("{s:s, s:b, s:s}", "url", url,
		    "reachable", 0, "error", res.error);
	if (answer_parse(res.body, res.len, &ans) == -1)
		return json_pack("{s:s, s:b, s:s}", "url", url,
		    "reachable", 1, "error", "answer is not an address");
	*leak = is_host_addr(ans.ip);
	o = json_pack("{s:s, s:b, s:s, s:b, s:b}", "url", url,
	    "reachable", 1, "ip", ans.ip, "leak", *leak,
	    "family_matches", ans.family == want_family);
	if (verbose)
		json_object_set_new(o, "raw", json_string(res.body));
	return o;
}

/* DNS: every resolver the system uses must be local (Tor's DNSPort). */
static json_t *
check_dns(int *leak)
{
	FILE	*fp;
	char	 line[256], ns[INET6_ADDRSTRLEN];
	json_t	*list = json_array();

	*leak = 0;
	if ((fp = fopen(TTP_DEF_RESOLV_CONF, "r")) == NULL)
		return json_pack("{s:o, s:b, s:s}", "resolvers", list,
		    "leak", 0, "error", "cannot read " TTP_DEF_RESOLV_CONF);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, " nameserver %45s", ns) != 1)
			continue;
		json_array_append_new(list, json_string(ns));
		if (strncmp(ns, "127.", 4) != 0 && strcmp(ns, "::1") != 0)
			*leak = 1;
	}
	fclose(fp);
	return json_pack("{s:o, s:b}", "resolvers", list, "leak", *leak);
}

int
main(int argc, char *argv[])
{
	json_t		*out;
	const char	*cmd, *v4 = NULL, *v6 = NULL, *lat = NULL;
	char		*urls[16];
	int		 i, nurls = 0, ok = 0, ok2, l4, l6, ld;

	log_init("ttp-netcheck", LOG_FORMAT_TEXT, 0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout_secs = strtol(argv[++i], NULL, 10);
			if (timeout_secs < 1 || timeout_secs > 300)
				fatalx("--timeout must be 1..300 seconds");
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			usage(0);
		else
			usage(1);
	}
	if (i >= argc)
		usage(1);
	cmd = argv[i++];
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--v4") == 0 && i + 1 < argc)
			v4 = argv[++i];
		else if (strcmp(argv[i], "--v6") == 0 && i + 1 < argc)
			v6 = argv[++i];
		else if (strcmp(argv[i], "--latency") == 0 && i + 1 < argc)
			lat = argv[++i];
		else if (argv[i][0] != '-' && nurls < 16)
			urls[nurls++] = argv[i];
		else
			usage(1);
	}

	collect_host_addrs();
	confine();

	if (strcmp(cmd, "ip") == 0 && nurls > 0)
		out = check_ip(urls, nurls, &ok);
	else if (strcmp(cmd, "check") == 0 && nurls > 0 && lat != NULL) {
		out = check_ip(urls, nurls, &ok);
		json_object_set_new(out, "latency", check_latency(lat, &ok2));
	} else if (strcmp(cmd, "leak") == 0 && v4 != NULL && v6 != NULL) {
		out = json_object();
		json_object_set_new(out, "ipv4", check_leak_one(v4, AF_INET,
		    &l4));
		json_object_set_new(out, "ipv6", check_leak_one(v6, AF_INET6,
		    &l6));
		json_object_set_new(out, "dns", check_dns(&ld));
		ok = !l4 && !l6 && !ld;
		json_object_set_new(out, "ok", json_boolean(ok));
	} else
		usage(1);

	if (json_dumpf(out, stdout, JSON_COMPACT) == -1)
		fatalx("cannot write the result");
	putchar('\n');
	json_decref(out);
	return ok ? 0 : 1;
}
