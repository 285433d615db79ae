/*
 * Tor's TransPort and DNSPort: is the configured port free on loopback,
 * and if another program holds it, a free one drawn at random instead
 * (a moving target for whoever squats it). The chosen ports go to the
 * torrc and to the ruleset.
 */
#ifndef TTP_PORTS_H
#define TTP_PORTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Whether `port` can be bound on 127.0.0.1 (and on ::1 with ipv6) for
 * `socktype` (SOCK_STREAM for TransPort, SOCK_DGRAM for DNSPort: tor's
 * DNSPort is UDP only). Returns 1 free, 0 taken, -1 error (errno set).
 */
int	port_is_free(int socktype, uint16_t port, int ipv6);

struct port_choice {
	uint16_t	 trans_port;
	uint16_t	 dns_port;
	int		 trans_changed;	/* the configured one was taken */
	int		 dns_changed;
};

/*
 * Keep the configured ports when free, else draw free ones at random in
 * TTP_PORT_RANDOM_MIN..MAX (at most TTP_PORT_TRIES draws each). Returns 0,
 * or -1 with a message in err.
 */
int	ports_choose(uint16_t trans_port, uint16_t dns_port, int ipv6,
	    struct port_choice *pc, char *err, size_t errsz);

#endif
