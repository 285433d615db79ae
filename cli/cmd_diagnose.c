/*
 * runs in: ttp, root.
 *
 * ttp diagnose: one plain-text report for a bug report or an auditor: the
 * system, ttp's configuration and session, tor, the firewall as the kernel
 * holds it compared with what the session installed, and DNS.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "session/anchor.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "common/log.h"
#include "privd/privd.h"
#include "common/exec.h"
#include "tor/tor_proc.h"

static void
section(const char *name)
{
	printf("\n== %s\n", name);
}

/* Print a file, at most `max` bytes of its end. */
/* The last max bytes of an open regular file, escaped: bytes others
 * wrote (tor's log) never reach root's terminal raw. */
static void
show_fd(int fd, off_t max)
{
	char	 buf[4096];
	ssize_t	 n;
	off_t	 size;

	size = lseek(fd, 0, SEEK_END);
	(void)lseek(fd, size > max ? size - max : 0, SEEK_SET);
	while (max > 0 && (n = read(fd, buf, (size_t)(max < (off_t)sizeof(buf) ?
	    max : (off_t)sizeof(buf)))) > 0) {
		cli_print_escaped(stdout, buf, (size_t)n);
		max -= n;
	}
	close(fd);
}

static void
show_file(const char *path, off_t max)
{
	struct stat	 sb;
	int		 fd;

	/* Non-blocking, and only a regular file: a FIFO or a device put in
	 * its place neither hangs nor floods the report. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		printf("(%s: %s)\n", path, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		printf("(%s: not a regular file)\n", path);
		close(fd);
		return;
	}
	show_fd(fd, max);
}

static void
show_mounts_of(const char *target)
{
	char	 line[1024];
	FILE	*fp;

	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, target) != NULL)
			printf("mount: %s", line);
	fclose(fp);
}

int
cmd_diagnose(int argc, char **argv)
{
	struct privop_fw_apply	 a;
	struct privop_reply	 rep;
	struct utsname		 u;
	struct session		 s;
	char			 err[512], path[PATH_MAX], tor[PATH_MAX], *txt;
	char			 out[512], *rules;
	int			 st, have_lock, fd;

	if (argc > 1) {
		fputs("usage: ttp diagnose\nPrint a diagnostic report: system, "
		    "configuration, session, tor,\nfirewall (live, and as "
		    "rendered for the session) and DNS.\n",
		    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") ==
		    0 ? stdout : stderr);
		return strcmp(argv[1], "-h") == 0 || strcmp(argv[1],
		    "--help") == 0 ? TTP_EXIT_OK : TTP_EXIT_ERROR;
	}
	(void)optind;
	if (cli_need_root("diagnose") == -1)
		return TTP_EXIT_NOROOT;
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;

	section("system");
	if (uname(&u) == 0)
		printf("kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	show_file("/etc/os-release", 512);
	printf("ttp: %s\nconfig: %s\n", TTP_VERSION, cli.cfg.file[0] ?
	    cli.cfg.file : "(built-in defaults)");

	section("session");
	have_lock = session_read(&s, err,
	    sizeof(err)) == 0;
	if (have_lock && (txt = lock_to_json(&s)) != NULL) {
		printf("%s\ntor running: %s\n", txt, session_alive(&s) ?
		    "yes" : "no");
		free(txt);
	} else
		printf("no session lock (%s)\n", session_run_path(TTP_LOCK_NAME));

	section("tor");
	if (tor_find(&cli.cfg, tor, sizeof(tor)) == 0) {
		const char	*av[] = { tor, "--version", NULL };
		struct exec_req	 r = { .path = tor, .argv = av, .out = out,
		    .outsz = sizeof(out), .timeout_ms = 5000, .as_user = 1 };

		/* As the tor user: root never runs tor. */
		if (tor_ids(&cli.cfg, &r.uid, &r.gid, err, sizeof(err)) == -1)
			printf("%s\n", err);
		else if (exec_run(&r, &st, err, sizeof(err)) == 0) {
			printf("%s: ", tor);
			cli_print_escaped(stdout, out, strcspn(out, "\n"));
			putchar('\n');
		}
	} else
		printf("tor not found\n");
	/* tor's directory is the tor user's: by descriptor, following
	 * nothing planted there. */
	printf("-- %s/%s\n", cli.cfg.tor_run_dir, TTP_TORRC_NAME);
	if ((fd = tor_dir_read_open(&cli.cfg, TTP_TORRC_NAME, err,
	    sizeof(err))) == -1)
		printf("(%s)\n", err);
	else
		show_fd(fd, 16384);
	printf("-- last lines of %s\n", session_run_path("tor.log"));
	show_file(session_run_path("tor.log"), 2048);

	section("firewall");
	if (privd_fd() != -1 && privop_fw_status(privd_fd(), &rep) == 0) {
		printf("table inet ttp: %s, hash %016llx%s\n",
		    (const char *[]){ "absent", "session", "lockdown",
		    "foreign" }[rep.state <= FW_STATE_MAX ? rep.state : 3],
		    (unsigned long long)rep.hash, have_lock ?
		    (rep.hash == s.fw_hash ? " (as installed)" :
		    " (DIFFERS from what the session installed)") : "");
		printf("anchor tables: %s%s%s; ttp-anchor %s\n",
		    rep.anchors & 1 ? "inet " TTP_ANCHOR_TABLE "0 " : "",
		    rep.anchors & 2 ? "inet " TTP_ANCHOR_TABLE "1 " : "",
		    rep.anchors ? "(owned: no other program can change them)"
		    : "none", have_lock && anchor_alive(s.anchor_pid) ?
		    "running" : "NOT running");
		if (have_lock && (rep.anchors == 0 || (rep.hash != s.fw_hash &&
		    rep.state != FW_STATE_LOCKDOWN)))
			printf("=> the session is not whole (%s); recover "
			    "with 'sudo ttp restart'\n", rep.anchors == 0 ?
			    "no anchor: a firewall reload by another program "
			    "could open the host" : "another program changed "
			    "table inet ttp; the anchor keeps the host "
			    "closed");
	} else
		printf("cannot ask ttp-privd\n");
	privd_close();
	if (have_lock && (rules = malloc(RULESET_MAX)) != NULL) {
		memset(&a, 0, sizeof(a));
		a.tor_uid = s.tor_uid;
		a.trans_port = s.trans_port;
		a.dns_port = s.dns_port;
		memcpy(a.bypass_uids, s.bypass_uids, sizeof(a.bypass_uids));
		memcpy(a.bypass_gids, s.bypass_gids, sizeof(a.bypass_gids));
		a.n_bypass_uids = s.n_bypass_uids;
		a.n_bypass_gids = s.n_bypass_gids;
		a.allow_root = s.allow_root;
		a.lan_bypass = s.lan_bypass;
		a.routers = s.routers;
		a.gw = s.gw;
		a.iso = s.iso;
		a.ipv6 = s.ipv6;
		printf("-- the session's ruleset (as rendered for privd)\n");
		if (ruleset_render_session(&a, rules, RULESET_MAX) > 0)
			fputs(rules, stdout);
		free(rules);
	}

	section("dns");
	printf("-- %s\n", TTP_DEF_RESOLV_CONF);
	show_file(TTP_DEF_RESOLV_CONF, 4096);
	if (realpath(TTP_DEF_RESOLV_CONF, path) != NULL) {
		printf("real path: %s\n", path);
		show_mounts_of(path);
	}
	return TTP_EXIT_OK;
}
