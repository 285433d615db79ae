/*
 * TEMPORARY (branch ipc only; the lead deletes this file and its two lines
 * in privd/CMakeLists.txt at merge): weak stand-ins for the handlers that
 * privd/fw.c, dns.c and conntrack.c define, so ttp-privd links and its
 * dispatch can be tested before they land. Built as a library of its own
 * linked after ttp_privd_ops, so a real definition always wins.
 */
#include "privd/privd.h"

#include <errno.h>

#define WEAK	__attribute__((weak))

WEAK int
fw_init(void)
{
	return 0;
}

WEAK int
dns_init(const char *run_dir)
{
	(void)run_dir;
	return 0;
}

static void
stub(const struct privop_req *req, struct privop_reply *rep)
{
	(void)req;
	reply_err(rep, ENOSYS, "not implemented in this build");
}

WEAK void privd_fw_apply(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_fw_lockdown(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_fw_remove(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_fw_status(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_dns_overlay(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_dns_restore(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_ct_flush(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
WEAK void privd_sock_kill(const struct privop_req *q, struct privop_reply *r)
{ stub(q, r); }
