/*
 * runs in: ttp-privd (root), ttp, the watchdog's monitor and guard.
 *
 * Descriptor passing on a socketpair; see fdpass.h.
 */
#include "common/fdpass.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

union fdpass_cmsg {
	struct cmsghdr	 h;
	char		 b[CMSG_SPACE(sizeof(int))];
};

ssize_t
fdpass_send(int sock, const void *buf, size_t len, int fd)
{
	union fdpass_cmsg	 c;
	struct iovec		 iov = { (void *)(uintptr_t)buf, len };
	struct msghdr		 m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd != -1) {
		memset(&c, 0, sizeof(c));
		m.msg_control = c.b;
		m.msg_controllen = sizeof(c.b);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL);
}

ssize_t
fdpass_recv(int sock, void *buf, size_t len, int *fd)
{
	union fdpass_cmsg	 c;
	struct iovec		 iov = { buf, len };
	struct msghdr		 m = { .msg_iov = &iov, .msg_iovlen = 1,
				       .msg_control = c.b,
				       .msg_controllen = sizeof(c.b) };
	struct cmsghdr		*h;
	ssize_t			 n;

	*fd = -1;
	if ((n = recvmsg(sock, &m, MSG_TRUNC | MSG_CMSG_CLOEXEC)) == -1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (h != NULL && h->cmsg_level == SOL_SOCKET &&
	    h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(h), sizeof(int));
	if ((m.msg_flags & MSG_CTRUNC) || (h != NULL && *fd == -1)) {
		if (*fd != -1)
			(void)close(*fd);
		*fd = -1;
		errno = EPROTO;
		return -1;
	}
	return n;
}
