/*
 * runs in: ttp-torctl, _ttp, no capabilities, seccomp.
 *
 * The control-reply parser; see ctlreply.h. Strict where tor is strict
 * (every line ends in CRLF, starts with a three-digit code and a
 * separator, all lines of a reply share one code) and bounded everywhere
 * (line, reply and line-count limits), since what it reads comes from a
 * process ttp does not control. Anything unexpected is an error: the
 * caller drops the connection rather than guess.
 */
#include "torctl/ctlreply.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int __attribute__((format(printf, 2, 3)))
perr(struct ctl_parser *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return CTL_ERROR;
}

void
ctl_parser_init(struct ctl_parser *p)
{
	memset(p, 0, sizeof(*p));
}

void
ctl_reply_free(struct ctl_reply *r)
{
	size_t	 i;

	for (i = 0; i < r->nlines; i++) {
		free(r->lines[i].text);
		free(r->lines[i].data);
	}
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

void
ctl_parser_free(struct ctl_parser *p)
{
	ctl_reply_free(&p->cur);
	ctl_parser_init(p);
}

static int
data_line(struct ctl_parser *p, const char *s, size_t n)
{
	struct ctl_line	*l = &p->cur.lines[p->cur.nlines - 1];
	size_t		 need;

	/* Dot-unstuffing: a data line starting with '.' had one added. */
	if (n > 0 && s[0] == '.') {
		s++;
		n--;
	}
	need = l->datalen + n + 2;
	if (need > p->datacap) {
		size_t	 cap = p->datacap ? p->datacap : 256;
		char	*d;

		while (cap < need)
			cap *= 2;
		if ((d = realloc(l->data, cap)) == NULL)
			return perr(p, "out of memory");
		l->data = d;
		p->datacap = cap;
	}
	memcpy(l->data + l->datalen, s, n);
	l->datalen += n;
	l->data[l->datalen++] = '\n';
	l->data[l->datalen] = '\0';
	return CTL_MORE;
}

static int
status_line(struct ctl_parser *p, const char *s, size_t n,
    struct ctl_reply *out)
{
	struct ctl_line	*l;
	int		 code;

	if (n < 4)
		return perr(p, "status line too short");
	if (s[0] < '2' || s[0] > '6' || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]))
		return perr(p, "bad status code");
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (s[3] != ' ' && s[3] != '-' && s[3] != '+')
		return perr(p, "bad separator after the status code");
	if (p->cur.nlines > 0 && code != p->cur.code)
		return perr(p, "status code changes within a reply");
	if (p->cur.nlines == CTL_LINES_MAX)
		return perr(p, "more than %d lines in a reply", CTL_LINES_MAX);
	if (p->cur.nlines == p->cap) {
		size_t	 cap = p->cap ? p->cap * 2 : 8;

		if ((l = realloc(p->cur.lines, cap * sizeof(*l))) == NULL)
			return perr(p, "out of memory");
		p->cur.lines = l;
		p->cap = cap;
	}
	l = &p->cur.lines[p->cur.nlines];
	memset(l, 0, sizeof(*l));
	if ((l->text = strndup(s + 4, n - 4)) == NULL)
		return perr(p, "out of memory");
	l->sep = s[3];
	p->cur.code = code;
	p->cur.nlines++;
	if (l->sep == '+') {
		if ((l->data = calloc(1, 1)) == NULL)
			return perr(p, "out of memory");
		p->datacap = 1;
		p->in_data = 1;
	}
	if (l->sep != ' ')
		return CTL_MORE;
	*out = p->cur;
	memset(&p->cur, 0, sizeof(p->cur));
	p->cap = 0;
	p->bytes = 0;
	return CTL_DONE;
}

static int
one_line(struct ctl_parser *p, struct ctl_reply *out)
{
	const char	*s = p->line;
	size_t		 n = p->linelen;

	p->line[n] = '\0';
	if (p->bytes + n + 2 > CTL_REPLY_MAX)
		return perr(p, "reply larger than %d bytes", CTL_REPLY_MAX);
	p->bytes += n + 2;
	if (p->in_data) {
		if (n == 1 && s[0] == '.') {
			p->in_data = 0;
			return CTL_MORE;
		}
		return data_line(p, s, n);
	}
	return status_line(p, s, n, out);
}

int
ctl_parser_feed(struct ctl_parser *p, const char *buf, size_t len,
    size_t *used, struct ctl_reply *out)
{
	size_t	 i;

	*used = 0;
	for (i = 0; i < len; i++) {
		char	 c = buf[i];

		if (c == '\n') {
			int	 rc;

			if (!p->cr)
				return perr(p, "line not ended by CRLF");
			p->cr = 0;
			rc = one_line(p, out);
			p->linelen = 0;
			if (rc != CTL_MORE) {
				*used = i + 1;
				return rc;
			}
			continue;
		}
		if (p->cr)
			return perr(p, "CR inside a line");
		if (c == '\r') {
			p->cr = 1;
			continue;
		}
		if (c == '\0')
			return perr(p, "NUL byte in a line");
		if (p->linelen == CTL_LINE_MAX)
			return perr(p, "line longer than %d bytes",
			    CTL_LINE_MAX);
		p->line[p->linelen++] = c;
	}
	*used = len;
	return CTL_MORE;
}

const char *
ctl_reply_text(const struct ctl_reply *r)
{
	return r->nlines > 0 ? r->lines[r->nlines - 1].text : "";
}

int
ctl_reply_value(const struct ctl_reply *r, const char *key,
    const char **val, size_t *len)
{
	size_t	 i, klen = strlen(key);

	for (i = 0; i < r->nlines; i++) {
		const struct ctl_line *l = &r->lines[i];

		if (strncmp(l->text, key, klen) != 0 || l->text[klen] != '=')
			continue;
		if (l->sep == '+') {
			*val = l->data;
			*len = l->datalen;
		} else {
			*val = l->text + klen + 1;
			*len = strlen(*val);
		}
		return 0;
	}
	return -1;
}

/*
 * Read one value at *sp: a quoted string (C escapes) or a bare word. With
 * dst == NULL only skip it. Returns 0, or -2 (unterminated, too long).
 */
static int
kv_value(const char **sp, char *dst, size_t dstsz)
{
	const char	*s = *sp;
	size_t		 n = 0;
	int		 c, k;

	if (*s != '"') {
		while (*s != '\0' && *s != ' ') {
			if (dst != NULL) {
				if (n + 1 >= dstsz)
					return -2;
				dst[n++] = *s;
			}
			s++;
		}
		goto done;
	}
	for (s++; *s != '"'; s++) {
		if (*s == '\0')
			return -2;
		c = (unsigned char)*s;
		if (c == '\\') {
			s++;
			switch (*s) {
			case '\0':
				return -2;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '0': case '1': case '2': case '3':
			case '4': case '5': case '6': case '7':
				for (c = 0, k = 0; k < 3 && *s >= '0' &&
				    *s <= '7'; k++, s++)
					c = c * 8 + (*s - '0');
				s--;
				if (c > 255)
					return -2;
				break;
			default:
				c = (unsigned char)*s;
			}
		}
		if (dst != NULL) {
			if (n + 1 >= dstsz)
				return -2;
			dst[n++] = (char)c;
		}
	}
	s++;
	if (*s != '\0' && *s != ' ')
		return -2;
done:
	if (dst != NULL && dstsz > 0)
		dst[n] = '\0';
	*sp = s;
	return 0;
}

int
ctl_kv_get(const char *text, const char *key, char *val, size_t valsz)
{
	const char	*s = text, *k;
	size_t		 klen = strlen(key);
	int		 match;

	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return -1;
		if (*s == '"') {	/* a quoted field with no key */
			if (kv_value(&s, NULL, 0) == -2)
				return -2;
			continue;
		}
		for (k = s; *s != '\0' && *s != ' ' && *s != '='; s++)
			;
		if (*s != '=')
			continue;	/* a bare word */
		match = (size_t)(s - k) == klen && strncmp(k, key, klen) == 0;
		s++;
		if (kv_value(&s, match ? val : NULL, valsz) == -2)
			return -2;
		if (match)
			return 0;
	}
}

static int
word_is(const char **sp, const char *word)
{
	size_t	 n = strlen(word);

	if (strncmp(*sp, word, n) != 0 || ((*sp)[n] != ' ' && (*sp)[n] != '\0'))
		return 0;
	*sp += n;
	while (**sp == ' ')
		(*sp)++;
	return 1;
}

int
ctl_parse_bootstrap(const char *text, struct ctl_bootstrap *bs)
{
	const char	*s = text;
	char		 num[8];

	memset(bs, 0, sizeof(*bs));
	(void)word_is(&s, "STATUS_CLIENT");
	if (word_is(&s, "NOTICE"))
		strcpy(bs->severity, "NOTICE");
	else if (word_is(&s, "WARN"))
		strcpy(bs->severity, "WARN");
	else if (word_is(&s, "ERR"))
		strcpy(bs->severity, "ERR");
	else
		return -1;
	if (!word_is(&s, "BOOTSTRAP"))
		return 1;
	if (ctl_kv_get(s, "PROGRESS", num, sizeof(num)) != 0 ||
	    num[0] == '\0' || strspn(num, "0123456789") != strlen(num) ||
	    strlen(num) > 3)
		return -1;
	bs->progress = atoi(num);
	if (bs->progress > 100)
		return -1;
	if (ctl_kv_get(s, "TAG", bs->tag, sizeof(bs->tag)) != 0 ||
	    ctl_kv_get(s, "SUMMARY", bs->summary, sizeof(bs->summary)) != 0)
		return -1;
	/* Present only in bootstrap-problem events; absent leaves "". */
	if (ctl_kv_get(s, "WARNING", bs->warning, sizeof(bs->warning)) == -2 ||
	    ctl_kv_get(s, "REASON", bs->reason, sizeof(bs->reason)) == -2 ||
	    ctl_kv_get(s, "RECOMMENDATION", bs->recommendation,
	    sizeof(bs->recommendation)) == -2)
		return -1;
	return 0;
}

int
ctl_parse_protocolinfo(const struct ctl_reply *r, struct ctl_protocolinfo *pi)
{
	char		 methods[256], *m, *save = NULL;
	size_t		 i;
	int		 have_auth = 0;

	memset(pi, 0, sizeof(*pi));
	if (r->code != 250)
		return -1;
	for (i = 0; i < r->nlines; i++) {
		const char *s = r->lines[i].text;

		if (word_is(&s, "AUTH")) {
			if (ctl_kv_get(s, "METHODS", methods,
			    sizeof(methods)) != 0)
				return -1;
			for (m = strtok_r(methods, ",", &save); m != NULL;
			    m = strtok_r(NULL, ",", &save)) {
				if (strcmp(m, "NULL") == 0)
					pi->methods |= CTL_AUTH_NULL;
				else if (strcmp(m, "HASHEDPASSWORD") == 0)
					pi->methods |= CTL_AUTH_HASHEDPASSWORD;
				else if (strcmp(m, "COOKIE") == 0)
					pi->methods |= CTL_AUTH_COOKIE;
				else if (strcmp(m, "SAFECOOKIE") == 0)
					pi->methods |= CTL_AUTH_SAFECOOKIE;
			}
			if (ctl_kv_get(s, "COOKIEFILE", pi->cookiefile,
			    sizeof(pi->cookiefile)) == -2)
				return -1;
			have_auth = 1;
		} else if (word_is(&s, "VERSION")) {
			if (ctl_kv_get(s, "Tor", pi->version,
			    sizeof(pi->version)) == -2)
				return -1;
		}
	}
	return have_auth ? 0 : -1;
}
