/*
 * The session lock: <run_dir>/ttp.lock, JSON. It is the
 * record of what a running session installed, so that `ttp status` can
 * report it without root and `ttp stop` can undo exactly that. Written
 * atomically and durably (temporary file, fsync, rename, fsync of the
 * directory), mode 0644.
 */
#ifndef TTP_LOCK_H
#define TTP_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "common/defaults.h"
#include "ipc/privop.h"

#define LOCK_STR_MAX	256

enum session_state {
	SESSION_STARTING,	/* start in progress (or died half-way) */
	SESSION_ACTIVE,
	SESSION_LOCKDOWN,	/* fail-closed after a failure */
	SESSION_STOPPING,
};

struct session {
	enum session_state	 state;
	pid_t			 pid;		/* the ttp that started it */
	time_t			 started;
	pid_t			 tor_pid;	/* 0: external daemon */
	uint32_t		 tor_uid;
	uint16_t		 trans_port;
	uint16_t		 dns_port;
	bool			 external_daemon;
	bool			 allow_root;
	bool			 lan_bypass;
	bool			 lan_allow_router;	/* no exclusion */
	bool			 ipv6;
	bool			 use_bridges;
	bool			 dns_overlay;
	char			 interface[LOCK_STR_MAX];
	char			 bypass_users[LOCK_STR_MAX];	/* as given */
	char			 bypass_groups[LOCK_STR_MAX];
	uint32_t		 bypass_uids[TTP_MAX_BYPASS];
	uint32_t		 bypass_gids[TTP_MAX_BYPASS];
	uint8_t			 n_bypass_uids;
	uint8_t			 n_bypass_gids;
	struct privop_routers	 routers;	/* the LAN bypass excludes */
	struct privop_gateway	 gw;		/* --gateway (docs/gateway.md) */
	struct privop_isolate	 iso;		/* --isolate-users */
	uint64_t		 fw_hash;	/* what FW_APPLY installed */
	char			 exit_ip[LOCK_STR_MAX];
	int			 is_tor;	/* 1, 0, -1 unknown */
	pid_t			 watchdog_pid;
	pid_t			 anchor_pid;	/* ttp-anchor, 0: none */
	char			 config[LOCK_STR_MAX];
	char			 socks_path[LOCK_STR_MAX];	/* for ttp run */
	bool			 boot;	/* `ttp boot`'s: the early lockdown
					   or the session it started */
	uint32_t		 rotate_secs;	/* --rotate, 0: none */
	time_t			 rotate_since;	/* the rotator's first tick
						   is one period after */
	pid_t			 rotator_pid;	/* ttp-torctl rotate, 0: none */
};

const char *session_state_name(enum session_state);
/* 0 on success; -1 with err filled. lock_read: 1 when there is no lock. */
int	lock_write(const char *path, const struct session *s, char *err,
	    size_t errsz);
int	lock_read(const char *path, struct session *s, char *err,
	    size_t errsz);
int	lock_remove(const char *path);
/* The lock as one JSON object (for `ttp status --json`); caller frees. */
char	*lock_to_json(const struct session *s);
/* The integer at key of a JSON object, or lo when it is missing, not an
 * integer or outside lo..hi (jansson; the lock's and watchdog.json's). */
json_int_t json_get_int(json_t *root, const char *key, json_int_t lo,
	    json_int_t hi);

#endif
