/*
 * A Tor control connection over tor's ControlSocket: connect, cookie
 * authentication, commands with their replies, asynchronous events. All
 * waits take an absolute deadline (clock_ms() + ms, common/clock.h). Errors leave a
 * one-line reason in c->err. No stem, no library: the protocol is lines.
 */
#ifndef TTP_CTL_H
#define TTP_CTL_H

#include <stddef.h>

#include "torctl/ctlreply.h"

#define CTL_COOKIE_LEN	32

struct ctl_conn;
typedef void (*ctl_event_cb)(struct ctl_conn *c, const struct ctl_reply *ev,
    void *arg);

struct ctl_conn {
	int		 fd;
	struct ctl_parser p;
	char		 rbuf[4096];	/* read but not yet parsed */
	size_t		 roff;
	size_t		 rlen;
	ctl_event_cb	 on_event;	/* 650 replies; NULL: dropped */
	void		*arg;
	int		 eof;		/* tor closed the connection */
	char		 err[256];
};


void	ctl_init(struct ctl_conn *c);
/* Connect to the socket. 0, or -1 (errno kept). */
int	ctl_connect(struct ctl_conn *c, const char *sock_path);
void	ctl_close(struct ctl_conn *c);

/* Read the 32-byte cookie file. 0, or -1 with a reason in err. */
int	ctl_read_cookie(const char *path, unsigned char cookie[CTL_COOKIE_LEN],
	    char *err, size_t errsz);

/*
 * PROTOCOLINFO, then AUTHENTICATE with the cookie (COOKIE method: see
 * ctl.c for why not SAFECOOKIE). 0, or -1.
 */
int	ctl_authenticate(struct ctl_conn *c,
	    const unsigned char cookie[CTL_COOKIE_LEN], long long deadline);

/*
 * Send one command line and wait for its reply; events arriving meanwhile
 * go to on_event. Returns 0 with the reply in *r (ctl_reply_free it),
 * whatever its code; -1 on I/O, protocol error or deadline.
 */
int	ctl_command(struct ctl_conn *c, const char *cmd, struct ctl_reply *r,
	    long long deadline);
/* A command that must be answered "250 OK". 0, or -1. */
int	ctl_command_ok(struct ctl_conn *c, const char *cmd,
	    long long deadline);

/*
 * Wait for the next event and hand it to on_event. Returns 1 after one
 * event, 0 at the deadline, -1 on error or when tor closed the connection.
 */
int	ctl_wait_event(struct ctl_conn *c, long long deadline);

/*
 * Wait until tor closes the connection (after SIGNAL SHUTDOWN), dropping
 * anything it still sends. 0 closed, 1 deadline, -1 error.
 */
int	ctl_wait_close(struct ctl_conn *c, long long deadline);

#endif
