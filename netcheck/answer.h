/*
 * Parsing what the check endpoints answer: check.torproject.org's
 * {"IsTor": bool, "IP": "addr"}, or a bare address (ipify, ifconfig.me,
 * my-ip.io). Pure functions, fuzzed.
 */
#ifndef TTP_ANSWER_H
#define TTP_ANSWER_H

#include <netinet/in.h>
#include <stddef.h>

#define ANSWER_ISTOR_UNKNOWN	(-1)

struct answer {
	char	 ip[INET6_ADDRSTRLEN];	/* normalised text form */
	int	 family;		/* AF_INET or AF_INET6 */
	int	 is_tor;		/* 1, 0, or ANSWER_ISTOR_UNKNOWN */
};

/* Returns 0 when body is one of the two accepted forms. */
int	answer_parse(const char *body, size_t len, struct answer *out);

#endif
