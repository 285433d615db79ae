/*
 * runs in: ttp-privd, root, 2 capabilities, seccomp.
 *
 * The firewall operations of ttp-privd, through libnftables in this
 * process (never the nft binary). Apply and lockdown render their ruleset
 * (privd/ruleset.c) and commit it as one transaction that replaces table
 * inet ttp (a failed one changes nothing); remove commits
 * the deletion the same way. After each commit the table is listed back
 * without counters and hashed (FNV-1a 64): that hash is what this privd
 * installed, and FW_STATUS compares the kernel's current listing against
 * it (a removal must list as no table at all). Only table inet ttp is ever
 * touched. The context is created by fw_init() before seccomp, with output
 * and errors buffered so the library never prints on its own.
 */
#include "privd/privd.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "common/log.h"

#define FW_ERR_MAX	768	/* libnftables' error text, for the log */

static struct nft_ctx	*nft;
/* What this privd committed last, FW_STATE_ABSENT when nothing (or it
 * was removed since), and the hash of its listing. */
static uint32_t		 fw_installed_state;
static uint64_t		 fw_installed_hash;

/* A libnftables context whose output and errors stay in buffers. */
static struct nft_ctx *
fw_ctx_new(void)
{
	struct nft_ctx	*ctx;

	if ((ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL ||
	    nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
		log_warnx("fw: cannot create a buffered libnftables context");
		if (ctx != NULL)
			nft_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

int
fw_init(void)
{
	if (nft != NULL)
		return 0;
	if ((nft = fw_ctx_new()) == NULL)
		return -1;
	/* Listings without counter values, so hashes compare rules only;
	 * numeric protocols and (by default) ids, so listing never reads
	 * /etc/protocols or /etc/passwd. */
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_STATELESS |
	    NFT_CTX_OUTPUT_NUMERIC_PROTO);
	return 0;
}

/* Run one command buffer in ctx (privd's own context, or an anchor's). */
static int
fw_run(struct nft_ctx *ctx, const char *cmd)
{
	/* Reading a buffer rewinds it: drop what an earlier command left. */
	(void)nft_ctx_get_output_buffer(ctx);
	(void)nft_ctx_get_error_buffer(ctx);
	return nft_run_cmd_from_buffer(ctx, cmd) == 0 ? 0 : -1;
}

/* The last command's error text, from its first non-blank character. */
static const char *
fw_errtext(struct nft_ctx *ctx)
{
	const char	*s = nft_ctx_get_error_buffer(ctx);

	if (s != NULL)
		s += strspn(s, "\n ");
	return s == NULL || *s == '\0' ? "no error text from libnftables" : s;
}

/*
 * A failed step of `what`: the command's error text is logged whole,
 * flattened to one line (a message, the offending line and a caret line),
 * and its first line ends the reply's message.
 */
static void
fw_fail(struct privop_reply *rep, int err, const char *what,
    const char *step, const char *text)
{
	char		 flat[FW_ERR_MAX] = "";
	const char	*p;
	size_t		 n = 0, len;

	for (p = text; *p != '\0' && n < sizeof(flat);
	    p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		n += (size_t)snprintf(flat + n, sizeof(flat) - n, "%s%.*s",
		    n > 0 ? " | " : "", (int)len, p);
	}
	log_warnx("fw: %s: %s: %s", what, step, flat);
	privop_reply_err(rep, err, "%s: %s: %.*s", what, step,
	    (int)strcspn(text, "\n"), text);
}

static uint64_t
fnv1a64(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * List table inet ttp: what it is (FW_STATE_ABSENT when there is no such
 * table) and the hash of its listing. -1: listing failed (rep filled in).
 */
static int
fw_list(const char *what, uint32_t *state, uint64_t *hash,
    struct privop_reply *rep)
{
	char		 err[FW_ERR_MAX];
	const char	*out;

	*state = FW_STATE_ABSENT;
	*hash = 0;
	if (fw_run(nft, "list table inet ttp") == 0) {
		out = nft_ctx_get_output_buffer(nft);
		*state = ruleset_classify(out);
		*hash = fnv1a64(out);
		return 0;
	}
	/* A missing table is not an error: keep the error text, then ask
	 * which tables exist (the names are all this reads). */
	(void)snprintf(err, sizeof(err), "%s", fw_errtext(nft));
	if (fw_run(nft, "list tables inet") == 0 &&
	    (out = nft_ctx_get_output_buffer(nft)) != NULL &&
	    strstr(out, "table inet ttp\n") == NULL)
		return 0;
	fw_fail(rep, EIO, what, "cannot list table inet ttp", err);
	return -1;
}

/*
 * The body of apply, lockdown and remove: commit, then list back and hash,
 * so the reply says what the kernel holds now. There is no dry run: a
 * libnftables command that fails (in parsing, evaluation or the kernel's
 * transaction) changes nothing, so the previous table stays, and a dry
 * run would cost ~15 ms more than the ~1 ms commit on the way to
 * protection.
 */
static void
fw_load(const char *what, const char *rules, uint32_t state,
    struct privop_reply *rep)
{
	uint32_t	 got;
	uint64_t	 hash;

	if (nft == NULL) {
		privop_reply_err(rep, ENXIO, "%s: firewall not initialised",
		    what);
		return;
	}
	if (fw_run(nft, rules) == -1) {
		fw_fail(rep, EIO, what, "commit failed, previous table kept",
		    fw_errtext(nft));
		return;
	}
	/* Committed: forget the old table before anything else can fail. */
	fw_installed_state = FW_STATE_ABSENT;
	if (fw_list(what, &got, &hash, rep) == -1)
		return;
	/* What status will see must be what was committed: a mismatch here
	 * is a template/classifier bug or someone else's change, reported
	 * rather than trusted. */
	if (got != state) {
		privop_reply_err(rep, EIO, "%s: %s", what,
		    got == FW_STATE_ABSENT ?
		    "table vanished right after the commit" :
		    "table does not list as committed");
		log_warnx("fw: %s", rep->msg);
		return;
	}
	rep->state = fw_installed_state = state;
	rep->hash = fw_installed_hash = hash;
	log_debug("fw: %s committed, hash %016llx", what,
	    (unsigned long long)hash);
}

void
privd_fw_apply(const struct privop_req *req, struct privop_reply *rep)
{
	char	 rules[RULESET_MAX];

	/* The renderer re-checks ids and ports: tor_uid 0 would exempt
	 * root, so nothing unvalidated is ever rendered. */
	if (ruleset_render_session(&req->u.fw_apply, rules, sizeof(rules)) < 0)
		privop_reply_err(rep, EINVAL, "fw_apply: invalid arguments");
	else
		fw_load("fw_apply", rules, FW_STATE_SESSION, rep);
}

void
privd_fw_lockdown(const struct privop_req *req, struct privop_reply *rep)
{
	char	 rules[RULESET_MAX];

	if (ruleset_render_lockdown(req->u.fw_lockdown.tor_uid, rules,
	    sizeof(rules)) < 0)
		privop_reply_err(rep, EINVAL, "fw_lockdown: invalid tor uid");
	else
		fw_load("fw_lockdown", rules, FW_STATE_LOCKDOWN, rep);
}

void
privd_fw_remove(const struct privop_req *req, struct privop_reply *rep)
{
	(void)req;
	/* Creating the table first makes the delete idempotent. */
	fw_load("fw_remove", "table inet ttp {}\n"
	    "delete table inet ttp\n", FW_STATE_ABSENT, rep);
}

/*
 * Which anchor slots hold a table, as a bit mask. Only the names are read;
 * a table of that name is ttp's as long as it is owned (see fw_anchor),
 * which the listing of tables does not show, so the CLI reports what it
 * knows of the anchor's holder beside this.
 */
static uint32_t
fw_anchors(void)
{
	char		 name[64];
	const char	*out;
	uint32_t	 m = 0;
	unsigned	 i;

	if (fw_run(nft, "list tables inet") == -1 ||
	    (out = nft_ctx_get_output_buffer(nft)) == NULL)
		return 0;
	for (i = 0; i < TTP_ANCHOR_SLOTS; i++) {
		(void)snprintf(name, sizeof(name), "table inet %s%u\n",
		    TTP_ANCHOR_TABLE, i);
		if (strstr(out, name) != NULL)
			m |= 1u << i;
	}
	return m;
}

/* count 1: the kernel holds exactly what this privd committed last;
 * anchors: the anchor slots that hold a table. */
void
privd_fw_status(const struct privop_req *req, struct privop_reply *rep)
{
	(void)req;
	if (nft == NULL) {
		privop_reply_err(rep, ENXIO,
		    "fw_status: firewall not initialised");
		return;
	}
	if (fw_list("fw_status", &rep->state, &rep->hash, rep) == 0)
		rep->count = rep->state != FW_STATE_ABSENT &&
		    rep->state == fw_installed_state &&
		    rep->hash == fw_installed_hash;
	if (rep->err == 0)
		rep->anchors = fw_anchors();
}

/* The nftables netlink sockets this process holds, as a bit mask of
 * descriptors below 64 (privd holds only a handful of descriptors). */
static uint64_t
fw_nft_sockets(void)
{
	socklen_t	 sl;
	uint64_t	 m = 0;
	int		 fd, v;

	for (fd = 0; fd < 64; fd++) {
		sl = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &sl) == -1 ||
		    v != AF_NETLINK)
			continue;
		sl = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &sl) == 0 &&
		    v == NETLINK_NETFILTER)
			m |= 1ULL << fd;
	}
	return m;
}

/*
 * The anchor: the session's filter chains in a table declared `flags
 * owner`, committed through a context of its own, whose netlink socket
 * then owns the table: no other socket, root's included, can change or
 * delete it, and `nft flush ruleset` leaves it alone. The kernel deletes
 * it when that socket closes, so the reply hands a duplicate of the
 * socket to the caller (SCM_RIGHTS) and privd closes its own: the table
 * lives exactly as long as the caller's holder (ttp-anchor) keeps it.
 * The first free slot is taken; a slot whose name another table already
 * has (an old anchor, or anyone else's table) is refused by the kernel.
 */
void
privd_fw_anchor(const struct privop_req *req, struct privop_reply *rep)
{
	char		 rules[RULESET_MAX];
	struct nft_ctx	*ctx;
	uint64_t	 before, added;
	unsigned	 slot;

	before = fw_nft_sockets();
	if ((ctx = fw_ctx_new()) == NULL) {
		privop_reply_err(rep, ENOMEM,
		    "fw_anchor: no libnftables context");
		return;
	}
	for (slot = 0; slot < TTP_ANCHOR_SLOTS; slot++) {
		if (ruleset_render_anchor(&req->u.fw_apply, slot, rules,
		    sizeof(rules)) < 0) {
			privop_reply_err(rep, EINVAL,
			    "fw_anchor: invalid arguments");
			goto out;
		}
		if (fw_run(ctx, rules) == 0)
			break;
	}
	if (slot == TTP_ANCHOR_SLOTS) {
		fw_fail(rep, EEXIST, "fw_anchor", "no free anchor slot",
		    fw_errtext(ctx));
		goto out;
	}
	/* Exactly one new nftables socket: the context's, the owner. */
	added = fw_nft_sockets() & ~before;
	if (added == 0 || (added & (added - 1)) != 0) {
		privop_reply_err(rep, EIO,
		    "fw_anchor: cannot tell which socket owns the anchor");
		goto out;
	}
	if ((rep->fd = dup(__builtin_ctzll(added))) == -1) {
		privop_reply_err(rep, errno, "fw_anchor: dup: %s",
		    strerror(errno));
		goto out;
	}
	rep->anchors = 1u << slot;
	log_debug("fw: anchor %s%u committed", TTP_ANCHOR_TABLE, slot);
out:
	/* Without a handed-over duplicate, this closes the owner and the
	 * kernel deletes whatever was committed: nothing half-made stays. */
	nft_ctx_free(ctx);
}
