/*
 * One bounded HTTP(S) GET with libcurl: body capped, whole transfer under a
 * stated timeout, no redirects to other schemes, no proxy from the
 * environment (netcheck's traffic reaches Tor through the ruleset, not a
 * proxy variable someone left set).
 */
#ifndef TTP_FETCH_H
#define TTP_FETCH_H

#include <stddef.h>

#define FETCH_BODY_MAX	4096

struct fetch_result {
	long	 status;		/* HTTP status, 0 if none */
	double	 seconds;		/* total time */
	char	 body[FETCH_BODY_MAX + 1];
	size_t	 len;
	char	 error[256];		/* empty on success */
};

int	fetch_init(void);
/* Returns 0 with a 2xx answer, -1 otherwise (res->error says why). */
int	fetch_get(const char *url, long timeout_secs, struct fetch_result *res);

#endif
