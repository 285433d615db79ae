/*
 * runs in: ttp-privd, root, 2 capabilities, seccomp.
 *
 * The one way an op handler reports a failure: an error reply with a
 * positive errno and one line for the peer's log.
 */
#include "privd/privd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void
reply_err(struct privop_reply *rep, int err, const char *fmt, ...)
{
	va_list	 ap;

	rep->err = err > 0 ? err : EIO;
	va_start(ap, fmt);
	(void)vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
	va_end(ap);
}
