/*
 * privop_cli: a test driver for ttp-privd. It starts ONE privd with
 * privop_spawn() (so it needs root; run it inside namespaces you created)
 * and runs the ops named on the command line, in order, through the client
 * stubs, printing one line per op:
 *
 *   <op> err=<n> state=<s> hash=<hex> count=<n> anchors=<n> msg=<msg>
 *
 * and finally "privd exit=<n>" (or "privd signal=<n>") once privd is gone.
 *
 * usage: privop_cli [--run-dir D] [--pin-tor-uid N] OP [ARGS] [-- OP ...]
 *   (--pin-tor-uid: the watchdog's privd, pinned to fw-apply's defaults
 *   with that tor uid)
 *        privop_cli [--run-dir D] --stdin     ops one per line on stdin
 *        privop_cli [--run-dir D] --raw-hex HEX [-- OP ...]
 *        privop_cli --encode OP [ARGS] [-- ...]   print frames as hex only
 * ops: fw-apply --tor-uid N [--trans-port N] [--dns-port N]
 *        [--bypass-uid N]... [--bypass-gid N]... [--allow-root]
 *        [--no-lan-bypass] [--no-ipv6] [--lan-allow-router] [--router A]...
 *        (the routers, as ttp start: this namespace's gateways, read from
 *        /proc/net/route and ipv6_route; --router gives them instead,
 *        --lan-allow-router none)
 *      fw-lockdown --tor-uid N | fw-remove | fw-status | dns-overlay |
 *      dns-restore | ct-flush | sock-kill [--trans-port N] | raw-hex HEX |
 *      fw-anchor [fw-apply's options] (the anchor is held until exit)
 * Exits 1 if any op failed or privd did not exit 0.
 */
#include "ipc/privop.h"
#include "common/log.h"
#include "ipc/routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARGS_MAX	64

struct cliop {
	struct privop_req	 req;
	unsigned char		 raw[PRIVOP_FRAME_MAX * 2];
	size_t			 rawlen;	/* > 0: a raw frame */
	int			 israw;
};

static void __attribute__((noreturn))
usage(const char *why)
{
	fprintf(stderr, "privop_cli: %s\nusage: privop_cli [--run-dir D] "
	    "[--stdin | --encode | --raw-hex HEX] OP [ARGS] [-- OP ...]\n",
	    why);
	exit(2);
}

static uint32_t
num(const char *s)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 ||
	    v > UINT32_MAX)
		usage("bad number");
	return (uint32_t)v;
}

static void
hex2bin(const char *hex, struct cliop *c)
{
	size_t	 n = strlen(hex), i;
	unsigned int b;

	if (n % 2 != 0 || n / 2 > sizeof(c->raw))
		usage("bad hex");
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			usage("bad hex");
		c->raw[i] = (unsigned char)b;
	}
	c->rawlen = n / 2;
	c->israw = 1;
}

/* --router A: one more router, of A's family. */
static void
router(struct privop_routers *r, const char *s)
{
	if (r->n_v4 < TTP_MAX_ROUTERS &&
	    inet_pton(AF_INET, s, r->v4[r->n_v4]) == 1)
		r->n_v4++;
	else if (r->n_v6 < TTP_MAX_ROUTERS &&
	    inet_pton(AF_INET6, s, r->v6[r->n_v6]) == 1)
		r->n_v6++;
	else
		usage("bad --router address, or too many");
}

/* Parse one op and its arguments: av[0..ac-1]. */
static void
parse_op(int ac, char **av, struct cliop *c)
{
	struct privop_fw_apply	*a = &c->req.u.fw_apply;
	static const char *names[] = { NULL, "fw-apply", "fw-lockdown",
	    "fw-remove", "fw-status", "dns-overlay", "dns-restore",
	    "ct-flush", "sock-kill", "fw-anchor" };
	int			 i, op, ap, routers = 1;

	memset(c, 0, sizeof(*c));
	if (ac < 1)
		usage("missing op");
	if (strcmp(av[0], "raw-hex") == 0 || strcmp(av[0], "--raw-hex") == 0) {
		if (ac != 2)
			usage("raw-hex takes one argument");
		hex2bin(av[1], c);
		return;
	}
	for (op = 1; op <= PRIVOP_MAX; op++)
		if (strcmp(av[0], names[op]) == 0)
			break;
	if (op > PRIVOP_MAX)
		usage("unknown op");
	c->req.op = (enum privop)op;
	/* fw-anchor takes fw-apply's options. */
	ap = op == PRIVOP_FW_APPLY || op == PRIVOP_FW_ANCHOR;
	a->trans_port = TTP_DEF_TRANS_PORT;
	a->dns_port = TTP_DEF_DNS_PORT;
	a->lan_bypass = a->ipv6 = true;
	if (op == PRIVOP_SOCK_KILL)
		c->req.u.sock_kill.trans_port = TTP_DEF_TRANS_PORT;
	for (i = 1; i < ac; i++) {
		const char *o = av[i], *v = i + 1 < ac ? av[i + 1] : NULL;

		if (ap && strcmp(o, "--allow-root") == 0)
			a->allow_root = true;
		else if (ap &&
		    strcmp(o, "--no-lan-bypass") == 0)
			a->lan_bypass = false;
		else if (ap && strcmp(o, "--no-ipv6") == 0)
			a->ipv6 = false;
		else if (ap && strcmp(o, "--lan-allow-router") == 0)
			routers = 0;
		else if (v == NULL)
			usage("option without value, or unknown option");
		else if (ap && strcmp(o, "--tor-uid") == 0)
			a->tor_uid = num(v), i++;
		else if (op == PRIVOP_FW_LOCKDOWN &&
		    strcmp(o, "--tor-uid") == 0)
			c->req.u.fw_lockdown.tor_uid = num(v), i++;
		else if (ap &&
		    strcmp(o, "--trans-port") == 0)
			a->trans_port = (uint16_t)num(v), i++;
		else if (op == PRIVOP_SOCK_KILL &&
		    strcmp(o, "--trans-port") == 0)
			c->req.u.sock_kill.trans_port = (uint16_t)num(v), i++;
		else if (ap && strcmp(o, "--dns-port") == 0)
			a->dns_port = (uint16_t)num(v), i++;
		else if (ap &&
		    strcmp(o, "--bypass-uid") == 0 &&
		    a->n_bypass_uids < TTP_MAX_BYPASS)
			a->bypass_uids[a->n_bypass_uids++] = num(v), i++;
		else if (ap &&
		    strcmp(o, "--bypass-gid") == 0 &&
		    a->n_bypass_gids < TTP_MAX_BYPASS)
			a->bypass_gids[a->n_bypass_gids++] = num(v), i++;
		else if (ap && strcmp(o, "--router") == 0) {
			if (routers == 1)
				memset(&a->routers, 0, sizeof(a->routers));
			router(&a->routers, v), i++;
			routers = 2;
		} else
			usage("unknown option for this op");
	}
	/* As fw_opts_finish(): the routers of this namespace, unless given
	 * or allowed. */
	if (!ap || !a->lan_bypass || routers == 0)
		memset(&a->routers, 0, sizeof(a->routers));
	else if (routers == 1 && routes_read(&a->routers) == -1)
		exit(1);
}

static void
print_reply(const char *name, const struct privop_reply *rep)
{
	printf("%s err=%d state=%u hash=%016llx count=%u anchors=%u msg=%s\n",
	    name, rep->err, rep->state, (unsigned long long)rep->hash,
	    rep->count, rep->anchors, rep->msg);
	fflush(stdout);
}

/* Send a raw frame and decode whatever comes back. */
static int
run_raw(int fd, const struct cliop *c, struct privop_reply *rep)
{
	unsigned char	 buf[PRIVOP_FRAME_MAX];
	const char	*why;
	ssize_t		 n;

	memset(rep, 0, sizeof(*rep));
	if (send(fd, c->raw, c->rawlen, MSG_NOSIGNAL) == -1) {
		rep->err = errno;
		snprintf(rep->msg, sizeof(rep->msg), "send: %s",
		    strerror(errno));
		return -1;
	}
	n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	if (n <= 0) {
		rep->err = EPIPE;
		snprintf(rep->msg, sizeof(rep->msg), "ttp-privd is gone");
		return -1;
	}
	if ((size_t)n > sizeof(buf) ||
	    privop_decode_reply(buf, (size_t)n, rep, &why) == -1) {
		rep->err = EPROTO;
		snprintf(rep->msg, sizeof(rep->msg), "invalid reply");
		return -1;
	}
	return rep->err == 0 ? 0 : -1;
}

static int
run_op(int fd, const struct cliop *c)
{
	const struct privop_req	*q = &c->req;
	struct privop_reply	 rep;
	int			 rc = -1;

	if (c->israw)
		rc = run_raw(fd, c, &rep);
	else switch (q->op) {
	case PRIVOP_FW_APPLY:
		rc = privop_fw_apply(fd, &q->u.fw_apply, &rep);
		break;
	case PRIVOP_FW_LOCKDOWN:
		rc = privop_fw_lockdown(fd, q->u.fw_lockdown.tor_uid, &rep);
		break;
	case PRIVOP_FW_REMOVE:
		rc = privop_fw_remove(fd, &rep);
		break;
	case PRIVOP_FW_STATUS:
		rc = privop_fw_status(fd, &rep);
		break;
	case PRIVOP_DNS_OVERLAY:
		rc = privop_dns_overlay(fd, &rep);
		break;
	case PRIVOP_DNS_RESTORE:
		rc = privop_dns_restore(fd, &rep);
		break;
	case PRIVOP_CT_FLUSH:
		rc = privop_ct_flush(fd, &rep);
		break;
	case PRIVOP_SOCK_KILL:
		rc = privop_sock_kill(fd, q->u.sock_kill.trans_port, &rep);
		break;
	case PRIVOP_FW_ANCHOR:
		/* Held (never closed) until this tool exits: the anchor
		 * lives exactly as long. */
		rc = privop_fw_anchor(fd, &q->u.fw_apply, &rep);
		break;
	}
	print_reply(c->israw ? "raw-hex" : privop_name(q->op), &rep);
	return rc;
}

static int
encode_op(const struct cliop *c)
{
	unsigned char	 buf[PRIVOP_FRAME_MAX];
	ssize_t		 n, i;

	if (c->israw)
		return -1;
	if ((n = privop_encode_req(&c->req, buf, sizeof(buf))) == -1)
		return -1;
	for (i = 0; i < n; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

/* Run each "--"-separated op of av[0..ac-1]. */
static int
run_args(int fd, int ac, char **av, int encode)
{
	struct cliop	 c;
	int		 i, start, failed = 0;

	for (start = 0, i = 0; i <= ac; i++) {
		if (i < ac && strcmp(av[i], "--") != 0)
			continue;
		parse_op(i - start, av + start, &c);
		if ((encode ? encode_op(&c) : run_op(fd, &c)) == -1)
			failed = 1;
		start = i + 1;
	}
	return failed;
}

static int
run_stdin(int fd)
{
	char		 line[4096], *av[ARGS_MAX], *tok, *save;
	struct cliop	 c;
	int		 ac, failed = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		ac = 0;
		for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL &&
		    ac < ARGS_MAX; tok = strtok_r(NULL, " \t\r\n", &save))
			av[ac++] = tok;
		if (ac == 0)
			continue;
		parse_op(ac, av, &c);
		if (run_op(fd, &c) == -1)
			failed = 1;
	}
	return failed;
}

int
main(int argc, char *argv[])
{
	char		 tmpl[] = "/tmp/privop_cli.XXXXXX", path[4096];
	const char	*run_dir = NULL;
	struct privop_fw_apply pinned = { .trans_port = TTP_DEF_TRANS_PORT,
	    .dns_port = TTP_DEF_DNS_PORT, .lan_bypass = true, .ipv6 = true };
	const struct privop_fw_apply *pin = NULL;
	int		 fd, pid, status, failed, i = 1, mode = 0;

	log_init("privop_cli", LOG_FORMAT_TEXT, 0);
	if (i + 1 < argc && strcmp(argv[i], "--run-dir") == 0) {
		run_dir = argv[i + 1];
		i += 2;
	}
	if (i + 1 < argc && strcmp(argv[i], "--pin-tor-uid") == 0) {
		pinned.tor_uid = num(argv[i + 1]);
		if (routes_read(&pinned.routers) == -1)
			exit(1);
		pin = &pinned;
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--stdin") == 0)
		mode = 's', i++;
	else if (i < argc && strcmp(argv[i], "--encode") == 0)
		mode = 'e', i++;
	if (mode == 'e')
		return run_args(-1, argc - i, argv + i, 1);
	if (mode == 0 && i >= argc)
		usage("no op given");
	if (run_dir == NULL && (run_dir = mkdtemp(tmpl)) == NULL)
		fatal("mkdtemp");
	if ((fd = privop_spawn(run_dir, pin, &pid)) == -1) {
		if (run_dir == tmpl)
			(void)rmdir(tmpl);
		return 1;
	}
	if (mode == 's')
		failed = run_stdin(fd);
	else
		failed = run_args(fd, argc - i, argv + i, 0);
	close(fd);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(status))
		printf("privd exit=%d\n", WEXITSTATUS(status));
	else
		printf("privd signal=%d\n", WTERMSIG(status));
	if (run_dir == tmpl) {
		snprintf(path, sizeof(path), "%s/%s", tmpl, TTP_RESOLV_NAME);
		(void)unlink(path);
		(void)rmdir(tmpl);
	}
	return failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}
