/*
 * libFuzzer target: the Tor control-reply parser and the value parsers
 * ttp-torctl runs on what it receives (torctl/ctlreply.c). The first byte
 * picks the chunk size, so replies split anywhere are exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "torctl/ctlreply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
use(const struct ctl_reply *r)
{
	struct ctl_protocolinfo	 pi;
	struct ctl_bootstrap	 bs;
	const char		*v;
	char			 val[64];
	size_t			 i, len;

	(void)ctl_parse_protocolinfo(r, &pi);
	(void)ctl_reply_text(r);
	if (ctl_reply_value(r, "status/bootstrap-phase", &v, &len) == 0)
		(void)ctl_parse_bootstrap(v, &bs);
	(void)ctl_reply_value(r, "config-text", &v, &len);
	for (i = 0; i < r->nlines; i++) {
		(void)ctl_parse_bootstrap(r->lines[i].text, &bs);
		(void)ctl_kv_get(r->lines[i].text, "SUMMARY", val, sizeof(val));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_parser p;
	size_t			 off = 1, step;

	if (size < 1)
		return 0;
	step = data[0] ? data[0] : size;
	ctl_parser_init(&p);
	while (off < size) {
		struct ctl_reply r;
		size_t		 n = size - off < step ? size - off : step, used;
		int		 rc;

		rc = ctl_parser_feed(&p, (const char *)data + off, n, &used,
		    &r);
		off += used;
		if (rc == CTL_ERROR)
			break;
		if (rc == CTL_DONE) {
			use(&r);
			ctl_reply_free(&r);
		}
	}
	ctl_parser_free(&p);
	return 0;
}
