/*
 * ttp-privd internals: the handlers the dispatch table in privd.c calls.
 * Each handler sees only a request that privop_decode_req() and
 * privop_validate_req() accepted, re-checks what its own safety depends
 * on, performs one kernel operation and fills in the reply. A failed
 * kernel operation is an error reply (rep->err, rep->msg), never an exit.
 */
#ifndef TTP_PRIVD_H
#define TTP_PRIVD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#include "ipc/privop.h"

/* privd/fw.c: the firewall, through libnftables in this process. */
int	fw_init(void);		/* create the nft context (before seccomp) */
void	privd_fw_apply(const struct privop_req *, struct privop_reply *);
void	privd_fw_lockdown(const struct privop_req *, struct privop_reply *);
void	privd_fw_remove(const struct privop_req *, struct privop_reply *);
void	privd_fw_status(const struct privop_req *, struct privop_reply *);
void	privd_fw_anchor(const struct privop_req *, struct privop_reply *);

/* privd/ruleset.c: render the rulesets as nft text from built-in templates
 * and validated integers only. Return the length, or -1 when buf is too
 * small. Also used by `ttp rules` (unprivileged) so that what it prints is
 * exactly what privd loads. */
#define RULESET_MAX	32768
int	ruleset_render_session(const struct privop_fw_apply *a, char *buf,
	    size_t bufsz);
int	ruleset_render_lockdown(uint32_t tor_uid, char *buf, size_t bufsz);
/* The anchor (table inet ttp_anchor<slot>, flags owner): the session's
 * filter chains for the same options, without its nat chains. */
int	ruleset_render_anchor(const struct privop_fw_apply *a, unsigned slot,
	    char *buf, size_t bufsz);
/* FW_STATE_SESSION, _LOCKDOWN or _FOREIGN for a listing of the table. */
uint32_t ruleset_classify(const char *list);

/* privd/dns.c: the resolv.conf overlay (read-only with exactly
 * DNS_REMOUNT_FLAGS, common/defaults.h). */
int	dns_init(const char *run_dir);	/* before seccomp */
void	privd_dns_overlay(const struct privop_req *, struct privop_reply *);
void	privd_dns_restore(const struct privop_req *, struct privop_reply *);

/* privd/conntrack.c: conntrack flush and redirected-socket destruction. */
void	privd_ct_flush(const struct privop_req *, struct privop_reply *);
void	privd_sock_kill(const struct privop_req *, struct privop_reply *);

#endif
