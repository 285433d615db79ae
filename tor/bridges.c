/*
 * runs in: ttp, root.
 *
 * Bridge-line validation and the pluggable-transport programs; see
 * bridges.h. The check is strict on purpose: a line that reaches the torrc
 * can carry any tor directive after a newline, and a typo found by tor
 * only after the firewall is up costs the user a failed start. So each
 * field is checked for what tor itself requires (tor's parse_bridge_line):
 * a known transport, a numeric IP:port, a 40-hex fingerprint, key=value
 * arguments only for a transport.
 */
#include "tor/bridges.h"
#include "tor/pkg.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char	*name;
	const char	*program;	/* PT client, NULL for vanilla */
	const char	*need[3];	/* arguments the line must carry */
} pts[PT_COUNT] = {
	[PT_VANILLA] = { "", NULL, { NULL } },
	[PT_OBFS4] = { "obfs4", "obfs4proxy", { "cert", "iat-mode", NULL } },
	[PT_MEEK_LITE] = { "meek_lite", "obfs4proxy", { "url", NULL } },
	[PT_SNOWFLAKE] = { "snowflake", "snowflake-client", { NULL } },
	/* Debian 12's obfs4proxy predates webtunnel; lyrebird has it. */
	[PT_WEBTUNNEL] = { "webtunnel", "lyrebird", { "url", NULL } },
};

const char *
pt_name(enum pt_transport t)
{
	return (t < PT_COUNT) ? pts[t].name : "?";
}

const char *
pt_program(enum pt_transport t)
{
	return (t < PT_COUNT) ? pts[t].program : NULL;
}

static int __attribute__((format(printf, 3, 4)))
why(char *buf, size_t sz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	return -1;
}

/* "a.b.c.d:port" or "[v6]:port", numeric only, port 1-65535. */
static int
valid_addr_port(const char *s)
{
	char		 host[INET6_ADDRSTRLEN + 2], *end;
	const char	*colon;
	unsigned char	 bin[16];
	unsigned long	 port;
	size_t		 hlen;
	int		 af = AF_INET;

	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return 0;
		s++;
		hlen = (size_t)(colon - s);
		colon++;
		af = AF_INET6;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return 0;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return 0;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(af, host, bin) != 1)
		return 0;
	if (!isdigit((unsigned char)colon[1]))
		return 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	return *end == '\0' && errno == 0 && port >= 1 && port <= 65535;
}

static int
is_fingerprint(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return i == 40;
}

/* key=value: key of [A-Za-z0-9_-], value non-empty (no blanks: tokens). */
static int
is_arg(const char *s, size_t *keylen)
{
	const char	*eq;
	size_t		 i;

	if ((eq = strchr(s, '=')) == NULL || eq == s || eq[1] == '\0')
		return 0;
	for (i = 0; s + i < eq; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	*keylen = i;
	return 1;
}

int
bridge_parse(const char *text, struct bridge *b, char *w, size_t wsz)
{
	char		 buf[BRIDGE_LINE_MAX], *tok[64], *save = NULL, *t;
	size_t		 ntok = 0, i = 0, k, keylen, len = 0;
	const char	*sep = "", *c;
	int		 have[3] = { 0, 0, 0 }, n;
	enum pt_transport tr = PT_VANILLA;

	for (c = text; *c != '\0'; c++)
		if (iscntrl((unsigned char)*c) && *c != '\t')
			return why(w, wsz, "control character in the line");
	if (strlen(text) >= sizeof(buf))
		return why(w, wsz, "too long (at most %zu characters)",
		    sizeof(buf) - 1);
	memcpy(buf, text, strlen(text) + 1);
	for (t = strtok_r(buf, " \t", &save); t != NULL;
	    t = strtok_r(NULL, " \t", &save)) {
		if (ntok == sizeof(tok) / sizeof(tok[0]))
			return why(w, wsz, "too many fields");
		tok[ntok++] = t;
	}
	if (ntok == 0)
		return why(w, wsz, "empty");

	/* A transport name, unless the line starts with the address. */
	if (!isdigit((unsigned char)tok[0][0]) && tok[0][0] != '[' &&
	    strchr(tok[0], ':') == NULL) {
		for (tr = PT_VANILLA + 1; tr < PT_COUNT; tr++)
			if (strcmp(tok[0], pts[tr].name) == 0)
				break;
		if (tr == PT_COUNT)
			return why(w, wsz, "unknown transport '%s' (obfs4, "
			    "meek_lite, snowflake, webtunnel, or none for a "
			    "plain bridge)", tok[0]);
		i = 1;
	}
	if (i == ntok)
		return why(w, wsz, "missing IP:port");
	if (!valid_addr_port(tok[i]))
		return why(w, wsz, "'%s' is not IP:port (IPv4, or [IPv6] in "
		    "brackets, port 1-65535)", tok[i]);
	i++;
	if (i < ntok && strchr(tok[i], '=') == NULL) {
		if (!is_fingerprint(tok[i]))
			return why(w, wsz, "'%s' is not a fingerprint (40 "
			    "hexadecimal digits)", tok[i]);
		i++;
	}
	if (i < ntok && tr == PT_VANILLA)
		return why(w, wsz, "'%s': a plain bridge takes no arguments",
		    tok[i]);
	for (k = i; k < ntok; k++) {
		if (!is_arg(tok[k], &keylen))
			return why(w, wsz, "'%s' is not a key=value argument",
			    tok[k]);
		for (n = 0; n < 3 && pts[tr].need[n] != NULL; n++)
			if (strlen(pts[tr].need[n]) == keylen &&
			    strncmp(tok[k], pts[tr].need[n], keylen) == 0)
				have[n] = 1;
	}
	for (n = 0; n < 3 && pts[tr].need[n] != NULL; n++)
		if (!have[n])
			return why(w, wsz, "%s bridge without its %s= "
			    "argument", pts[tr].name, pts[tr].need[n]);

	b->transport = tr;
	for (k = 0; k < ntok; k++) {
		len += (size_t)snprintf(b->line + len, sizeof(b->line) - len,
		    "%s%s", sep, tok[k]);
		sep = " ";
	}
	return 0;
}

/* Skip blanks and an optional leading "Bridge" keyword. */
static const char *
skip_keyword(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (strncasecmp(s, "Bridge", 6) == 0 && (s[6] == ' ' || s[6] == '\t'))
		s += 6;
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int
bridges_add(struct bridge_list *l, const char *text, const char *origin,
    int lineno, char *err, size_t errsz)
{
	char	 w[256];

	if (l->n == TTP_MAX_BRIDGES) {
		snprintf(err, errsz, "%s%sbridge line %d: more than %d bridges",
		    origin ? origin : "", origin ? ": " : "", lineno,
		    TTP_MAX_BRIDGES);
		return -1;
	}
	if (bridge_parse(skip_keyword(text), &l->v[l->n], w, sizeof(w)) ==
	    -1) {
		snprintf(err, errsz, "%s%sbridge line %d: %s",
		    origin ? origin : "", origin ? ": " : "", lineno, w);
		return -1;
	}
	l->n++;
	return 0;
}

int
bridges_load_file(struct bridge_list *l, const char *path, char *err,
    size_t errsz)
{
	FILE		*fp;
	char		 line[BRIDGE_LINE_MAX + 2];
	const char	*s;
	int		 lineno = 0, rc = 0;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(fp)) {
			snprintf(err, errsz, "%s: bridge line %d: too long",
			    path, lineno);
			rc = -1;
			break;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		if ((rc = bridges_add(l, s, path, lineno, err, errsz)) == -1)
			break;
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errsz, "%s: read error", path);
		rc = -1;
	}
	fclose(fp);
	return rc;
}

unsigned
bridges_transports(const struct bridge_list *l)
{
	unsigned	 mask = 0;
	size_t		 i;

	for (i = 0; i < l->n; i++)
		mask |= 1U << l->v[i].transport;
	return mask;
}

int
bridges_find_programs(const struct bridge_list *l, int install,
    char pt_path[PT_COUNT][TTP_CONF_PATH_MAX], char *err, size_t errsz)
{
	unsigned	 mask = bridges_transports(l);
	enum pt_transport t;

	for (t = 0; t < PT_COUNT; t++) {
		const char *prog;

		pt_path[t][0] = '\0';
		if (!(mask & (1U << t)) || (prog = pts[t].program) == NULL)
			continue;
		if (pkg_find_program(prog, pt_path[t], TTP_CONF_PATH_MAX) == 0)
			continue;
		if (!install) {
			snprintf(err, errsz, "%s bridges need %s, which is not "
			    "installed", pts[t].name, prog);
			return -1;
		}
		log_info("%s bridges need %s, which is missing: installing "
		    "it", pts[t].name, prog);
		if (pkg_install(prog, err, errsz) == -1)
			return -1;
		if (pkg_find_program(prog, pt_path[t], TTP_CONF_PATH_MAX) ==
		    -1) {
			snprintf(err, errsz, "%s is still not found after "
			    "installing it", prog);
			return -1;
		}
	}
	return 0;
}
