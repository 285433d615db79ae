/*
 * The firewall operations of ttp-privd, through libnftables in this
 * process (never the nft binary). Apply and lockdown render their ruleset
 * (privd/ruleset.c), check it with a dry run, then commit the very same
 * buffer as one transaction that replaces table inet ttp. After each
 * commit the table is listed back without counters and hashed (FNV-1a 64):
 * that hash is what this privd installed, and FW_STATUS compares the
 * kernel's current listing against it. Only table inet ttp is ever
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

static struct nft_ctx	*nft;
static bool		 fw_installed;	/* this privd loaded the table */
static uint64_t		 fw_installed_hash;
static uint32_t		 fw_installed_state;

static const char fw_remove_cmd[] =
	"table inet ttp {}\n"
	"delete table inet ttp\n";

int
fw_init(void)
{
	if (nft != NULL)
		return 0;
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		log_warnx("fw: cannot create the libnftables context");
		return -1;
	}
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		log_warnx("fw: cannot buffer libnftables output");
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

/*
 * libnftables' error text: its first line goes to msg for the reply, and
 * unless quiet it is logged whole, flattened to one line (a message, the
 * offending line and a caret line).
 */
static void
fw_error(const char *what, char *msg, size_t msgsz, bool quiet)
{
	const char	*s = nft_ctx_get_error_buffer(nft);
	char		 flat[768];
	size_t		 i, n = 0;

	if (s == NULL || *s == '\0')
		s = "no error text from libnftables";
	for (i = 0; s[i] != '\0' && n + 4 < sizeof(flat); i++) {
		if (s[i] != '\n')
			flat[n++] = s[i];
		else if (s[i + 1] != '\0') {
			memcpy(flat + n, " | ", 3);
			n += 3;
		}
	}
	flat[n] = '\0';
	if (!quiet)
		log_warnx("fw: %s: %s", what, flat);
	while (*s == '\n' || *s == ' ')
		s++;
	n = strcspn(s, "\n");
	if (n >= msgsz)
		n = msgsz - 1;
	memcpy(msg, s, n);
	msg[n] = '\0';
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

/* Does the listing declare `decl` ("chain output") at table level? */
static bool
has_decl(const char *list, const char *decl)
{
	char	 line[64];

	snprintf(line, sizeof(line), "\n\t%s {\n", decl);
	return strstr(list, line) != NULL;
}

/* Lines at table level: declarations, and also table flags (dormant) or
 * a comment, which a table we installed never has. */
static size_t
count_table_lines(const char *list)
{
	const char	*p;
	size_t		 n = 0;

	for (p = list; (p = strstr(p, "\n\t")) != NULL; p++)
		if (p[2] != '\t' && p[2] != '}')
			n++;
	return n;
}

/*
 * Which ruleset a listing is, by what the table declares: the session
 * table has four sets and five chains (only it has nat chains), the
 * lockdown table exactly its three filter chains. Anything else, even one
 * extra chain or a dormant flag, is foreign. Whether the rules themselves
 * are intact is the hash's business.
 */
static uint32_t
fw_classify(const char *list)
{
	static const char *const session[] = { "set doh_v4", "set doh_v6",
	    "set lan_v4", "set lan_v6", "chain prerouting", "chain output",
	    "chain filter_out", "chain filter_in", "chain filter_fwd" };
	static const char *const lockdown[] = { "chain filter_out",
	    "chain filter_in", "chain filter_fwd" };
	const char *const	*want;
	size_t			 i, lines = count_table_lines(list);
	uint32_t		 state;

	if (lines == sizeof(session) / sizeof(session[0])) {
		want = session;
		state = FW_STATE_SESSION;
	} else if (lines == sizeof(lockdown) / sizeof(lockdown[0])) {
		want = lockdown;
		state = FW_STATE_LOCKDOWN;
	} else
		return FW_STATE_FOREIGN;
	for (i = 0; i < lines; i++)
		if (!has_decl(list, want[i]))
			return FW_STATE_FOREIGN;
	return state;
}

/*
 * List table inet ttp. 1: listed (output buffer holds it); 0: there is no
 * such table; -1: listing failed (rep filled in).
 */
static int
fw_list(struct privop_reply *rep)
{
	char	 err[PRIVOP_MSG_MAX];

	if (fw_run("list table inet ttp", false) == 0)
		return 1;
	/* Quiet: a missing table is not an error. */
	fw_error("list table inet ttp", err, sizeof(err), true);
	/* Tell "no table" from a real failure by asking which tables
	 * exist; the names are all this reads. */
	if (fw_run("list tables inet", false) == 0) {
		const char	*out = nft_ctx_get_output_buffer(nft);

		if (out != NULL && strstr(out, "table inet ttp\n") == NULL)
			return 0;
	}
	log_warnx("fw: cannot list table inet ttp: %s", err);
	reply_err(rep, EIO, "cannot list table inet ttp: %s", err);
	return -1;
}

/* Dry run, commit, list back and hash: the body of apply and lockdown. */
static void
fw_load(const char *what, const char *rules, uint32_t state,
    struct privop_reply *rep)
{
	char		 err[PRIVOP_MSG_MAX];
	const char	*list;
	int		 r;

	if (nft == NULL) {
		reply_err(rep, ENXIO, "%s: firewall not initialised", what);
		return;
	}
	if (fw_run(rules, true) == -1) {
		fw_error(what, err, sizeof(err), false);
		reply_err(rep, EINVAL, "%s: ruleset rejected by the dry run: "
		    "%s", what, err);
		return;
	}
	if (fw_run(rules, false) == -1) {
		fw_error(what, err, sizeof(err), false);
		reply_err(rep, EIO, "%s: commit failed, previous table kept: "
		    "%s", what, err);
		return;
	}
	/* Committed: forget the old table before anything else can fail. */
	fw_installed = false;
	if ((r = fw_list(rep)) != 1) {
		if (r == 0)
			reply_err(rep, EIO, "%s: table vanished right after "
			    "the commit", what);
		return;
	}
	list = nft_ctx_get_output_buffer(nft);
	/* What status will see must be what was loaded: a mismatch here is
	 * a template/classifier bug, reported rather than trusted. */
	if (fw_classify(list) != state) {
		log_warnx("fw: %s: the kernel lists a table of another shape",
		    what);
		reply_err(rep, EIO, "%s: loaded table does not list as "
		    "expected", what);
		return;
	}
	fw_installed_hash = fnv1a64(list);
	fw_installed_state = state;
	fw_installed = true;
	rep->state = state;
	rep->hash = fw_installed_hash;
	log_debug("fw: %s loaded, hash %016llx", what,
	    (unsigned long long)fw_installed_hash);
}

void
privd_fw_apply(const struct privop_req *req, struct privop_reply *rep)
{
	char	 rules[RULESET_MAX];

	/* The renderer re-checks ids and ports: tor_uid 0 would exempt
	 * root, so nothing unvalidated is ever rendered. */
	if (ruleset_render_session(&req->u.fw_apply, rules,
	    sizeof(rules)) < 0) {
		reply_err(rep, EINVAL, "fw_apply: invalid arguments");
		return;
	}
	fw_load("fw_apply", rules, FW_STATE_SESSION, rep);
}

void
privd_fw_lockdown(const struct privop_req *req, struct privop_reply *rep)
{
	char	 rules[RULESET_MAX];

	if (ruleset_render_lockdown(req->u.fw_lockdown.tor_uid, rules,
	    sizeof(rules)) < 0) {
		reply_err(rep, EINVAL, "fw_lockdown: invalid tor uid");
		return;
	}
	fw_load("fw_lockdown", rules, FW_STATE_LOCKDOWN, rep);
}

void
privd_fw_remove(const struct privop_req *req, struct privop_reply *rep)
{
	(void)req;
	if (nft == NULL) {
		reply_err(rep, ENXIO, "fw_remove: firewall not initialised");
		return;
	}
	/* Creating the table first makes the delete idempotent. */
	if (fw_run(fw_remove_cmd, false) == -1) {
		char	 err[PRIVOP_MSG_MAX];

		fw_error("fw_remove", err, sizeof(err), false);
		reply_err(rep, EIO, "fw_remove: %s", err);
		return;
	}
	fw_installed = false;
	rep->state = FW_STATE_ABSENT;
}

void
privd_fw_status(const struct privop_req *req, struct privop_reply *rep)
{
	const char	*list;
	int		 r;

	(void)req;
	if (nft == NULL) {
		reply_err(rep, ENXIO, "fw_status: firewall not initialised");
		return;
	}
	if ((r = fw_list(rep)) == -1)
		return;
	if (r == 0) {
		rep->state = FW_STATE_ABSENT;
		return;
	}
	list = nft_ctx_get_output_buffer(nft);
	rep->state = fw_classify(list);
	rep->hash = fnv1a64(list);
	rep->count = fw_installed && rep->hash == fw_installed_hash &&
	    rep->state == fw_installed_state;
}
