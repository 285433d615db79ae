/*
 * runs in: ttp, root.
 *
 * Port selection; see ports.h. A port is tested by binding it the way tor
 * will (SO_REUSEADDR on TCP, as tor sets it, so a port left in TIME_WAIT
 * by the previous session's tor still counts as free). Another program may
 * still take the port between this test and tor's bind; tor then fails to
 * start and says which port, which the caller reports.
 */
#include "tor/ports.h"
#include "common/defaults.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

static int
bind_test(int family, int socktype, uint16_t port)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr		*sa;
	socklen_t		 salen;
	int			 fd, one = 1, rc, e;

	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sin6.sin6_addr = in6addr_loopback;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	if ((fd = socket(family, socktype | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (socktype == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	rc = bind(fd, sa, salen);
	e = errno;
	close(fd);
	if (rc == 0)
		return 1;
	errno = e;
	return (e == EADDRINUSE || e == EACCES) ? 0 : -1;
}

int
port_is_free(int socktype, uint16_t port, int ipv6)
{
	int	 rc;

	if ((rc = bind_test(AF_INET, socktype, port)) != 1 || !ipv6)
		return rc;
	return bind_test(AF_INET6, socktype, port);
}

static int
pick(int socktype, uint16_t want, uint16_t avoid, int ipv6, uint16_t *got,
    int *changed, const char *what, char *err, size_t errsz)
{
	int		 i, rc;

	*changed = 0;
	if ((rc = port_is_free(socktype, want, ipv6)) == 1) {
		*got = want;
		return 0;
	}
	if (rc == -1) {
		snprintf(err, errsz, "cannot test %s %u on loopback: %s", what,
		    want, strerror(errno));
		return -1;
	}
	for (i = 0; i < TTP_PORT_TRIES; i++) {
		uint32_t	 r;
		uint16_t	 p;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			snprintf(err, errsz, "getrandom: %s", strerror(errno));
			return -1;
		}
		p = (uint16_t)(TTP_PORT_RANDOM_MIN + r %
		    (TTP_PORT_RANDOM_MAX - TTP_PORT_RANDOM_MIN + 1));
		if (p == avoid)
			continue;
		if ((rc = port_is_free(socktype, p, ipv6)) == 1) {
			*got = p;
			*changed = 1;
			return 0;
		}
		if (rc == -1) {
			snprintf(err, errsz, "cannot test %s %u on loopback: "
			    "%s", what, p, strerror(errno));
			return -1;
		}
	}
	snprintf(err, errsz, "%s %u is taken and no free port was found in "
	    "%d tries between %d and %d", what, want, TTP_PORT_TRIES,
	    TTP_PORT_RANDOM_MIN, TTP_PORT_RANDOM_MAX);
	return -1;
}

int
ports_choose(uint16_t trans_port, uint16_t dns_port, int ipv6,
    struct port_choice *pc, char *err, size_t errsz)
{
	memset(pc, 0, sizeof(*pc));
	if (pick(SOCK_STREAM, trans_port, dns_port, ipv6, &pc->trans_port,
	    &pc->trans_changed, "TransPort", err, errsz) == -1)
		return -1;
	return pick(SOCK_DGRAM, dns_port, pc->trans_port, ipv6,
	    &pc->dns_port, &pc->dns_changed, "DNSPort", err, errsz);
}
