/*
 * runs in: ttp, any user.
 *
 * ttp status: the session as the lock records it, readable without root
 * (the lock is 0644). As root it also asks privd whether the firewall the
 * session installed is still exactly in place.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "session/anchor.h"
#include "session/rotate.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "watchdog/watchdog.h"
#include "common/log.h"
#include "ipc/routes.h"

static const struct option status_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct optable status_optable = { status_longopts, "h", NULL };

static const char *fw_names[] = { "absent", "session", "lockdown",
	"foreign" };

int
cmd_status(int argc, char **argv)
{
	struct privop_reply	 rep;
	struct session		 s;
	json_t			*j;
	char			 err[512], when[64], routers[512], *txt;
	const char		*fw = NULL;
	bool			 json = false, alive, intact = false, anchored;
	bool			 rotating;
	time_t			 now = time(NULL);
	long			 left = 0;
	int			 ch, rc;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, status_optable.shortopts,
	    status_optable.opts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch != 'h')
			return bad_option("status", argv);
		else {
			fputs("usage: ttp status [--json]\nShow the session: "
			    "state, exit address, start time, pids, ports.\n"
			    "Needs no root; as root it also checks that the "
			    "firewall is intact.\n", ch == 'h' ? stdout :
			    stderr);
			return ch == 'h' ? TTP_EXIT_OK : TTP_EXIT_ERROR;
		}
	}
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	rc = session_read(&s, err, sizeof(err));
	if (rc == -1) {
		log_warnx("%s", err);
		return TTP_EXIT_ERROR;
	}
	if (rc == 1) {
		if (json)
			printf("{\"state\":\"inactive\",\"boot_enabled\":%s}\n",
			    boot_enabled() ? "true" : "false");
		else {
			ui_info("ttp is inactive (no session)");
			ui_info("  at boot        %s", boot_enabled() ?
			    "enabled: locked down early, then the session "
			    "starts" : "disabled ('sudo ttp enable' to start "
			    "fail-closed at every boot)");
		}
		return TTP_EXIT_OK;
	}
	alive = session_alive(&s);
	anchored = anchor_alive(s.anchor_pid);
	rotating = s.rotate_secs != 0 && rotator_alive(s.rotator_pid);
	if (rotating)
		left = rotate_next_in(s.rotate_since, s.rotate_secs, now);
	if (geteuid() == 0 && privd_fd() != -1 &&
	    privop_fw_status(privd_fd(), &rep) == 0) {
		fw = rep.state <= FW_STATE_MAX ? fw_names[rep.state] : "?";
		intact = rep.state == FW_STATE_SESSION && rep.hash == s.fw_hash;
		privd_close();
	}
	if (json) {
		if ((txt = lock_to_json(&s)) == NULL ||
		    (j = json_loads(txt, 0, NULL)) == NULL)
			fatalx("cannot format the status");
		free(txt);
		json_object_set_new(j, "anchor_running",
		    json_boolean(anchored));
		json_object_set_new(j, "tor_running", json_boolean(alive));
		json_object_set_new(j, "boot_enabled",
		    json_boolean(boot_enabled()));
		/* Epoch seconds, as "started"; 0 when nothing will rotate. */
		json_object_set_new(j, "rotation_running",
		    json_boolean(rotating));
		json_object_set_new(j, "next_rotation", json_integer(rotating ?
		    (json_int_t)(now + left) : 0));
		if (fw != NULL) {
			json_object_set_new(j, "firewall", json_string(fw));
			json_object_set_new(j, "firewall_intact",
			    json_boolean(intact));
			json_object_set_new(j, "anchor_tables",
			    json_integer(__builtin_popcount(rep.anchors)));
		}
		json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
		return TTP_EXIT_OK;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z",
	    localtime(&s.started));
	if (s.state == SESSION_ACTIVE && alive)
		ui_good("ttp is active");
	else if (s.state == SESSION_LOCKDOWN && s.boot)
		ui_bad("ttp is in LOCKDOWN since boot: no traffic leaves until "
		    "the session starts ('ttp boot start'; 'sudo ttp logs' "
		    "says how far it got)");
	else if (s.state == SESSION_LOCKDOWN)
		ui_bad("ttp is in LOCKDOWN: no traffic leaves; run 'sudo ttp "
		    "diagnose', then 'sudo ttp stop'");
	else
		ui_warn("ttp session is %s%s", session_state_name(s.state),
		    alive ? "" : ", and its tor is not running (traffic is "
		    "blocked); run 'sudo ttp restart' or 'sudo ttp stop'");
	ui_info("  started        %s (by pid %d)", when, (int)s.pid);
	ui_info("  exit address   %s", s.exit_ip[0] ? s.exit_ip :
	    "(not verified)");
	ui_info("  tor            %s, pid %d, uid %u, TransPort %u, "
	    "DNSPort %u", s.external_daemon ? "external" : "supervised",
	    (int)s.tor_pid, s.tor_uid, s.trans_port, s.dns_port);
	routes_format(&s.routers, routers, sizeof(routers));
	ui_info("  options        lan-bypass %s, ipv6 %s, allow-root %s%s%s"
	    "%s%s", !s.lan_bypass ? "off" : s.lan_allow_router ?
	    "on (routers allowed)" : "on", s.ipv6 ? "via Tor" :
	    "blocked", s.allow_root ? "on" : "off",
	    s.bypass_users[0] ? ", bypass users " : "", s.bypass_users,
	    s.bypass_groups[0] ? ", bypass groups " : "", s.bypass_groups);
	if (s.lan_bypass && !s.lan_allow_router)
		ui_info("  routers        %s (the LAN bypass does not reach "
		    "them)", routers);
	if (s.gw.n_ifs > 0) {
		char	 ifs[TTP_MAX_GATEWAYS * (TTP_IFNAME_MAX + 2)] = "";
		uint8_t	 i;

		for (i = 0; i < s.gw.n_ifs; i++)
			snprintf(ifs + strlen(ifs), sizeof(ifs) - strlen(ifs),
			    "%s%s", i ? ", " : "", s.gw.ifs[i]);
		ui_info("  gateway        %s (TransPort %u, DNSPort %u; "
		    "nothing forwarded)", ifs, s.gw.trans_port,
		    s.gw.dns_port);
	} else
		ui_info("  gateway        off");
	if (s.iso.base != 0)
		ui_info("  isolation      per user: on (%u uids with their "
		    "own circuits, ports %u-%u)", s.iso.n_uids, s.iso.base,
		    s.iso.base + 2U * s.iso.n_uids + 1U);
	else
		ui_info("  isolation      per user: off");
	ui_info("  watchdog       %s", watchdog_alive(s.watchdog_pid) ?
	    "guarding the session" : "off");
	if (s.rotate_secs != 0) {
		char	 every[32], in[32];

		rotate_format(s.rotate_secs, every, sizeof(every));
		rotate_format(left, in, sizeof(in));
		if (rotating)
			ui_info("  rotation       every %s, next in %s", every,
			    in);
		else
			ui_info("  rotation       stopped (every %s was asked; "
			    "its rotator is not running: tor was restarted or "
			    "it was killed); 'sudo ttp restart --rotate %s' "
			    "resumes it", every, every);
	} else
		ui_info("  rotation       off");
	ui_info("  at boot        %s", boot_enabled() ? "enabled ('sudo ttp "
	    "disable' to turn off)" : "disabled");
	if (fw != NULL)
		ui_info("  firewall       %s%s", fw, intact ? " (intact)" :
		    rep.state == FW_STATE_SESSION ? " (CHANGED since start)" :
		    "");
	if (anchored && (fw == NULL || rep.anchors != 0))
		ui_info("  anchor         held by ttp-anchor (pid %d): no "
		    "other program can open the host", (int)s.anchor_pid);
	else
		ui_bad("  anchor         MISSING: a firewall reload by another "
		    "program could open the host; run 'sudo ttp restart'");
	if (fw != NULL && rep.state != FW_STATE_LOCKDOWN && !intact &&
	    s.state != SESSION_LOCKDOWN)
		ui_bad("  table inet ttp was %s by another program: traffic "
		    "is blocked%s; run 'sudo ttp restart'", rep.state ==
		    FW_STATE_ABSENT ? "removed" : "changed", rep.anchors ?
		    " by the anchor" : "");
	return TTP_EXIT_OK;
}
