/*
 * The firewall operations of ttp-privd, through libnftables in this
 * process (never the nft binary). Apply and lockdown render their ruleset
 * (privd/ruleset.c), check it with a dry run, then commit the very same
 * buffer as one transaction that replaces table inet ttp; remove commits
 * the deletion the same way. After each commit the table is listed back
 * without counters and hashed (FNV-1a 64): that hash is what this privd
 * installed, and FW_STATUS compares the kernel's current listing against
 * it (a removal must list as no table at all). Only table inet ttp is ever
 * touched. The context is created by fw_init() before seccomp, with output
 * and errors buffered so the library never prints on its own.
 */
#include "privd/privd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "common/log.h"

#define FW_ERR_MAX	768	/* libnftables' error text, for the log */

static struct nft_ctx	*nft;
/* What this privd committed last, FW_STATE_ABSENT when nothing (or it
 * was removed since), and the hash of its listing. */
static uint32_t		 fw_installed_state;
static uint64_t		 fw_installed_hash;

int
fw_init(void)
{
	if (nft != NULL)
		return 0;
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL ||
	    nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		log_warnx("fw: cannot create a buffered libnftables context");
		if (nft != NULL)
			nft_ctx_free(nft);
		nft = NULL;
		return -1;
	}
	/* Listings without counter values, so hashes compare rules only;
	 * numeric protocols and (by default) ids, so listing never reads
	 * /etc/protocols or /etc/passwd. */
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_STATELESS |
	    NFT_CTX_OUTPUT_NUMERIC_PROTO);
	return 0;
}

/* Run one command buffer, as a dry run (parse, evaluate, check against
 * the kernel's cache, commit nothing) or for real. */
static int
fw_run(const char *cmd, bool dry)
{
	/* Reading a buffer rewinds it: drop what an earlier command left. */
	(void)nft_ctx_get_output_buffer(nft);
	(void)nft_ctx_get_error_buffer(nft);
	nft_ctx_set_dry_run(nft, dry);
	return nft_run_cmd_from_buffer(nft, cmd) == 0 ? 0 : -1;
}

/* The last command's error text, from its first non-blank character. */
static const char *
fw_errtext(void)
{
	const char	*s = nft_ctx_get_error_buffer(nft);

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
	reply_err(rep, err, "%s: %s: %.*s", what, step,
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
	if (fw_run("list table inet ttp", false) == 0) {
		out = nft_ctx_get_output_buffer(nft);
		*state = ruleset_classify(out);
		*hash = fnv1a64(out);
		return 0;
	}
	/* A missing table is not an error: keep the error text, then ask
	 * which tables exist (the names are all this reads). */
	(void)snprintf(err, sizeof(err), "%s", fw_errtext());
	if (fw_run("list tables inet", false) == 0 &&
	    (out = nft_ctx_get_output_buffer(nft)) != NULL &&
	    strstr(out, "table inet ttp\n") == NULL)
		return 0;
	fw_fail(rep, EIO, what, "cannot list table inet ttp", err);
	return -1;
}

/*
 * The body of apply, lockdown and remove: dry run, commit, then list back
 * and hash, so the reply says what the kernel holds now. Only the session
 * ruleset has a dry run: a removal carries no rules, and the lockdown is
 * the fail-closed path, which must land fast (the dry run costs ~15 ms,
 * the commit ~1 ms); a commit that fails is aborted whole anyway, so the
 * previous table stays.
 */
static void
fw_load(const char *what, const char *rules, uint32_t state,
    struct privop_reply *rep)
{
	uint32_t	 got;
	uint64_t	 hash;

	if (nft == NULL) {
		reply_err(rep, ENXIO, "%s: firewall not initialised", what);
		return;
	}
	if (state == FW_STATE_SESSION && fw_run(rules, true) == -1) {
		fw_fail(rep, EINVAL, what, "ruleset rejected by the dry run",
		    fw_errtext());
		return;
	}
	if (fw_run(rules, false) == -1) {
		fw_fail(rep, EIO, what, "commit failed, previous table kept",
		    fw_errtext());
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
		reply_err(rep, EIO, "%s: %s", what, got == FW_STATE_ABSENT ?
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
		reply_err(rep, EINVAL, "fw_apply: invalid arguments");
	else
		fw_load("fw_apply", rules, FW_STATE_SESSION, rep);
}

void
privd_fw_lockdown(const struct privop_req *req, struct privop_reply *rep)
{
	char	 rules[RULESET_MAX];

	if (ruleset_render_lockdown(req->u.fw_lockdown.tor_uid, rules,
	    sizeof(rules)) < 0)
		reply_err(rep, EINVAL, "fw_lockdown: invalid tor uid");
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

/* count 1: the kernel holds exactly what this privd committed last. */
void
privd_fw_status(const struct privop_req *req, struct privop_reply *rep)
{
	(void)req;
	if (nft == NULL) {
		reply_err(rep, ENXIO, "fw_status: firewall not initialised");
		return;
	}
	if (fw_list("fw_status", &rep->state, &rep->hash, rep) == 0)
		rep->count = rep->state != FW_STATE_ABSENT &&
		    rep->state == fw_installed_state &&
		    rep->hash == fw_installed_hash;
}
