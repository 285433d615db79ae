/*
 * runs in: ttp-privd (root, 2 capabilities, seccomp) and its clients: ttp
 *   (root) and the watchdog's guard (_ttp, seccomp).
 *
 * The one way a failure becomes a reply: a positive errno and one line
 * for the log of whoever reads it. privd's op handlers fill the reply
 * they send with it; the client stubs the reply of an exchange that
 * failed before privd could answer.
 */
#include "ipc/privop.h"

#include <errno.h>
#include <stdio.h>

void
privop_reply_verr(struct privop_reply *rep, int err, const char *fmt,
    va_list ap)
{
	rep->err = err > 0 ? err : EIO;
	(void)vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
}

void
privop_reply_err(struct privop_reply *rep, int err, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	privop_reply_verr(rep, err, fmt, ap);
	va_end(ap);
}
