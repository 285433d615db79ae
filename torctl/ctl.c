/*
 * runs in: ttp-torctl: root until connected, then _ttp, no capabilities,
 *   seccomp.
 *
 * The control connection; see ctl.h. Authentication is the COOKIE method,
 * not SAFECOOKIE: SAFECOOKIE needs HMAC-SHA256, and ttp links no crypto
 * library (libcrypto would be a new direct dependency for this alone, and
 * OpenSSL's initialisation would have to fit torctl's seccomp allowlist;
 * the kernel's AF_ALG hash sockets are missing on the kernels we test
 * on). What SAFECOOKIE adds is proof that the listener knows the cookie,
 * against a fake control port harvesting it. Our socket lies in a 0700
 * directory of the tor user and the cookie file is readable by that user
 * only; whoever could plant a fake socket there could read the cookie
 * directly.
 */
#include "common/clock.h"
#include "torctl/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int __attribute__((format(printf, 2, 3)))
ctl_fail(struct ctl_conn *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

void
ctl_init(struct ctl_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	ctl_parser_init(&c->p);
}

int
ctl_connect(struct ctl_conn *c, const char *sock_path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 pfd, e;

	/*
	 * The socket itself, not what a symlink in its place points to (its
	 * directory is the tor user's, and we may be root): opened without
	 * following, checked, and connected to through its descriptor.
	 */
	if ((pfd = open(sock_path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return ctl_fail(c, "%s: %s", sock_path, strerror(errno));
	if (fstat(pfd, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		close(pfd);
		errno = ENOTSOCK;
		return ctl_fail(c, "%s: not a socket", sock_path);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "/proc/self/fd/%d",
	    pfd);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		e = errno;
		close(pfd);
		return ctl_fail(c, "socket: %s", strerror(e));
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		e = errno;
		close(c->fd);
		close(pfd);
		c->fd = -1;
		errno = e;
		return ctl_fail(c, "%s: %s", sock_path, strerror(e));
	}
	close(pfd);
	return 0;
}

void
ctl_close(struct ctl_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	ctl_parser_free(&c->p);
}

int
ctl_read_cookie(const char *path, unsigned char cookie[CTL_COOKIE_LEN],
    char *err, size_t errsz)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	/* Non-blocking: a FIFO in its place must not hang us. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size != CTL_COOKIE_LEN) {
		snprintf(err, errsz, "%s: not a %d-byte cookie file", path,
		    CTL_COOKIE_LEN);
		close(fd);
		return -1;
	}
	n = read(fd, cookie, CTL_COOKIE_LEN);
	close(fd);
	if (n != CTL_COOKIE_LEN) {
		snprintf(err, errsz, "%s: short read", path);
		return -1;
	}
	return 0;
}

/* Read more bytes. 1 got some, 0 deadline, -1 error or EOF. */
static int
ctl_fill(struct ctl_conn *c, long long deadline)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLIN };

	for (;;) {
		ssize_t	 n = poll(&pfd, 1, clock_left_ms(deadline));

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return ctl_fail(c, "poll: %s", strerror(errno));
		if (n == 0)
			return 0;
		n = read(c->fd, c->rbuf, sizeof(c->rbuf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return ctl_fail(c, "read: %s", strerror(errno));
		if (n == 0) {
			c->eof = 1;
			return ctl_fail(c, "tor closed the control connection");
		}
		c->roff = 0;
		c->rlen = (size_t)n;
		return 1;
	}
}

/* The next complete reply. 1 got one, 0 deadline, -1 error. */
static int
ctl_next(struct ctl_conn *c, struct ctl_reply *r, long long deadline)
{
	size_t	 used;
	int	 rc;

	if (c->fd == -1)
		return ctl_fail(c, "not connected");
	for (;;) {
		if (c->roff < c->rlen) {
			rc = ctl_parser_feed(&c->p, c->rbuf + c->roff,
			    c->rlen - c->roff, &used, r);
			c->roff += used;
			if (rc == CTL_DONE)
				return 1;
			if (rc == CTL_ERROR)
				return ctl_fail(c, "malformed reply from tor: "
				    "%s", c->p.err);
		}
		c->roff = c->rlen = 0;
		if ((rc = ctl_fill(c, deadline)) <= 0)
			return rc;
	}
}

static void
ctl_dispatch(struct ctl_conn *c, struct ctl_reply *ev)
{
	if (c->on_event != NULL)
		c->on_event(c, ev, c->arg);
	ctl_reply_free(ev);
}

int
ctl_command(struct ctl_conn *c, const char *cmd, struct ctl_reply *r,
    long long deadline)
{
	char	 line[1024];
	size_t	 len, off = 0;

	if (strpbrk(cmd, "\r\n") != NULL)
		return ctl_fail(c, "command contains a line break");
	len = (size_t)snprintf(line, sizeof(line), "%s\r\n", cmd);
	if (len >= sizeof(line))
		return ctl_fail(c, "command too long");
	while (off < len) {
		/* MSG_NOSIGNAL: a dead tor is an error, not SIGPIPE. */
		ssize_t n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			explicit_bzero(line, sizeof(line));
			return ctl_fail(c, "send: %s", strerror(errno));
		}
		off += (size_t)n;
	}
	explicit_bzero(line, sizeof(line));	/* may hold the cookie */
	for (;;) {
		int rc = ctl_next(c, r, deadline);

		if (rc == 0)
			return ctl_fail(c, "no answer from tor in time");
		if (rc == -1)
			return -1;
		if (r->code != CTL_CODE_EVENT)
			return 0;
		ctl_dispatch(c, r);
	}
}

int
ctl_command_ok(struct ctl_conn *c, const char *cmd, long long deadline)
{
	struct ctl_reply r;

	if (ctl_command(c, cmd, &r, deadline) == -1)
		return -1;
	if (r.code != 250) {
		char verb[32];

		/* Name the command, never its arguments (the cookie). */
		snprintf(verb, sizeof(verb), "%.*s", (int)strcspn(cmd, " "),
		    cmd);
		ctl_fail(c, "%s: tor answered %d %s", verb, r.code,
		    ctl_reply_text(&r));
		ctl_reply_free(&r);
		return -1;
	}
	ctl_reply_free(&r);
	return 0;
}

int
ctl_authenticate(struct ctl_conn *c, const unsigned char cookie[CTL_COOKIE_LEN],
    long long deadline)
{
	struct ctl_protocolinfo	 pi;
	struct ctl_reply	 r;
	char			 cmd[16 + 2 * CTL_COOKIE_LEN];
	int			 rc;

	if (ctl_command(c, "PROTOCOLINFO 1", &r, deadline) == -1)
		return -1;
	rc = ctl_parse_protocolinfo(&r, &pi);
	if (rc == -1)
		ctl_fail(c, "PROTOCOLINFO: unexpected answer %d %s", r.code,
		    ctl_reply_text(&r));
	ctl_reply_free(&r);
	if (rc == -1)
		return -1;
	if (pi.methods & CTL_AUTH_COOKIE) {
		size_t i = (size_t)snprintf(cmd, sizeof(cmd), "AUTHENTICATE ");

		for (size_t k = 0; k < CTL_COOKIE_LEN; k++, i += 2)
			snprintf(cmd + i, sizeof(cmd) - i, "%02x", cookie[k]);
	} else if (pi.methods & CTL_AUTH_NULL)
		snprintf(cmd, sizeof(cmd), "AUTHENTICATE");
	else
		return ctl_fail(c, "tor offers no cookie authentication on "
		    "its control socket");
	rc = ctl_command_ok(c, cmd, deadline);
	explicit_bzero(cmd, sizeof(cmd));
	return rc;
}

int
ctl_wait_event(struct ctl_conn *c, long long deadline)
{
	struct ctl_reply r;
	int		 rc;

	if ((rc = ctl_next(c, &r, deadline)) <= 0)
		return rc;
	if (r.code != CTL_CODE_EVENT) {
		ctl_fail(c, "unexpected reply from tor: %d %s", r.code,
		    ctl_reply_text(&r));
		ctl_reply_free(&r);
		return -1;
	}
	ctl_dispatch(c, &r);
	return 1;
}

int
ctl_wait_close(struct ctl_conn *c, long long deadline)
{
	struct ctl_reply r;

	for (;;) {
		int rc = ctl_next(c, &r, deadline);

		if (rc == 1) {
			ctl_reply_free(&r);
			continue;
		}
		if (rc == 0)
			return 1;
		return c->eof ? 0 : -1;
	}
}
