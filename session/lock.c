/*
 * runs in: ttp (writes as root, reads as any user) and the watchdog's
 *   monitor.
 *
 * Session lock serialisation with jansson; see lock.h. Reading is strict
 * about types (a lock is written only by ttp) but tolerant of missing
 * optional keys, so that `ttp stop` can still clean up after a start that
 * died half-way.
 */
#include "session/lock.h"

#include "common/atomic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/atomic.h"

static const char *state_names[] = {
	[SESSION_STARTING] = "starting",
	[SESSION_ACTIVE] = "active",
	[SESSION_LOCKDOWN] = "lockdown",
	[SESSION_STOPPING] = "stopping",
};

const char *
session_state_name(enum session_state st)
{
	if ((unsigned)st >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[st];
}

static json_t *
id_array(const uint32_t *ids, uint8_t n)
{
	json_t	*a = json_array();
	uint8_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

/* The n addresses of len bytes at v as strings, in their order. */
static json_t *
addr_array(const uint8_t *v, uint8_t n, size_t len)
{
	json_t	*a = json_array();
	char	 s[INET6_ADDRSTRLEN];
	uint8_t	 i;

	for (i = 0; i < n; i++)
		if (inet_ntop(len == 4 ? AF_INET : AF_INET6, v + i * len, s,
		    sizeof(s)) != NULL)
			json_array_append_new(a, json_string(s));
	return a;
}

static json_t *
lock_json(const struct session *s)
{
	char	 hash[17];

	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)s->fw_hash);
	return json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:i, s:i, s:b,"
	    " s:b, s:b, s:b, s:o, s:o, s:b, s:b, s:b, s:s, s:s, s:s, s:o,"
	    " s:o, s:s, s:s, s:i, s:I, s:I, s:s, s:b, s:i, s:I, s:I, s:s}",
	    "version", 1, "state", session_state_name(s->state),
	    "pid", (json_int_t)s->pid, "started", (json_int_t)s->started,
	    "tor_pid", (json_int_t)s->tor_pid, "tor_uid",
	    (json_int_t)s->tor_uid, "transport_port", s->trans_port,
	    "dns_port", s->dns_port, "external_daemon", s->external_daemon,
	    "allow_root", s->allow_root, "lan_bypass", s->lan_bypass,
	    "lan_allow_router", s->lan_allow_router, "routers_v4",
	    addr_array(s->routers.v4[0], s->routers.n_v4, 4), "routers_v6",
	    addr_array(s->routers.v6[0], s->routers.n_v6, 16),
	    "ipv6", s->ipv6, "use_bridges", s->use_bridges,
	    "dns_overlay", s->dns_overlay, "interface", s->interface,
	    "bypass_users", s->bypass_users, "bypass_groups",
	    s->bypass_groups, "bypass_uids",
	    id_array(s->bypass_uids, s->n_bypass_uids), "bypass_gids",
	    id_array(s->bypass_gids, s->n_bypass_gids), "fw_hash", hash,
	    "exit_ip", s->exit_ip, "is_tor", s->is_tor, "watchdog_pid",
	    (json_int_t)s->watchdog_pid, "anchor_pid",
	    (json_int_t)s->anchor_pid, "config", s->config, "boot", s->boot,
	    "rotate_secs", (int)s->rotate_secs, "rotate_since",
	    (json_int_t)s->rotate_since, "rotator_pid",
	    (json_int_t)s->rotator_pid, "socks_path", s->socks_path);
}

/*
 * Gateway mode and isolation: "gateways" (names), their two ports,
 * "isolate_users", "iso_port_base" and "iso_uids" (the uids with a pair
 * of their own, in port order).
 */
static json_t *
lock_json_gw(const struct session *s)
{
	json_t	*j = lock_json(s), *g = json_array(), *u = json_array();
	uint8_t	 i;

	if (j == NULL || g == NULL || u == NULL) {
		json_decref(g);
		json_decref(u);
		return j;
	}
	for (i = 0; i < s->gw.n_ifs; i++)
		json_array_append_new(g, json_string(s->gw.ifs[i]));
	for (i = 0; i < s->iso.n_uids; i++)
		json_array_append_new(u, json_integer(s->iso.uids[i]));
	json_object_set_new(j, "gateways", g);
	json_object_set_new(j, "gw_transport_port",
	    json_integer(s->gw.trans_port));
	json_object_set_new(j, "gw_dns_port", json_integer(s->gw.dns_port));
	json_object_set_new(j, "isolate_users", json_boolean(s->iso.base != 0));
	json_object_set_new(j, "iso_port_base", json_integer(s->iso.base));
	json_object_set_new(j, "iso_uids", u);
	return j;
}

/* The gateway and isolation keys of a lock; what does not fit or is not
 * valid ends the list there (privd validates again). */
static void
get_gw(json_t *root, struct session *s)
{
	json_t	*a, *v;
	size_t	 i;

	a = json_object_get(root, "gateways");
	json_array_foreach(a, i, v) {
		const char	*n = json_string_value(v);

		if (s->gw.n_ifs == TTP_MAX_GATEWAYS || n == NULL ||
		    strlen(n) >= TTP_IFNAME_MAX)
			break;
		memcpy(s->gw.ifs[s->gw.n_ifs++], n, strlen(n));
	}
	s->gw.trans_port = (uint16_t)json_get_int(root, "gw_transport_port",
	    0, 65535);
	s->gw.dns_port = (uint16_t)json_get_int(root, "gw_dns_port", 0, 65535);
	s->iso.base = (uint16_t)json_get_int(root, "iso_port_base", 0, 65535);
	a = json_object_get(root, "iso_uids");
	json_array_foreach(a, i, v) {
		if (s->iso.n_uids == TTP_MAX_ISOLATE || !json_is_integer(v) ||
		    json_integer_value(v) < 0 ||
		    json_integer_value(v) >= 0xffffffffLL)
			break;
		s->iso.uids[s->iso.n_uids++] = (uint32_t)json_integer_value(v);
	}
}

char *
lock_to_json(const struct session *s)
{
	json_t	*j = lock_json_gw(s);
	char	*out;

	out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return out;
}

int
lock_write(const char *path, const struct session *s, char *err,
    size_t errsz)
{
	json_t	*j;
	char	*txt, *nl;
	size_t	 len;
	int	 rc;

	j = lock_json_gw(s);
	txt = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (txt == NULL) {
		snprintf(err, errsz, "cannot format the lock %s", path);
		return -1;
	}
	len = strlen(txt);
	if ((nl = realloc(txt, len + 2)) == NULL) {
		free(txt);
		snprintf(err, errsz, "out of memory writing %s", path);
		return -1;
	}
	txt = nl;
	txt[len++] = '\n';
	txt[len] = '\0';
	rc = atomic_write(path, txt, len, 0644, err, errsz);
	free(txt);
	return rc;
}

static void
copy_str(json_t *root, const char *key, char *dst)
{
	json_t	*v = json_object_get(root, key);

	if (json_is_string(v))
		snprintf(dst, LOCK_STR_MAX, "%s", json_string_value(v));
}

json_int_t
json_get_int(json_t *root, const char *key, json_int_t lo, json_int_t hi)
{
	json_t		*v = json_object_get(root, key);
	json_int_t	 n;

	if (!json_is_integer(v))
		return lo;
	n = json_integer_value(v);
	return n < lo || n > hi ? lo : n;
}

static int
get_bool(json_t *root, const char *key)
{
	return json_is_true(json_object_get(root, key));
}

static uint8_t
get_ids(json_t *root, const char *key, uint32_t *ids)
{
	json_t	*a = json_object_get(root, key), *v;
	size_t	 i;
	uint8_t	 n = 0;

	json_array_foreach(a, i, v) {
		if (n == TTP_MAX_BYPASS || !json_is_integer(v) ||
		    json_integer_value(v) <= 0 ||
		    json_integer_value(v) >= 0xffffffffLL)
			break;
		ids[n++] = (uint32_t)json_integer_value(v);
	}
	return n;
}

/* Addresses of one family, as lock_json() wrote them; stops at the first
 * entry that is not one. */
static uint8_t
get_addrs(json_t *root, const char *key, uint8_t *v, size_t len)
{
	json_t	*a = json_object_get(root, key), *e;
	size_t	 i;
	uint8_t	 n = 0;

	json_array_foreach(a, i, e) {
		if (n == TTP_MAX_ROUTERS || !json_is_string(e) ||
		    inet_pton(len == 4 ? AF_INET : AF_INET6,
		    json_string_value(e), v + n * len) != 1)
			break;
		n++;
	}
	return n;
}

int
lock_read(const char *path, struct session *s, char *err, size_t errsz)
{
	json_error_t	 jerr;
	json_t		*root;
	const char	*st;
	char		 hash[LOCK_STR_MAX] = "";
	size_t		 i;

	memset(s, 0, sizeof(*s));
	s->is_tor = -1;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 1;
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL || !json_is_object(root)) {
		snprintf(err, errsz, "session lock %s is unreadable (%s); "
		    "run 'sudo ttp stop --restore-only' to clean up", path,
		    root == NULL ? jerr.text : "not an object");
		json_decref(root);
		return -1;
	}
	st = json_string_value(json_object_get(root, "state"));
	s->state = SESSION_STARTING;
	for (i = 0; st != NULL && i < sizeof(state_names) /
	    sizeof(state_names[0]); i++)
		if (strcmp(st, state_names[i]) == 0)
			s->state = (enum session_state)i;
	s->pid = (pid_t)json_get_int(root, "pid", 0, 0x7fffffff);
	s->started = (time_t)json_get_int(root, "started", 0, 0x7fffffffffffLL);
	s->tor_pid = (pid_t)json_get_int(root, "tor_pid", 0, 0x7fffffff);
	s->tor_uid = (uint32_t)json_get_int(root, "tor_uid", 0, 0xfffffffeLL);
	s->trans_port = (uint16_t)json_get_int(root, "transport_port", 0, 65535);
	s->dns_port = (uint16_t)json_get_int(root, "dns_port", 0, 65535);
	s->external_daemon = get_bool(root, "external_daemon");
	s->allow_root = get_bool(root, "allow_root");
	s->lan_bypass = get_bool(root, "lan_bypass");
	s->lan_allow_router = get_bool(root, "lan_allow_router");
	s->routers.n_v4 = get_addrs(root, "routers_v4", s->routers.v4[0], 4);
	s->routers.n_v6 = get_addrs(root, "routers_v6", s->routers.v6[0], 16);
	s->ipv6 = get_bool(root, "ipv6");
	s->use_bridges = get_bool(root, "use_bridges");
	s->dns_overlay = get_bool(root, "dns_overlay");
	s->boot = get_bool(root, "boot");
	copy_str(root, "interface", s->interface);
	copy_str(root, "bypass_users", s->bypass_users);
	copy_str(root, "bypass_groups", s->bypass_groups);
	s->n_bypass_uids = get_ids(root, "bypass_uids", s->bypass_uids);
	s->n_bypass_gids = get_ids(root, "bypass_gids", s->bypass_gids);
	copy_str(root, "fw_hash", hash);
	s->fw_hash = strtoull(hash, NULL, 16);
	copy_str(root, "exit_ip", s->exit_ip);
	s->is_tor = (int)json_get_int(root, "is_tor", -1, 1);
	s->watchdog_pid = (pid_t)json_get_int(root, "watchdog_pid", 0, 0x7fffffff);
	s->anchor_pid = (pid_t)json_get_int(root, "anchor_pid", 0, 0x7fffffff);
	copy_str(root, "config", s->config);
	s->rotate_secs = (uint32_t)json_get_int(root, "rotate_secs", 0, 86400);
	s->rotate_since = (time_t)json_get_int(root, "rotate_since", 0,
	    0x7fffffffffffLL);
	s->rotator_pid = (pid_t)json_get_int(root, "rotator_pid", 0, 0x7fffffff);
	copy_str(root, "socks_path", s->socks_path);
	get_gw(root, s);
	json_decref(root);
	return 0;
}

int
lock_remove(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}
