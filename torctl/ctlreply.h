/*
 * Tor control-protocol replies (control-spec §2.3, §4): a pure parser with
 * no I/O, fed whatever bytes arrive, so the fuzzer drives exactly what
 * ttp-torctl runs. It knows single-line replies ("250 OK"), multi-line
 * ones ("250-..."), data blocks ("250+key=" ... "." with dot-unstuffing)
 * and asynchronous events (650, also multi-line). Plus small parsers for
 * the values ttp reads: key=value fields with quoted strings, bootstrap
 * status, PROTOCOLINFO.
 */
#ifndef TTP_CTLREPLY_H
#define TTP_CTLREPLY_H

#include <stddef.h>

#define CTL_LINE_MAX	(16 * 1024)	/* one line, CRLF excluded */
#define CTL_REPLY_MAX	(1024 * 1024)	/* one reply, all lines and data */
#define CTL_LINES_MAX	4096		/* lines in one reply */

#define CTL_CODE_EVENT	650

struct ctl_line {
	char		 sep;		/* ' ' last, '-' more, '+' data follows */
	char		*text;		/* after "NNN" and sep */
	char		*data;		/* '+': the block, each line + '\n' */
	size_t		 datalen;
};

struct ctl_reply {
	int		 code;		/* the same on every line */
	struct ctl_line	*lines;
	size_t		 nlines;
};

struct ctl_parser {
	char		 line[CTL_LINE_MAX + 1];
	size_t		 linelen;
	int		 cr;		/* the previous byte was '\r' */
	int		 in_data;
	struct ctl_reply cur;
	size_t		 cap;
	size_t		 bytes;
	size_t		 datacap;
	char		 err[128];	/* why CTL_ERROR */
};

enum { CTL_ERROR = -1, CTL_MORE = 0, CTL_DONE = 1 };

void	ctl_parser_init(struct ctl_parser *p);
void	ctl_parser_free(struct ctl_parser *p);
/*
 * Consume bytes until a reply is complete. Returns CTL_DONE with the
 * reply moved to *out (free it with ctl_reply_free) and *used set to the
 * bytes consumed (feed the rest again); CTL_MORE when all bytes were
 * consumed without completing one; CTL_ERROR on malformed input (p->err
 * says why; the connection must be dropped).
 */
int	ctl_parser_feed(struct ctl_parser *p, const char *buf, size_t len,
	    size_t *used, struct ctl_reply *out);
void	ctl_reply_free(struct ctl_reply *r);

/* Text of the last line ("OK", or tor's error message). */
const char *ctl_reply_text(const struct ctl_reply *r);

/*
 * GETINFO answers: "key=value" lines, or "key=" with a data block. Returns
 * 0 with a pointer into the reply (not NUL-terminated for data: use len),
 * or -1 when the key is absent.
 */
int	ctl_reply_value(const struct ctl_reply *r, const char *key,
	    const char **val, size_t *len);

/*
 * Find KEY=value in a line of space-separated fields, where a value may
 * be a quoted string with C escapes. Returns 0 with the unquoted value,
 * -1 if absent, -2 if the text is malformed or the value too long.
 */
int	ctl_kv_get(const char *text, const char *key, char *val,
	    size_t valsz);

struct ctl_bootstrap {
	int	 progress;		/* 0-100 */
	char	 severity[8];		/* NOTICE, WARN, ERR */
	char	 tag[64];
	char	 summary[256];
	char	 warning[256];		/* bootstrap problems only */
	char	 reason[64];
	char	 recommendation[16];	/* "warn" or "ignore" */
};

/*
 * A STATUS_CLIENT event ("STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=...") or
 * a status/bootstrap-phase value ("NOTICE BOOTSTRAP PROGRESS=..."). Returns
 * 0 parsed, 1 another kind of status, -1 malformed.
 */
int	ctl_parse_bootstrap(const char *text, struct ctl_bootstrap *bs);

#define CTL_AUTH_NULL		0x01
#define CTL_AUTH_HASHEDPASSWORD	0x02
#define CTL_AUTH_COOKIE		0x04
#define CTL_AUTH_SAFECOOKIE	0x08

struct ctl_protocolinfo {
	unsigned	 methods;
	char		 cookiefile[256];
	char		 version[64];
};

/* A PROTOCOLINFO 1 reply. 0, or -1 when malformed or not a 250. */
int	ctl_parse_protocolinfo(const struct ctl_reply *r,
	    struct ctl_protocolinfo *pi);

#endif
