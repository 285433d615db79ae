/*
 * runs in: ttp-netcheck, _ttp, no capabilities, seccomp.
 *
 * See answer.h. An answer is accepted only when it is exactly a JSON object
 * with a string "IP" holding a valid address (and optionally a boolean
 * "IsTor"), or exactly one address with surrounding white space.
 */
#include "netcheck/answer.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <string.h>

static int
answer_addr(const char *s, size_t len, struct answer *out)
{
	char		 tmp[INET6_ADDRSTRLEN];
	unsigned char	 bin[sizeof(struct in6_addr)];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, bin) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, bin) == 1)
		out->family = AF_INET6;
	else
		return -1;
	if (inet_ntop(out->family, bin, out->ip, sizeof(out->ip)) == NULL)
		return -1;
	return 0;
}

int
answer_parse(const char *body, size_t len, struct answer *out)
{
	json_t		*root, *ip, *istor;
	json_error_t	 jerr;
	size_t		 b = 0, e = len;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	out->is_tor = ANSWER_ISTOR_UNKNOWN;
	while (b < e && isspace((unsigned char)body[b]))
		b++;
	while (e > b && isspace((unsigned char)body[e - 1]))
		e--;
	if (b < e && body[b] != '{')
		return answer_addr(body + b, e - b, out);

	root = json_loadb(body + b, e - b, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root))
		goto done;
	ip = json_object_get(root, "IP");
	if (!json_is_string(ip) ||
	    answer_addr(json_string_value(ip), json_string_length(ip), out))
		goto done;
	istor = json_object_get(root, "IsTor");
	if (istor != NULL) {
		if (!json_is_boolean(istor))
			goto done;
		out->is_tor = json_is_true(istor);
	}
	rc = 0;
done:
	json_decref(root);
	return rc;
}
