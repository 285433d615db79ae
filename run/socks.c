/*
 * runs in: ttp run's forwarder (the user, host network namespace); no I/O.
 *
 * SOCKS5 (RFC 1928) with username/password (RFC 1929) toward tor: the
 * credentials choose the circuits (tor's IsolateSOCKSAuth). CONNECT to an
 * IPv4 address or a host name (.onion), and tor's RESOLVE (0xF0). What
 * tor answers is checked byte by byte against the length given.
 */
#include <string.h>

#include "run/run.h"

size_t
socks_hello(uint8_t *out)
{
	out[0] = 5;
	out[1] = 1;
	out[2] = 2;
	return 3;
}

int
socks_hello_ok(const uint8_t *p)
{
	return p[0] == 5 && p[1] == 2 ? 0 : -1;
}

size_t
socks_auth(uint8_t *out, size_t outsz, const char *user, const char *pass)
{
	size_t	 ul = strlen(user), pl = strlen(pass);

	if (ul == 0 || ul > 255 || pl == 0 || pl > 255 || outsz < 3 + ul + pl)
		return 0;
	out[0] = 1;
	out[1] = (uint8_t)ul;
	memcpy(out + 2, user, ul);
	out[2 + ul] = (uint8_t)pl;
	memcpy(out + 3 + ul, pass, pl);
	return 3 + ul + pl;
}

int
socks_auth_ok(const uint8_t *p)
{
	return p[0] == 1 && p[1] == 0 ? 0 : -1;
}

size_t
socks_request(uint8_t *out, size_t outsz, uint8_t cmd, const char *host,
    const uint8_t ip4[4], uint16_t port)
{
	size_t	 n = 4, hl = host ? strlen(host) : 0;

	if ((host != NULL && (hl == 0 || hl > 255)) ||
	    (host == NULL && ip4 == NULL) ||
	    outsz < 4 + (host ? 1 + hl : 4) + 2)
		return 0;
	out[0] = 5;
	out[1] = cmd;
	out[2] = 0;
	if (host != NULL) {
		out[3] = 3;
		out[n++] = (uint8_t)hl;
		memcpy(out + n, host, hl);
		n += hl;
	} else {
		out[3] = 1;
		memcpy(out + n, ip4, 4);
		n += 4;
	}
	out[n++] = (uint8_t)(port >> 8);
	out[n++] = (uint8_t)port;
	return n;
}

int
socks_reply_len(const uint8_t *p, size_t have)
{
	if (have < 2)
		return 0;
	if (p[0] != 5)
		return -1;
	if (have < 4)
		return 0;
	if (p[2] != 0)
		return -1;
	switch (p[3]) {
	case 1:
		return 4 + 4 + 2;
	case 4:
		return 4 + 16 + 2;
	case 3:
		if (have < 5)
			return 0;
		return 4 + 1 + p[4] + 2;
	default:
		/* tor answers a failure with atyp 1; anything else is not
		 * SOCKS5. */
		return -1;
	}
}

int
socks_reply(const uint8_t *p, size_t len, uint8_t *a4, bool *has4)
{
	int	 want = socks_reply_len(p, len);

	if (has4 != NULL)
		*has4 = false;
	if (want <= 0 || (size_t)want != len)
		return -1;
	if (p[3] == 1 && p[1] == 0) {
		if (a4 != NULL)
			memcpy(a4, p + 4, 4);
		if (has4 != NULL)
			*has4 = true;
	}
	return p[1];
}
