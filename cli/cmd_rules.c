/*
 * runs in: ttp, any user.
 *
 * `ttp rules`: print the exact ruleset ttp-privd would load for the given
 * options, without applying it and without root: the auditor's view, and
 * what the namespace tests load. The text comes from the same renderer
 * privd uses (privd/ruleset.c).
 *
 * --json asks libnftables for its JSON form. libnftables cannot produce
 * that from text alone: parsing needs a netlink cache even in dry-run mode,
 * and that needs CAP_NET_ADMIN. So the text is loaded into a private,
 * empty network namespace of this process (a new user namespace too when
 * not root), and the table is listed back as JSON, without counters. No
 * other namespace is touched and the namespace dies with the process.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "common/defaults.h"
#include "common/log.h"
#include "privd/privd.h"

enum {
	OPT_LOCKDOWN = FWOPT_END,
	OPT_ANCHOR,
	OPT_JSON,
};

static const struct option rules_longopts[] = {
	FW_OPTS_LONGOPTS,
	{ "lockdown",	no_argument,	NULL, OPT_LOCKDOWN },
	{ "anchor",	no_argument,	NULL, OPT_ANCHOR },
	{ "json",	no_argument,	NULL, OPT_JSON },
	{ "help",	no_argument,	NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable rules_optable = { rules_longopts, "+h", NULL };

static const char rules_usage[] =
	"usage: ttp rules [options]\n"
	"Print the nftables ruleset ttp-privd would load for these options,\n"
	"without applying it. Needs no root.\n"
	"\n"
	"  --lockdown            the teardown lockdown ruleset instead\n"
	"  --anchor              the anchor instead: the session's filter\n"
	"                        chains in an owned table no other program\n"
	"                        can change (slot 0; a restart's takes 1)\n"
	"  --json                libnftables JSON instead of nft text\n"
	FW_OPTS_HELP
	"  -h, --help            this help\n";

/* One line of libnftables' error text, for a one-line message. */
static const char *
first_line(const char *s, char *buf, size_t bufsz)
{
	size_t	 n;

	if (s == NULL)
		return "";
	while (*s == '\n')
		s++;
	n = strcspn(s, "\n");
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int
rules_json(const char *text, const char *table)
{
	char		 cmd[64];
	struct nft_ctx	*nft;
	char		 line[256];
	int		 rc = -1;

	/* Root only needs a network namespace; anyone else needs a user
	 * namespace to own one. */
	if ((geteuid() != 0 || unshare(CLONE_NEWNET) == -1) &&
	    unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1) {
		log_warn("--json: cannot create a private network namespace "
		    "for libnftables; run as root or allow unprivileged user "
		    "namespaces (sysctl user.max_user_namespaces)");
		return -1;
	}
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		log_warnx("--json: cannot create a libnftables context");
		return -1;
	}
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		log_warnx("--json: cannot buffer libnftables output");
		goto out;
	}
	if (nft_run_cmd_from_buffer(nft, text) != 0) {
		log_warnx("--json: libnftables rejected the ruleset: %s",
		    first_line(nft_ctx_get_error_buffer(nft), line,
		    sizeof(line)));
		goto out;
	}
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON |
	    NFT_CTX_OUTPUT_STATELESS);
	snprintf(cmd, sizeof(cmd), "list table inet %s", table);
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		log_warnx("--json: cannot list the table: %s",
		    first_line(nft_ctx_get_error_buffer(nft), line,
		    sizeof(line)));
		goto out;
	}
	fputs(nft_ctx_get_output_buffer(nft), stdout);
	rc = 0;
out:
	nft_ctx_free(nft);
	return rc;
}

int
cmd_rules(int argc, char **argv)
{
	struct fw_opts		 o;
	struct privop_fw_apply	 a;
	char			 buf[RULESET_MAX];
	int			 ch, n, lockdown = 0, anchor = 0, json = 0;

	fw_opts_init(&o);
	optind = 0;	/* reset getopt: argv[0] is "rules" */
	opterr = 0;	/* our own one-line messages */
	while ((ch = getopt_long(argc, argv, rules_optable.shortopts,
	    rules_optable.opts, NULL)) != -1) {
		switch (fw_opts_parse(&o, ch, optarg)) {
		case 1:
			continue;
		case -1:
			return TTP_EXIT_ERROR;
		}
		switch (ch) {
		case OPT_LOCKDOWN:
			lockdown = 1;
			break;
		case OPT_ANCHOR:
			anchor = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			fputs(rules_usage, stdout);
			return TTP_EXIT_OK;
		default:
			return bad_option("rules", argv);
		}
	}
	if (optind < argc) {
		log_warnx("rules: unexpected argument '%s'; see 'ttp rules "
		    "--help'", argv[optind]);
		return TTP_EXIT_ERROR;
	}
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	fw_opts_config(&o, &cli.cfg);
	if (fw_opts_finish(&o, &a) == -1)
		return TTP_EXIT_ERROR;

	if (lockdown && anchor) {
		log_warnx("rules: --lockdown and --anchor are different "
		    "rulesets; give one of them");
		return TTP_EXIT_ERROR;
	}
	if (lockdown)
		n = ruleset_render_lockdown(a.tor_uid, buf, sizeof(buf));
	else if (anchor)
		n = ruleset_render_anchor(&a, 0, buf, sizeof(buf));
	else
		n = ruleset_render_session(&a, buf, sizeof(buf));
	if (n < 0) {
		/* The options were checked above: this is a bug. */
		log_warnx("rules: cannot render the ruleset; please report "
		    "this with the options you gave");
		return TTP_EXIT_ERROR;
	}
	if (json)
		return rules_json(buf, anchor ? TTP_ANCHOR_TABLE "0" :
		    "ttp") == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
	if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n ||
	    fflush(stdout) != 0) {
		log_warn("rules: cannot write the ruleset");
		return TTP_EXIT_ERROR;
	}
	return TTP_EXIT_OK;
}
