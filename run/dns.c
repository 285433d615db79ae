/*
 * runs in: ttp run's forwarder (the user, host network namespace); no I/O.
 *
 * The DNS CMD may ask: one question per query, class IN, answered by
 * the forwarder (fwd.c) with an A record from tor or the .onion pool, an
 * empty answer for AAAA (IPv6 has no route in CMD's namespace), REFUSED
 * for other types. Every byte is checked against the length; a
 * compression pointer in a question is FORMERR. docs/run.md.
 */
#include <string.h>

#include "run/run.h"

#define HDR	12

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool
name_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
dns_parse_query(const uint8_t *msg, size_t len, struct dns_query *q)
{
	size_t	 off = HDR, n = 0;
	bool	 odd = false;

	memset(q, 0, sizeof(*q));
	if (msg == NULL || len < HDR)
		return -1;
	q->id = get16(msg);
	q->flags = get16(msg + 2);
	if (q->flags & 0x8000)		/* a response: never answered */
		return -1;
	if (((q->flags >> 11) & 0xf) != 0)	/* only QUERY */
		return DNS_RC_NOTIMP;
	if (get16(msg + 4) != 1)
		return DNS_RC_FORMERR;
	for (;;) {
		uint8_t	 l;

		if (off >= len)
			return DNS_RC_FORMERR;
		l = msg[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len)	/* pointers (0xc0) too */
			return DNS_RC_FORMERR;
		if (n + l + (n ? 1 : 0) > DNS_NAME_MAX)
			return DNS_RC_FORMERR;
		if (n)
			q->name[n++] = '.';
		for (uint8_t i = 0; i < l; i++) {
			uint8_t	 c = msg[off + i];

			if (!name_char(c))
				odd = true;
			q->name[n++] = (char)((c >= 'A' && c <= 'Z') ?
			    c + 32 : c);
		}
		off += l;
	}
	q->name[n] = '\0';
	if (off + 4 > len)
		return DNS_RC_FORMERR;
	q->qtype = get16(msg + off);
	q->qclass = get16(msg + off + 2);
	q->qlen = off + 4 - HDR;
	if (q->qclass != 1 || odd || n == 0)
		return DNS_RC_REFUSED;
	return DNS_RC_NOERROR;
}

size_t
dns_answer(const uint8_t *msg, const struct dns_query *q, int rc,
    const uint8_t *a4, uint8_t *out, size_t outsz)
{
	size_t	 len = HDR;
	bool	 echo = q->qlen > 0 && (rc == DNS_RC_NOERROR ||
	    rc == DNS_RC_NXDOMAIN || rc == DNS_RC_SERVFAIL ||
	    rc == DNS_RC_REFUSED);

	if (outsz < HDR + (echo ? q->qlen : 0) + (a4 ? 16 : 0))
		return 0;
	memset(out, 0, HDR);
	put16(out, q->id);
	/* QR, the request's opcode and RD, RA, the rcode. */
	put16(out + 2, (uint16_t)(0x8000 | (q->flags & 0x7900) | 0x0080 |
	    (rc & 0xf)));
	if (echo) {
		put16(out + 4, 1);
		memcpy(out + HDR, msg + HDR, q->qlen);
		len += q->qlen;
	}
	if (echo && a4 != NULL && rc == DNS_RC_NOERROR) {
		put16(out + 6, 1);
		put16(out + len, 0xc00c);	/* the question's name */
		put16(out + len + 2, DNS_T_A);
		put16(out + len + 4, 1);
		out[len + 6] = 0;
		out[len + 7] = 0;
		put16(out + len + 8, RUN_DNS_TTL);
		put16(out + len + 10, 4);
		memcpy(out + len + 12, a4, 4);
		len += 16;
	}
	return len;
}

bool
dns_is_onion(const char *name)
{
	size_t	 n = strlen(name);

	return strcmp(name, "onion") == 0 ||
	    (n > 6 && strcmp(name + n - 6, ".onion") == 0);
}
