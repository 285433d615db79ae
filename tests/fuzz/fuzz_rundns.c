/* libFuzzer target: ttp run's DNS query parser and answers (run/dns.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "run/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query	 q;
	uint8_t			 msg[DNS_MSG_MAX], out[DNS_MSG_MAX];
	static const uint8_t	 a4[4] = { 10, 192, 0, 1 };
	int			 rc;

	if (size > sizeof(msg))
		size = sizeof(msg);	/* the forwarder reads at most this */
	memcpy(msg, data, size);
	rc = dns_parse_query(msg, size, &q);
	if (rc == -1)
		return 0;
	(void)dns_answer(msg, &q, rc, rc == DNS_RC_NOERROR ? a4 : NULL, out,
	    sizeof(out));
	(void)dns_answer(msg, &q, DNS_RC_NXDOMAIN, NULL, out, 16);
	(void)dns_is_onion(q.name);
	return 0;
}
