/*
 * Test tool: run one of privd's DNS, conntrack and socket handlers
 * in-process, without the socketpair, so the namespace tests can exercise
 * them before (and independently of) the privd main loop. Only ever run
 * inside namespaces a test created.
 *
 *   privd_ops_direct dns-overlay RUN_DIR
 *   privd_ops_direct dns-restore RUN_DIR
 *   privd_ops_direct ct-flush
 *   privd_ops_direct sock-kill TRANS_PORT
 *
 * Prints "ok count=N" and exits 0, or prints the error and exits 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "privd/privd.h"

/* privd.c's reply_err(), which this tool does not link. */
void
reply_err(struct privop_reply *rep, int err, const char *fmt, ...)
{
	va_list	 ap;

	rep->err = err;
	va_start(ap, fmt);
	(void)vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: privd_ops_direct dns-overlay|dns-restore "
	    "RUN_DIR\n       privd_ops_direct ct-flush\n"
	    "       privd_ops_direct sock-kill TRANS_PORT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct privop_req	 req;
	struct privop_reply	 rep;
	char			*end;
	long			 port;

	log_init("privd_ops_direct", LOG_FORMAT_TEXT, 1);
	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	if (argc == 3 && strncmp(argv[1], "dns-", 4) == 0) {
		if (dns_init(argv[2]) == -1)
			return 1;
		if (strcmp(argv[1], "dns-overlay") == 0) {
			req.op = PRIVOP_DNS_OVERLAY;
			privd_dns_overlay(&req, &rep);
		} else if (strcmp(argv[1], "dns-restore") == 0) {
			req.op = PRIVOP_DNS_RESTORE;
			privd_dns_restore(&req, &rep);
		} else
			usage();
	} else if (argc == 2 && strcmp(argv[1], "ct-flush") == 0) {
		req.op = PRIVOP_CT_FLUSH;
		privd_ct_flush(&req, &rep);
	} else if (argc == 3 && strcmp(argv[1], "sock-kill") == 0) {
		errno = 0;
		port = strtol(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
			usage();
		req.op = PRIVOP_SOCK_KILL;
		req.u.sock_kill.trans_port = (uint16_t)port;
		privd_sock_kill(&req, &rep);
	} else
		usage();

	if (rep.err != 0) {
		printf("error: %s: %s\n", rep.msg, strerror(rep.err));
		return 1;
	}
	printf("ok count=%u\n", rep.count);
	return 0;
}
