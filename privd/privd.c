/*
 * runs in: ttp-privd, root, 2 capabilities, seccomp.
 *
 * ttp-privd: the only root code of ttp that stays running. It is started
 * by privop_spawn() with one end of a SOCK_SEQPACKET socketpair on fd 3,
 * confines itself (two capabilities, no other descriptors, a seccomp
 * allowlist) and then serves one request at a time: decode, validate,
 * dispatch through the table below, reply. A malformed request means the
 * peer is broken or compromised: privd logs one line and exits 1. A failed
 * kernel operation is only an error reply. When the peer closes its end,
 * privd exits 0.
 *
 * Its role is fixed at spawn, as OpenSSH's monitor has a dispatch table per
 * phase. The session's privd (the CLI's) serves every op. The watchdog's
 * (started with --pin, the session's FW_APPLY request as the monitor read
 * it from the lock) serves only what repairs need: FW_STATUS, FW_LOCKDOWN
 * of the session's tor uid, DNS_OVERLAY, and FW_APPLY / FW_ANCHOR with
 * exactly the pinned arguments; anything else from its unprivileged peer
 * is treated like a malformed frame.
 */
#include "privd/privd.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PRIVD_FD	3		/* the socket, from privop_spawn() */
#define OP_LOG		0x01		/* changes the host: log the outcome */
#define OP_WATCHDOG	0x02		/* the watchdog's privd serves it too */

/*
 * Every op privd performs, and nothing else. FW_STATUS only reads, and the
 * watchdog polls it, so it is not logged; every change is, one line each.
 */
static const struct privd_op {
	enum privop	 op;
	void		(*handler)(const struct privop_req *,
			    struct privop_reply *);
	int		 flags;
} privd_ops[] = {
	{ PRIVOP_FW_APPLY,	privd_fw_apply,		OP_LOG | OP_WATCHDOG },
	{ PRIVOP_FW_LOCKDOWN,	privd_fw_lockdown,	OP_LOG | OP_WATCHDOG },
	{ PRIVOP_FW_REMOVE,	privd_fw_remove,	OP_LOG },
	{ PRIVOP_FW_STATUS,	privd_fw_status,	OP_WATCHDOG },
	{ PRIVOP_DNS_OVERLAY,	privd_dns_overlay,	OP_LOG | OP_WATCHDOG },
	{ PRIVOP_DNS_RESTORE,	privd_dns_restore,	OP_LOG },
	{ PRIVOP_CT_FLUSH,	privd_ct_flush,		OP_LOG },
	{ PRIVOP_SOCK_KILL,	privd_sock_kill,	OP_LOG },
	{ PRIVOP_FW_ANCHOR,	privd_fw_anchor,	OP_LOG | OP_WATCHDOG },
};

/* The watchdog's privd: the session's arguments, or NULL (the CLI's). */
static const struct privop_fw_apply	*pin;

/* The watchdog's privd refuses what repairs never need. */
static void
check_role(const struct privd_op *o, const struct privop_req *req)
{
	if (pin == NULL)
		return;
	if (!(o->flags & OP_WATCHDOG))
		fatalx("invalid frame: %s is not the watchdog's to ask",
		    privop_name(req->op));
	/* Both came out of privop_decode_req(), which zeroes the struct
	 * first: equal arguments are equal bytes. */
	if ((req->op == PRIVOP_FW_APPLY || req->op == PRIVOP_FW_ANCHOR) &&
	    memcmp(&req->u.fw_apply, pin, sizeof(*pin)) != 0)
		fatalx("invalid frame: %s with other arguments than the "
		    "session's", privop_name(req->op));
	if (req->op == PRIVOP_FW_LOCKDOWN &&
	    req->u.fw_lockdown.tor_uid != pin->tor_uid)
		fatalx("invalid frame: fw-lockdown of another tor uid than "
		    "the session's");
}

/* --pin HEX: an FW_APPLY request frame, decoded as strictly as any. */
static const struct privop_fw_apply *
parse_pin(const char *hex)
{
	static unsigned char		 buf[PRIVOP_FRAME_MAX];
	static struct privop_req	 req;
	const char			*why;
	size_t				 i, n = strlen(hex);
	unsigned int			 b;

	if (n == 0 || n % 2 != 0 || n / 2 > sizeof(buf))
		fatalx("--pin: not a frame");
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			fatalx("--pin: not hex");
		buf[i] = (unsigned char)b;
	}
	if (privop_decode_req(buf, n / 2, &req, &why) == -1 ||
	    privop_validate_req(&req, &why) == -1)
		fatalx("--pin: %s", why);
	if (req.op != PRIVOP_FW_APPLY)
		fatalx("--pin: not an fw-apply request");
	return &req.u.fw_apply;
}

static void
dispatch(const struct privop_req *req, struct privop_reply *rep)
{
	const struct privd_op	*o;

	for (o = privd_ops; o < privd_ops + sizeof(privd_ops) /
	    sizeof(privd_ops[0]); o++)
		if (o->op == req->op)
			break;
	if (o == privd_ops + sizeof(privd_ops) / sizeof(privd_ops[0]))
		fatalx("invalid frame: op %d has no handler", (int)req->op);
	check_role(o, req);
	memset(rep, 0, sizeof(*rep));
	rep->fd = -1;
	o->handler(req, rep);
	/* One line each (with -v): a handler's message may span several;
	 * failures reach the user through the CLI, which adds context. */
	if (o->flags & OP_LOG)
		log_debug("%s: %.*s", privop_name(req->op),
		    rep->err == 0 ? 4 : (int)strcspn(rep->msg, "\n"),
		    rep->err == 0 ? "done" : rep->msg);
}

static void __attribute__((noreturn))
privd_serve(int fd)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_req	 req;
	struct privop_reply	 rep;
	const char		*why;
	ssize_t			 n, len;

	for (;;) {
		/* MSG_TRUNC: an oversize frame shows its real length. */
		if ((n = recv(fd, buf, sizeof(buf), MSG_TRUNC)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNRESET)
				exit(0);
			fatal("recv");
		}
		/*
		 * 0 is either the peer's close or an empty message; only
		 * after a close does a further peek also return 0.
		 */
		if (n == 0 && recv(fd, buf, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
			exit(0);
		if (n == 0)
			fatalx("invalid frame: empty frame");
		if ((size_t)n > sizeof(buf))
			fatalx("invalid frame: larger than PRIVOP_FRAME_MAX");
		if (privop_decode_req(buf, (size_t)n, &req, &why) == -1 ||
		    privop_validate_req(&req, &why) == -1)
			fatalx("invalid frame: %s", why);
		/* Execute sees only a validated request. */
		dispatch(&req, &rep);
		if ((len = privop_encode_reply(&rep, buf, sizeof(buf))) == -1)
			fatalx("%s: cannot encode the reply",
			    privop_name(req.op));
		/* With the descriptor a handler hands over, if any. */
		while ((n = fdpass_send(fd, buf, (size_t)len, rep.fd)) == -1 &&
		    errno == EINTR)
			;
		/* Handed over (or the peer is gone): privd keeps no copy. */
		if (rep.fd != -1)
			(void)close(rep.fd);
		if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
			exit(0);
		if (n != len)
			fatal("send");
	}
}

int
main(int argc, char *argv[])
{
	/* NET_ADMIN: nftables, conntrack, sock_diag destroy; SYS_ADMIN: the
	 * resolv.conf bind mount. Nothing else: no DAC override, no kill. */
	static const int caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN };
	socklen_t	 sl;
	int		 v, null;

	/* The command line carries only the run dir, absolute so that
	 * nothing depends on the working directory, the watchdog's pin, and
	 * -v (debug lines: one per op). */
	log_init("ttp-privd", LOG_FORMAT_TEXT, argc > 3 &&
	    strcmp(argv[argc - 1], "-v") == 0);
	if (argc < 3 || argc > 6 || strcmp(argv[1], "--run-dir") != 0 ||
	    argv[2][0] != '/' ||
	    argc - log_get_verbose() != (argc > 4 ? 5 : 3) ||
	    (argc - log_get_verbose() == 5 && strcmp(argv[3], "--pin") != 0))
		fatalx("usage: ttp-privd --run-dir DIR [--pin FRAME] [-v] "
		    "(started by ttp, with its socket on fd 3)");
	if (argc - log_get_verbose() == 5)
		pin = parse_pin(argv[4]);
	/* Both ids: a setuid-root copy must not serve an ordinary user. */
	if (getuid() != 0 || geteuid() != 0)
		fatalx("must be started as root (by ttp)");
	/* Frames come only from fd 3; a file or terminal there would be
	 * read as requests and receive the replies. */
	sl = sizeof(v);
	if (getsockopt(PRIVD_FD, SOL_SOCKET, SO_TYPE, &v, &sl) == -1 ||
	    v != SOCK_SEQPACKET ||
	    getsockopt(PRIVD_FD, SOL_SOCKET, SO_DOMAIN, &v, &sl) == -1 ||
	    v != AF_UNIX)
		fatalx("fd 3 is not a unix SOCK_SEQPACKET socket");

	/*
	 * Close everything inherited but stdio and the socket before any
	 * descriptor of our own exists; stdin/stdout may be the user's
	 * terminal, which privd never reads or writes: point them at
	 * /dev/null. stderr stays for the log.
	 */
	if ((null = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1)
		fatal("/dev/null");
	if (sandbox_close_from(PRIVD_FD + 1) == -1)
		fatalx("cannot close inherited descriptors");

	/*
	 * No user database is ever consulted: no_names.c answers every
	 * getpwnam/getgrnam (libnftables looks "meta skuid N" up as a name
	 * first), and fw.c lists with numeric protocols and services.
	 */
	/* Open what the handlers need while files are still reachable. */
	if (fw_init() == -1 || dns_init(argv[2]) == -1)
		fatalx("initialisation failed");

	/* From here on: uid 0 with two capabilities, bounding set empty,
	 * NO_NEW_PRIVS, and only the syscalls of seccomp/privd.c. */
	if (sandbox_keep_caps(caps, sizeof(caps) / sizeof(caps[0])) == -1)
		fatalx("cannot drop capabilities");
	if (sandbox_seccomp(&sandbox_privd) == -1)
		fatalx("cannot load the seccomp allowlist");
	privd_serve(PRIVD_FD);
}
