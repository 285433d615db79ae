/*
 * runs in: ttp run's parent: the user (never root: a sudo'd ttp drops
 *   first), in the host's network namespace, no capabilities.
 *
 * One epoll loop, bounded in everything: at most RUN_MAX_CONNS
 * connections and DNS questions in flight, 2 x 16 KiB per connection, a
 * deadline on every SOCKS handshake. What CMD connects to arrives on the
 * TCP listener made inside its namespace; SO_ORIGINAL_DST says where it
 * was going; the connection is relayed through tor's SOCKS listener (a
 * unix socket) with this run's credentials (its own circuits: tor's
 * IsolateSOCKSAuth). DNS questions arrive on the UDP socket; A records
 * come from tor's RESOLVE, .onion names get an address of
 * RUN_ONION_NET_STR that a CONNECT by name stands behind. docs/run.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "run/run.h"

#define BUF_SZ		(16 * 1024)
#define HS_SECS		120	/* tor's own SocksTimeout is 120 s */
#define DNS_SECS	30

enum { APP = 0, TOR = 1 };
enum { S_HELLO, S_AUTH, S_REQ, S_RELAY };

#define ID_TCP		(~(uint64_t)0)
#define ID_UDP		(~(uint64_t)1)
#define ID_CHILD	(~(uint64_t)2)

struct conn {
	bool			 used;
	bool			 dns;
	int			 fd[2];
	bool			 reg[2];
	int			 state;
	uint8_t			 out[SOCKS_MSG_MAX];
	size_t			 out_len, out_off;
	uint8_t			 in[SOCKS_MSG_MAX];
	size_t			 in_len;
	char			 host[DNS_NAME_MAX + 1];	/* "" by address */
	uint8_t			 ip4[4];
	uint16_t		 port;
	uint8_t			*buf[2];	/* read from fd[i] */
	size_t			 len[2], off[2];
	bool			 eof[2], shut[2];
	time_t			 deadline;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	struct dns_query	 q;
	uint8_t			 qmsg[DNS_MSG_MAX];
};

static struct conn	 conns[RUN_MAX_CONNS];
static char		*onions[RUN_MAX_ONIONS];
static int		 ep = -1;
static const struct run_fwd *fw;

static time_t
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
arm_fd(struct conn *c, int s, uint32_t ev)
{
	struct epoll_event	 e;

	if (c->fd[s] == -1)
		return;
	if (ev == 0) {
		if (c->reg[s])
			(void)epoll_ctl(ep, EPOLL_CTL_DEL, c->fd[s], NULL);
		c->reg[s] = false;
		return;
	}
	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.u64 = (uint64_t)(c - conns) * 2 + (uint64_t)s;
	if (epoll_ctl(ep, c->reg[s] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd[s],
	    &e) == 0)
		c->reg[s] = true;
}

static void
conn_free(struct conn *c, bool reset)
{
	struct linger	 l = { 1, 0 };
	int		 s;

	for (s = APP; s <= TOR; s++) {
		if (c->fd[s] == -1)
			continue;
		arm_fd(c, s, 0);
		if (reset && s == APP)
			(void)setsockopt(c->fd[s], SOL_SOCKET, SO_LINGER, &l,
			    sizeof(l));
		close(c->fd[s]);
	}
	free(c->buf[APP]);
	free(c->buf[TOR]);
	memset(c, 0, sizeof(*c));
	c->fd[APP] = c->fd[TOR] = -1;
}

static struct conn *
conn_new(void)
{
	size_t	 i;

	for (i = 0; i < RUN_MAX_CONNS; i++)
		if (!conns[i].used) {
			memset(&conns[i], 0, sizeof(conns[i]));
			conns[i].used = true;
			conns[i].fd[APP] = conns[i].fd[TOR] = -1;
			return &conns[i];
		}
	return NULL;
}

/* The .onion pool: name -> 10.192.0.0/10 address, for this run. */
static int
onion_addr(const char *name, uint8_t a4[4])
{
	size_t		 i;
	uint32_t	 a;

	for (i = 0; i < RUN_MAX_ONIONS && onions[i] != NULL; i++)
		if (strcmp(onions[i], name) == 0)
			break;
	if (i == RUN_MAX_ONIONS)
		return -1;
	if (onions[i] == NULL && (onions[i] = strdup(name)) == NULL)
		return -1;
	a = htonl(RUN_ONION_NET + 1 + (uint32_t)i);
	memcpy(a4, &a, 4);
	return 0;
}

static const char *
onion_name(const uint8_t a4[4])
{
	uint32_t	 a;

	memcpy(&a, a4, 4);
	a = ntohl(a);
	if ((a >> (32 - RUN_ONION_BITS)) != (RUN_ONION_NET >>
	    (32 - RUN_ONION_BITS)) || a <= RUN_ONION_NET ||
	    a - RUN_ONION_NET - 1 >= RUN_MAX_ONIONS)
		return NULL;
	return onions[a - RUN_ONION_NET - 1];
}

static void
dns_send(const struct conn *c, int rc, const uint8_t *a4)
{
	uint8_t	 out[DNS_MSG_MAX];
	size_t	 n;

	if ((n = dns_answer(c->qmsg, &c->q, rc, a4, out, sizeof(out))) == 0)
		return;
	(void)sendto(fw->udp, out, n, MSG_NOSIGNAL | MSG_DONTWAIT,
	    (const struct sockaddr *)&c->from, c->fromlen);
}

static void
conn_fail(struct conn *c, int socks_rc)
{
	if (c->dns)
		dns_send(c, socks_rc == 4 ? DNS_RC_NXDOMAIN : DNS_RC_SERVFAIL,
		    NULL);
	conn_free(c, true);
}

/* Open the SOCKS connection; the greeting queued. */
static int
socks_open(struct conn *c)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(fw->socks_path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, fw->socks_path, strlen(fw->socks_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	c->fd[TOR] = fd;
	c->state = S_HELLO;
	c->out_len = socks_hello(c->out);
	c->out_off = c->in_len = 0;
	c->deadline = now() + (c->dns ? DNS_SECS : HS_SECS);
	return 0;
}

static void pump(struct conn *c);

static int
relay_start(struct conn *c)
{
	if ((c->buf[APP] = malloc(BUF_SZ)) == NULL ||
	    (c->buf[TOR] = malloc(BUF_SZ)) == NULL)
		return -1;
	c->state = S_RELAY;
	c->deadline = 0;
	return 0;
}

/* One SOCKS step finished (c->in holds the whole answer). */
static int
socks_next(struct conn *c)
{
	c->out_off = c->in_len = 0;
	switch (c->state) {
	case S_HELLO:
		if (socks_hello_ok(c->in) == -1)
			return -1;
		c->out_len = socks_auth(c->out, sizeof(c->out), fw->user,
		    fw->pass);
		c->state = S_AUTH;
		return c->out_len ? 0 : -1;
	case S_AUTH:
		if (socks_auth_ok(c->in) == -1)
			return -1;
		c->out_len = socks_request(c->out, sizeof(c->out), c->dns ?
		    SOCKS_CMD_RESOLVE : SOCKS_CMD_CONNECT, c->host[0] ?
		    c->host : NULL, c->ip4, c->port);
		c->state = S_REQ;
		return c->out_len ? 0 : -1;
	default:
		return -1;	/* S_REQ's answer is handshake()'s */
	}
}

/* The handshake on the tor side: as far as it goes without blocking. */
static void
handshake(struct conn *c)
{
	ssize_t	 n;
	size_t	 want;
	int	 rl, rc;
	uint8_t	 a4[4];
	bool	 has4;

	for (;;) {
		if (c->out_off < c->out_len) {
			n = send(c->fd[TOR], c->out + c->out_off, c->out_len -
			    c->out_off, MSG_NOSIGNAL);
			if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
				arm_fd(c, TOR, EPOLLOUT);
				return;
			}
			if (n <= 0) {
				conn_fail(c, -1);
				return;
			}
			c->out_off += (size_t)n;
			continue;
		}
		if (c->state == S_REQ) {
			rl = socks_reply_len(c->in, c->in_len);
			if (rl == -1) {
				conn_fail(c, -1);
				return;
			}
			/* Every reply is 10 bytes or more: never read past
			 * it, what follows is the application's. */
			want = rl == 0 ? (c->in_len < 5 ? 5 : c->in_len + 1) :
			    (size_t)rl;
		} else
			want = 2;
		if (c->in_len < want) {
			n = recv(c->fd[TOR], c->in + c->in_len, want -
			    c->in_len, 0);
			if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
				arm_fd(c, TOR, EPOLLIN);
				return;
			}
			if (n <= 0) {
				conn_fail(c, -1);
				return;
			}
			c->in_len += (size_t)n;
			continue;
		}
		if (c->state != S_REQ) {
			if (socks_next(c) == -1) {
				conn_fail(c, -1);
				return;
			}
			continue;
		}
		rc = socks_reply(c->in, c->in_len, a4, &has4);
		if (rc != 0) {
			conn_fail(c, rc);
			return;
		}
		if (c->dns) {
			if (has4)
				dns_send(c, DNS_RC_NOERROR, a4);
			else
				dns_send(c, DNS_RC_SERVFAIL, NULL);
			conn_free(c, false);
			return;
		}
		if (relay_start(c) == -1) {
			conn_fail(c, -1);
			return;
		}
		pump(c);
		return;
	}
}

/* Relay both ways as far as it goes without blocking, then wait. */
static void
pump(struct conn *c)
{
	bool	 progress = true;
	ssize_t	 n;
	int	 s;

	while (progress) {
		progress = false;
		for (s = APP; s <= TOR; s++) {
			int	 d = !s;

			if (c->off[s] == c->len[s] && !c->eof[s]) {
				n = recv(c->fd[s], c->buf[s], BUF_SZ, 0);
				if (n > 0) {
					c->len[s] = (size_t)n;
					c->off[s] = 0;
					progress = true;
				} else if (n == 0) {
					c->eof[s] = true;
					progress = true;
				} else if (errno != EAGAIN && errno != EINTR) {
					conn_free(c, true);
					return;
				}
			}
			if (c->off[s] < c->len[s]) {
				n = send(c->fd[d], c->buf[s] + c->off[s],
				    c->len[s] - c->off[s], MSG_NOSIGNAL);
				if (n > 0) {
					c->off[s] += (size_t)n;
					progress = true;
				} else if (n == -1 && errno != EAGAIN &&
				    errno != EINTR) {
					conn_free(c, true);
					return;
				}
			}
			if (c->eof[s] && c->off[s] == c->len[s] &&
			    !c->shut[d]) {
				(void)shutdown(c->fd[d], SHUT_WR);
				c->shut[d] = true;
			}
		}
	}
	if (c->shut[APP] && c->shut[TOR]) {
		conn_free(c, false);
		return;
	}
	for (s = APP; s <= TOR; s++)
		arm_fd(c, s, (c->off[s] == c->len[s] && !c->eof[s] ? EPOLLIN :
		    0) | (c->off[!s] < c->len[!s] ? EPOLLOUT : 0));
}

static void
on_accept(void)
{
	struct sockaddr_in	 dst;
	socklen_t		 dl;
	struct conn		*c;
	const char		*name;
	struct linger		 l = { 1, 0 };
	int			 fd;

	for (;;) {
		fd = accept4(fw->tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		dl = sizeof(dst);
		c = NULL;
		if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &dl) == -1 ||
		    dst.sin_family != AF_INET ||
		    (ntohl(dst.sin_addr.s_addr) >> 24) == 127 ||
		    (c = conn_new()) == NULL) {
			(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l,
			    sizeof(l));
			close(fd);
			continue;
		}
		c->fd[APP] = fd;
		memcpy(c->ip4, &dst.sin_addr, 4);
		c->port = ntohs(dst.sin_port);
		name = onion_name(c->ip4);
		if ((ntohl(dst.sin_addr.s_addr) >> (32 - RUN_ONION_BITS)) ==
		    (RUN_ONION_NET >> (32 - RUN_ONION_BITS))) {
			if (name == NULL) {
				conn_free(c, true);
				continue;
			}
			snprintf(c->host, sizeof(c->host), "%s", name);
		}
		if (socks_open(c) == -1) {
			conn_free(c, true);
			continue;
		}
		handshake(c);
	}
}

static void
on_dns(void)
{
	struct conn		 tmp, *c;
	uint8_t			 msg[DNS_MSG_MAX], a4[4];
	ssize_t			 n;
	int			 rc;

	for (;;) {
		memset(&tmp, 0, sizeof(tmp));
		tmp.fromlen = sizeof(tmp.from);
		n = recvfrom(fw->udp, msg, sizeof(msg), MSG_DONTWAIT,
		    (struct sockaddr *)&tmp.from, &tmp.fromlen);
		if (n == -1)
			return;
		if ((rc = dns_parse_query(msg, (size_t)n, &tmp.q)) == -1)
			continue;
		memcpy(tmp.qmsg, msg, (size_t)n);
		if (rc != DNS_RC_NOERROR) {
			dns_send(&tmp, rc, NULL);
			continue;
		}
		if (tmp.q.qtype == DNS_T_AAAA) {
			dns_send(&tmp, DNS_RC_NOERROR, NULL);
			continue;
		}
		if (tmp.q.qtype != DNS_T_A) {
			dns_send(&tmp, DNS_RC_REFUSED, NULL);
			continue;
		}
		if (dns_is_onion(tmp.q.name)) {
			if (onion_addr(tmp.q.name, a4) == 0)
				dns_send(&tmp, DNS_RC_NOERROR, a4);
			else
				dns_send(&tmp, DNS_RC_SERVFAIL, NULL);
			continue;
		}
		if ((c = conn_new()) == NULL) {
			dns_send(&tmp, DNS_RC_SERVFAIL, NULL);
			continue;
		}
		c->dns = true;
		c->from = tmp.from;
		c->fromlen = tmp.fromlen;
		c->q = tmp.q;
		memcpy(c->qmsg, msg, (size_t)n);
		snprintf(c->host, sizeof(c->host), "%s", tmp.q.name);
		if (socks_open(c) == -1) {
			conn_fail(c, -1);
			continue;
		}
		handshake(c);
	}
}

static void
expire(void)
{
	time_t	 t = now();
	size_t	 i;

	for (i = 0; i < RUN_MAX_CONNS; i++)
		if (conns[i].used && conns[i].deadline != 0 &&
		    conns[i].deadline <= t)
			conn_fail(&conns[i], -1);
}

static int
add(int fd, uint64_t id)
{
	struct epoll_event	 e;

	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.u64 = id;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

int
run_fwd_loop(const struct run_fwd *f)
{
	struct epoll_event	 evs[64];
	size_t			 i;
	int			 n, k, rc = 0;
	bool			 done = false;

	fw = f;
	for (i = 0; i < RUN_MAX_CONNS; i++)
		conns[i].fd[APP] = conns[i].fd[TOR] = -1;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    add(f->tcp, ID_TCP) == -1 || add(f->udp, ID_UDP) == -1 ||
	    add(f->child_pidfd, ID_CHILD) == -1) {
		log_warn("epoll");
		return -1;
	}
	while (!done) {
		n = epoll_wait(ep, evs, 64, 1000);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("epoll_wait");
			rc = -1;
			break;
		}
		for (k = 0; k < n; k++) {
			uint64_t	 id = evs[k].data.u64;
			struct conn	*c;

			if (id == ID_CHILD) {
				done = true;
				continue;
			}
			if (id == ID_TCP) {
				on_accept();
				continue;
			}
			if (id == ID_UDP) {
				on_dns();
				continue;
			}
			if (id / 2 >= RUN_MAX_CONNS)
				continue;
			c = &conns[id / 2];
			if (!c->used)
				continue;
			if (c->state == S_RELAY)
				pump(c);
			else
				handshake(c);
		}
		expire();
	}
	for (i = 0; i < RUN_MAX_CONNS; i++)
		if (conns[i].used)
			conn_free(&conns[i], true);
	for (i = 0; i < RUN_MAX_ONIONS; i++) {
		free(onions[i]);
		onions[i] = NULL;
	}
	close(ep);
	ep = -1;
	return rc;
}
