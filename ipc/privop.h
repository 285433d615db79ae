/*
 * The whole privileged interface of ttp: every operation ttp-privd (root)
 * accepts, its request struct, and the one reply struct. Nothing else
 * reaches root. Frames are msgpack maps carried one per SOCK_SEQPACKET
 * message on a socketpair, at most PRIVOP_FRAME_MAX bytes.
 *
 * Request frame: { "op": <uint>, <the op's argument keys, exactly> }
 * Reply frame:   { "err": <int>, "msg": <str>, "state": <uint>,
 *                  "hash": <uint>, "count": <uint>, "anchors": <uint> }
 * FW_ANCHOR's reply also carries one descriptor (SCM_RIGHTS).
 *
 * Client stubs privop_<op>() (ipc/privop_client.c) pair with the handlers
 * privd_<op>() (privd/). Requests carry integers, booleans and fixed-size
 * binary addresses only: never a command string, a path or rule text.
 */
#ifndef TTP_PRIVOP_H
#define TTP_PRIVOP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/defaults.h"

#define PRIVOP_FRAME_MAX	4096
#define PRIVOP_MSG_MAX		256	/* reply message, including NUL */

enum privop {
	PRIVOP_FW_APPLY = 1,	/* render + replace table inet ttp, session */
	PRIVOP_FW_LOCKDOWN,	/* replace it with the lockdown ruleset */
	PRIVOP_FW_REMOVE,	/* delete table inet ttp */
	PRIVOP_FW_STATUS,	/* is the table there, which, intact? */
	PRIVOP_DNS_OVERLAY,	/* bind-mount privd's resolv.conf, read-only */
	PRIVOP_DNS_RESTORE,	/* unmount every layer privd owns */
	PRIVOP_CT_FLUSH,	/* flush conntrack */
	PRIVOP_SOCK_KILL,	/* destroy TCP sockets redirected into Tor */
	PRIVOP_FW_ANCHOR,	/* create the owned anchor table, hand over
				   the socket that owns it */
	PRIVOP_MAX = PRIVOP_FW_ANCHOR
};

/*
 * The routers the LAN bypass must not reach (docs/killswitch.md, "The LAN
 * bypass and the router"): the gateways of the host's routes, in network
 * byte order. None: no exclusion (--lan-allow-router).
 */
struct privop_routers {
	uint8_t		 v4[TTP_MAX_ROUTERS][4];
	uint8_t		 v6[TTP_MAX_ROUTERS][16];
	uint8_t		 n_v4;
	uint8_t		 n_v6;
};

/*
 * Gateway mode (docs/gateway.md): the interfaces whose hosts are carried
 * by Tor, each a NUL-padded name of TTP_IFNAME_MAX bytes, and the ports
 * tor listens on for them. None: no gateway (both ports 0).
 */
struct privop_gateway {
	char		 ifs[TTP_MAX_GATEWAYS][TTP_IFNAME_MAX];
	uint8_t		 n_ifs;
	uint16_t	 trans_port;
	uint16_t	 dns_port;
};

/*
 * Per-user isolation (--isolate-users): uid uids[i] is redirected to
 * TransPort base + 2i and DNSPort base + 2i + 1, every other uid to the
 * pair after them (base + 2n, base + 2n + 1). base 0: no isolation.
 */
struct privop_isolate {
	uint32_t	 uids[TTP_MAX_ISOLATE];
	uint8_t		 n_uids;
	uint16_t	 base;
};

/*
 * FW_APPLY keys: "tor_uid", "trans_port", "dns_port", "bypass_uids" (array),
 * "bypass_gids" (array), "allow_root", "lan_bypass", "ipv6" (booleans),
 * "routers_v4", "routers_v6" (arrays of 4- and 16-byte bin),
 * "gw_ifs" (array of TTP_IFNAME_MAX-byte bin), "gw_trans_port",
 * "gw_dns_port", "iso_uids" (array), "iso_base".
 * Validation: tor_uid in 1..0xfffffffe; ports 1..65535; at most
 * TTP_MAX_BYPASS ids, each in 1..0xfffffffe (root is exempted only through
 * allow_root); at most TTP_MAX_ROUTERS routers per family, each a unicast
 * address (not unspecified, loopback, multicast or broadcast), no two
 * alike. At most TTP_MAX_GATEWAYS gateway interfaces, each a name of 1 to
 * 15 bytes of [A-Za-z0-9_.-] (not "lo", ".", ".."), NUL-padded, no two
 * alike; with any, both gateway ports 1..65535, distinct from each other
 * and from trans_port and dns_port; with none, both 0. iso_base 0 with no
 * uids, or at most TTP_MAX_ISOLATE uids in strictly ascending order (0 is
 * allowed: root gets its own pair; the tor uid is not), and base + 2n + 1
 * at most 65535, the range clear of every other port.
 */
struct privop_fw_apply {
	uint32_t	 tor_uid;
	uint16_t	 trans_port;
	uint16_t	 dns_port;
	uint32_t	 bypass_uids[TTP_MAX_BYPASS];
	uint32_t	 bypass_gids[TTP_MAX_BYPASS];
	uint8_t		 n_bypass_uids;
	uint8_t		 n_bypass_gids;
	bool		 allow_root;
	bool		 lan_bypass;
	bool		 ipv6;		/* redirect IPv6; false: drop it */
	struct privop_routers routers;
	struct privop_gateway gw;
	struct privop_isolate iso;
};

/* FW_ANCHOR: the same keys and validation as FW_APPLY (the ports are
 * not used: the anchor has no nat chains). */

/* FW_LOCKDOWN keys: "tor_uid" (1..0xfffffffe). */
struct privop_fw_lockdown {
	uint32_t	 tor_uid;
};

/* FW_REMOVE, FW_STATUS, DNS_OVERLAY, DNS_RESTORE, CT_FLUSH: no keys. */

/* SOCK_KILL keys: "trans_port" (1..65535), the TransPort whose
 * redirected connections are destroyed. */
struct privop_sock_kill {
	uint16_t	 trans_port;
};

struct privop_req {
	enum privop	 op;
	union {
		struct privop_fw_apply		fw_apply;
		struct privop_fw_lockdown	fw_lockdown;
		struct privop_sock_kill		sock_kill;
	} u;
};

/* FW_STATUS: what table inet ttp currently is. */
enum privop_fw_state {
	FW_STATE_ABSENT = 0,	/* no table inet ttp */
	FW_STATE_SESSION,	/* the session ruleset */
	FW_STATE_LOCKDOWN,	/* the lockdown ruleset */
	FW_STATE_FOREIGN,	/* a table inet ttp that is neither */
	FW_STATE_MAX = FW_STATE_FOREIGN
};

/*
 * One reply for every op. err is 0 or an errno value; msg says what failed.
 * FW_APPLY/FW_LOCKDOWN/FW_STATUS: state and hash (FNV-1a 64 of the table
 * as the kernel lists it, counters excluded: equal hashes mean the kernel
 * holds exactly what was installed). FW_STATUS: count = 1 when this privd
 * installed the table and the hash still matches, else 0.
 * CT_FLUSH/SOCK_KILL: count = entries or sockets destroyed.
 * FW_STATUS: anchors = bit mask of the anchor slots that hold a table;
 * FW_ANCHOR: the bit of the slot it created, and fd = the netlink socket
 * that owns it (the anchor lives as long as the caller keeps it open).
 */
struct privop_reply {
	int32_t		 err;
	char		 msg[PRIVOP_MSG_MAX];
	uint32_t	 state;
	uint64_t	 hash;
	uint32_t	 count;
	uint32_t	 anchors;
	int		 fd;		/* not encoded: SCM_RIGHTS, or -1 */
};

/* Codec (ipc/codec.c). Encoders return the frame length, or -1. */
ssize_t	privop_encode_req(const struct privop_req *req, void *buf,
	    size_t bufsz);
ssize_t	privop_encode_reply(const struct privop_reply *rep, void *buf,
	    size_t bufsz);
/*
 * Decoders are strict: unknown op, wrong type, missing or extra key,
 * out-of-range integer, trailing bytes or an oversize frame make them
 * return -1 and set *why to a static description. Decoding checks the
 * shape and types; privop_validate_req() checks the values.
 */
int	privop_decode_req(const void *buf, size_t len, struct privop_req *req,
	    const char **why);
int	privop_validate_req(const struct privop_req *req, const char **why);
/* 1 when name (sz bytes, NUL-padded) is a gateway interface name the
 * ruleset may carry (see FW_APPLY above), else 0. */
int	privop_valid_ifname(const char *name, size_t sz);
int	privop_decode_reply(const void *buf, size_t len,
	    struct privop_reply *rep, const char **why);
const char *privop_name(enum privop op);

/*
 * A failure as a reply (ipc/reply.c): rep->err = err, or EIO when err is
 * not a positive errno value, and rep->msg the formatted line; the other
 * fields are left as they are (a handler may report what it did before
 * it failed).
 */
void	privop_reply_err(struct privop_reply *rep, int err, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
void	privop_reply_verr(struct privop_reply *rep, int err, const char *fmt,
	    va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * Client stubs (ipc/privop_client.c): send one request on fd, wait for the
 * reply. Return 0 when privd answered err == 0, -1 otherwise (rep->err and
 * rep->msg say why; rep->err is EPIPE when privd is gone).
 */
int	privop_fw_apply(int fd, const struct privop_fw_apply *a,
	    struct privop_reply *rep);
int	privop_fw_lockdown(int fd, uint32_t tor_uid, struct privop_reply *rep);
int	privop_fw_remove(int fd, struct privop_reply *rep);
int	privop_fw_status(int fd, struct privop_reply *rep);
int	privop_dns_overlay(int fd, struct privop_reply *rep);
int	privop_dns_restore(int fd, struct privop_reply *rep);
int	privop_ct_flush(int fd, struct privop_reply *rep);
int	privop_sock_kill(int fd, uint16_t trans_port, struct privop_reply *rep);
/* On success rep->fd is the anchor's owning socket (close it to delete
 * the anchor); otherwise it is -1. */
int	privop_fw_anchor(int fd, const struct privop_fw_apply *a,
	    struct privop_reply *rep);

/*
 * Start ttp-privd (found with helper_path()) on one end of a new
 * SOCK_SEQPACKET socketpair; return the other end, and its pid in *pid.
 * run_dir is where privd keeps its own resolv.conf. Caller must be root.
 * pin NULL: the session's privd, which serves every op. Otherwise the
 * watchdog's: only FW_STATUS, FW_LOCKDOWN of pin's tor uid, DNS_OVERLAY,
 * and FW_APPLY / FW_ANCHOR with exactly pin's arguments; any other request
 * ends it like a malformed frame.
 */
int	privop_spawn(const char *run_dir, const struct privop_fw_apply *pin,
	    int *pid);

#endif
