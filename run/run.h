/*
 * `ttp run CMD`: one program whose only way out is Tor, in namespaces of
 * its own (docs/run.md). The roles, one file each:
 *
 *   ns.c       the child: new user (when unprivileged), network, mount
 *              and pid namespaces; lo, the routes, the ruleset, the
 *              resolver files; the listening sockets handed to the
 *              parent; pid 1 of the new pid namespace, which runs CMD.
 *   fwd.c      the parent, in the host's network namespace as the user:
 *              one epoll loop relaying what CMD connects to into tor's
 *              SOCKS listener, and answering its DNS queries through it.
 *   dns.c      DNS query parsing and answers (no I/O).
 *   socks.c    SOCKS5 client framing (no I/O).
 *   usertor.c  the user's own tor, when no host session runs: started
 *              by the first `ttp run`, stopped when the last one ends.
 */
#ifndef TTP_RUN_H
#define TTP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Inside the namespace: where CMD's TCP and DNS are redirected to. */
#define RUN_TCP_PORT		9040
#define RUN_DNS_PORT		53
/* .onion names get addresses from this range (tor's virtual network's
 * size, in a range no Tor exit reaches). */
#define RUN_ONION_NET		0x0ac00000U	/* 10.192.0.0 */
#define RUN_ONION_BITS		10
#define RUN_ONION_NET_STR	"10.192.0.0/10"
#define RUN_MAX_CONNS		256
#define RUN_MAX_ONIONS		1024
#define RUN_DNS_TTL		60

/* ---- dns.c ---------------------------------------------------------- */

#define DNS_NAME_MAX	253
#define DNS_MSG_MAX	512	/* what the answers fit in (no EDNS) */

enum { DNS_T_A = 1, DNS_T_AAAA = 28 };
enum {
	DNS_RC_NOERROR = 0, DNS_RC_FORMERR = 1, DNS_RC_SERVFAIL = 2,
	DNS_RC_NXDOMAIN = 3, DNS_RC_NOTIMP = 4, DNS_RC_REFUSED = 5,
};

struct dns_query {
	uint16_t	 id;
	uint16_t	 flags;		/* the request's (RD, opcode) */
	uint16_t	 qtype;
	uint16_t	 qclass;
	size_t		 qlen;		/* bytes of the question section */
	char		 name[DNS_NAME_MAX + 1];	/* lower case, no dot */
};

/*
 * Parse one query. Returns -1 when no answer should be sent at all (too
 * short to carry an id, or a response); else the rcode the answer must
 * carry when it is not DNS_RC_NOERROR (FORMERR, NOTIMP, REFUSED), or
 * DNS_RC_NOERROR when q is a well-formed question of class IN for a name
 * of letters, digits, '-', '_' and dots.
 */
int	dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q);
/*
 * The answer to msg (parsed into q; rc as dns_parse_query returned or
 * chosen): the question echoed when it parsed, one A record when a4 is
 * not NULL. Returns its length (at most outsz), or 0 when outsz is too
 * small.
 */
size_t	dns_answer(const uint8_t *msg, const struct dns_query *q, int rc,
	    const uint8_t *a4, uint8_t *out, size_t outsz);
/* Does name end in ".onion" (or is it "onion")? */
bool	dns_is_onion(const char *name);

/* ---- socks.c -------------------------------------------------------- */

#define SOCKS_CMD_CONNECT	0x01
#define SOCKS_CMD_RESOLVE	0xf0	/* tor's extension: name to IPv4 */
#define SOCKS_MSG_MAX		600

/* The greeting offering username/password only: 05 01 02. */
size_t	socks_hello(uint8_t *out);
/* The server's choice (2 bytes): 0 when it is username/password. */
int	socks_hello_ok(const uint8_t *p);
/* RFC 1929 request; 0 when a field is empty or longer than 255. */
size_t	socks_auth(uint8_t *out, size_t outsz, const char *user,
	    const char *pass);
/* Its answer (2 bytes): 0 on success. */
int	socks_auth_ok(const uint8_t *p);
/* A request for an IPv4 address (host NULL) or a host name. 0 on a bad
 * name (empty, longer than 255). */
size_t	socks_request(uint8_t *out, size_t outsz, uint8_t cmd,
	    const char *host, const uint8_t ip4[4], uint16_t port);
/*
 * The length of the server's reply whose first `have` bytes are p: the
 * total length when `have` is enough to know it (it may be more than
 * `have`: read that many), 0 when more bytes are needed to know it, -1
 * when it is not a SOCKS5 reply.
 */
int	socks_reply_len(const uint8_t *p, size_t have);
/* A complete reply: its code (0 succeeded); the IPv4 address it carries
 * into a4 when it has one (a4 may be NULL). */
int	socks_reply(const uint8_t *p, size_t len, uint8_t *a4, bool *has4);

/* ---- ns.c ----------------------------------------------------------- */

struct run_target {
	uid_t		 uid;
	gid_t		 gid;
	char		 name[64];	/* for initgroups, as root */
	char		 home[256];
};

struct run_child {
	int		 sock;		/* SOCK_SEQPACKET to the parent */
	bool		 as_root;	/* unshare without a user namespace */
	struct run_target who;
	char *const	*argv;		/* CMD and its arguments */
	int		 stdout_fd;	/* CMD's stdout (ttp's own is stderr) */
	pid_t		 parent;	/* for PR_SET_PDEATHSIG's check */
};

/*
 * The child's whole life (never returns). Messages to the parent on
 * c->sock: "T" with the TCP listener, "U" with the DNS socket, then "R"
 * (ready); "E<errno> <what>" on a failure, after which it exits 1. It
 * waits for one byte from the parent before CMD runs, then exits with
 * CMD's status (128+N for a signal).
 */
void	run_child_main(const struct run_child *c) __attribute__((noreturn));
/* The ruleset the child loads in its network namespace (docs/run.md). */
const char *run_ruleset(void);

/* ---- fwd.c ---------------------------------------------------------- */

struct run_fwd {
	int		 tcp;		/* listener (in CMD's namespace) */
	int		 udp;		/* DNS socket (in CMD's namespace) */
	int		 child_pidfd;	/* the loop ends when it is readable */
	const char	*socks_path;	/* tor's SOCKS listener, a unix socket */
	char		 user[128];	/* SOCKS credentials: the isolation */
	char		 pass[32];
};

/* Relay until the child exits. 0, or -1 (epoll failed). */
int	run_fwd_loop(const struct run_fwd *f);

/* ---- usertor.c ------------------------------------------------------ */

struct run_usertor {
	char		 dir[256];	/* <state>/ttp: locks, torrc, log */
	char		 tordir[300];	/* <dir>/tor: DataDirectory, sockets */
	char		 socks[320];
	char		 control[320];
	char		 cookie[320];
	int		 ref_fd;	/* shared flock while this run lives */
	int		 mutex_fd;	/* exclusive during start decisions */
	bool		 started;	/* this run started it */
	pid_t		 tor_pid;	/* when it did */
};

/*
 * As the user: the state directory (XDG_STATE_HOME when trusted, else
 * ~/.local/state), 0700, the locks taken (mutex, then the shared
 * reference). -1 with err filled.
 */
int	usertor_open(struct run_usertor *t, const struct run_target *who,
	    bool use_xdg, char *err, size_t errsz);
/* Is the user's tor running (its SOCKS socket accepts)? */
bool	usertor_alive(const struct run_usertor *t);
/*
 * Start it: torrc (with torrc_append, trusted: root's or the user's, not
 * writable by others) written into dir, and a keeper process that starts
 * tor, owns it (__OwningControllerFD) and ends it once no `ttp run` of
 * this user holds the reference lock. -1 with err.
 */
int	usertor_start(struct run_usertor *t, const char *tor_bin,
	    const char *torrc_append, char *err, size_t errsz);
/* Let other runs decide (the mutex released; the reference kept). */
void	usertor_unlock(struct run_usertor *t);
/*
 * At the end of a run: drop the reference and, when it was the last one,
 * wait (at most wait_ms) until the keeper has ended tor, so that nothing
 * of the run is left when ttp run returns.
 */
void	usertor_release(struct run_usertor *t, int wait_ms);

#endif
