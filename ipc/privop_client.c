/*
 * runs in: ttp (root) and the watchdog's guard (_ttp, seccomp).
 *
 * Client stubs of the privileged interface: privop_<op>() sends one request
 * frame to ttp-privd and waits for its reply; the handler that serves it is
 * privd_<op>() in privd/. The reply is decoded as strictly as privd decodes
 * requests, so a confused or compromised privd cannot feed the caller
 * garbage either. The wait is unbounded on purpose: the caller decides
 * whether and how to time out (privd's ops are short kernel calls).
 */
#include "ipc/privop.h"
#include "common/fdpass.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
client_fail(struct privop_reply *rep, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
client_fail(struct privop_reply *rep, int err, const char *fmt, ...)
{
	va_list	 ap;

	/* Nothing of what privd may have sent survives. */
	memset(rep, 0, sizeof(*rep));
	rep->fd = -1;
	va_start(ap, fmt);
	privop_reply_verr(rep, err, fmt, ap);
	va_end(ap);
	return -1;
}

static int
privop_call(int fd, const struct privop_req *req, struct privop_reply *rep)
{
	unsigned char	 buf[PRIVOP_FRAME_MAX];
	const char	*why;
	ssize_t		 len, n;
	int		 passfd = -1;

	/*
	 * privd ends itself on a request it must reject; catching a caller's
	 * bug here gives a clear error instead of a dead privd.
	 */
	if (privop_validate_req(req, &why) == -1)
		return client_fail(rep, EINVAL, "%s: invalid request: %s",
		    privop_name(req->op), why);
	if ((len = privop_encode_req(req, buf, sizeof(buf))) == -1)
		return client_fail(rep, EINVAL, "%s: cannot encode request",
		    privop_name(req->op));
	/* MSG_NOSIGNAL: a dead privd is an EPIPE reply, not a SIGPIPE. */
	do
		n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
		return client_fail(rep, EPIPE, "%s: ttp-privd is gone",
		    privop_name(req->op));
	if (n == -1)
		return client_fail(rep, errno, "%s: send to ttp-privd: %s",
		    privop_name(req->op), strerror(errno));
	if (n != len)
		return client_fail(rep, EPROTO, "%s: short send to ttp-privd",
		    privop_name(req->op));

	/* MSG_TRUNC makes recv return the real size of an oversize reply.
	 * Only FW_ANCHOR's reply may carry a descriptor; any other reply's
	 * is discarded by the kernel, as plain recv() takes none. */
	do
		n = req->op == PRIVOP_FW_ANCHOR ?
		    fdpass_recv(fd, buf, sizeof(buf), &passfd) :
		    recv(fd, buf, sizeof(buf), MSG_TRUNC);
	while (n == -1 && errno == EINTR);
	if (n == 0 || (n == -1 && errno == ECONNRESET))
		return client_fail(rep, EPIPE, "%s: ttp-privd is gone",
		    privop_name(req->op));
	if (n == -1)
		return client_fail(rep, errno, "%s: recv from ttp-privd: %s",
		    privop_name(req->op), strerror(errno));
	if ((size_t)n > sizeof(buf) ||
	    privop_decode_reply(buf, (size_t)n, rep, &why) == -1) {
		if (passfd != -1)
			(void)close(passfd);
		return client_fail(rep, EPROTO, "%s: invalid reply from "
		    "ttp-privd: %s", privop_name(req->op), (size_t)n >
		    sizeof(buf) ? "oversize" : why);
	}
	/* A descriptor comes with a successful FW_ANCHOR, never else. */
	rep->fd = passfd;
	if (req->op == PRIVOP_FW_ANCHOR && (rep->err == 0) != (passfd != -1)) {
		if (passfd != -1)
			(void)close(passfd);
		return client_fail(rep, EPROTO, "%s: the reply %s a "
		    "descriptor", privop_name(req->op),
		    rep->err == 0 ? "lacks" : "carries");
	}
	return rep->err == 0 ? 0 : -1;
}

static int
privop_simple(int fd, enum privop op, struct privop_reply *rep)
{
	struct privop_req	 req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	return privop_call(fd, &req, rep);
}

/* FW_APPLY and FW_ANCHOR: the same arguments. */
static int
privop_session_op(int fd, enum privop op, const struct privop_fw_apply *a,
    struct privop_reply *rep)
{
	struct privop_req	 req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.u.fw_apply = *a;
	return privop_call(fd, &req, rep);
}

int
privop_fw_apply(int fd, const struct privop_fw_apply *a,
    struct privop_reply *rep)
{
	return privop_session_op(fd, PRIVOP_FW_APPLY, a, rep);
}

int
privop_fw_lockdown(int fd, uint32_t tor_uid, struct privop_reply *rep)
{
	struct privop_req	 req;

	memset(&req, 0, sizeof(req));
	req.op = PRIVOP_FW_LOCKDOWN;
	req.u.fw_lockdown.tor_uid = tor_uid;
	return privop_call(fd, &req, rep);
}

int
privop_fw_remove(int fd, struct privop_reply *rep)
{
	return privop_simple(fd, PRIVOP_FW_REMOVE, rep);
}

int
privop_fw_status(int fd, struct privop_reply *rep)
{
	return privop_simple(fd, PRIVOP_FW_STATUS, rep);
}

int
privop_dns_overlay(int fd, struct privop_reply *rep)
{
	return privop_simple(fd, PRIVOP_DNS_OVERLAY, rep);
}

int
privop_dns_restore(int fd, struct privop_reply *rep)
{
	return privop_simple(fd, PRIVOP_DNS_RESTORE, rep);
}

int
privop_ct_flush(int fd, struct privop_reply *rep)
{
	return privop_simple(fd, PRIVOP_CT_FLUSH, rep);
}

int
privop_fw_anchor(int fd, const struct privop_fw_apply *a,
    struct privop_reply *rep)
{
	return privop_session_op(fd, PRIVOP_FW_ANCHOR, a, rep);
}

int
privop_sock_kill(int fd, uint16_t trans_port, struct privop_reply *rep)
{
	struct privop_req	 req;

	memset(&req, 0, sizeof(req));
	req.op = PRIVOP_SOCK_KILL;
	req.u.sock_kill.trans_port = trans_port;
	return privop_call(fd, &req, rep);
}
