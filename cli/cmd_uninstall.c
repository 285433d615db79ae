/*
 * runs in: ttp, root.
 *
 * ttp uninstall: remove what `make install` put in place (the ttp binary,
 * the helpers in libexec, the example configuration, the manual pages,
 * the shell completions, the AppArmor profiles, which stay loaded until
 * the next boot or `apparmor_parser -R`); `make uninstall` runs this
 * same command.
 * scripts/check-install.sh (a unit test) installs into a scratch
 * directory and fails when CMake installs a file this list does not name.
 * Refuses while a session is active; keeps the configuration in /etc/ttp
 * and the _ttp user, and says so. A ttp that a distribution's package
 * installed (built with TTP_PACKAGED_BY, as debian/rules does) is that
 * package's to remove: refused.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/cli.h"
#include "common/log.h"

static const char *const installed[] = {
	TTP_SBINDIR "/ttp",
	TTP_LIBEXECDIR "/ttp-privd",
	TTP_LIBEXECDIR "/ttp-torctl",
	TTP_LIBEXECDIR "/ttp-netcheck",
	TTP_LIBEXECDIR "/ttp-anchor",
	TTP_SYSCONFDIR_STR "/ttp.conf.example",
	TTP_SYSTEMD_UNIT_DIR "/ttp-lockdown.service",
	TTP_SYSTEMD_UNIT_DIR "/ttp.service",
	TTP_INITDDIR "/ttp-lockdown",
	TTP_INITDDIR "/ttp",
	TTP_MANDIR "/man8/ttp.8",
	TTP_MANDIR "/man5/ttp.conf.5",
	TTP_MANDIR "/man8/ttp-privd.8",
	TTP_MANDIR "/man8/ttp-torctl.8",
	TTP_MANDIR "/man8/ttp-netcheck.8",
	TTP_MANDIR "/man8/ttp-anchor.8",
	TTP_BASH_COMPLETION_DIR "/ttp",
	TTP_ZSH_COMPLETION_DIR "/_ttp",
	TTP_FISH_COMPLETION_DIR "/ttp.fish",
	TTP_APPARMOR_DIR_STR "/usr.sbin.ttp",
	TTP_APPARMOR_DIR_STR "/usr.libexec.ttp.ttp-privd",
	TTP_APPARMOR_DIR_STR "/usr.libexec.ttp.ttp-torctl",
	TTP_APPARMOR_DIR_STR "/usr.libexec.ttp.ttp-netcheck",
	TTP_APPARMOR_DIR_STR "/usr.libexec.ttp.ttp-anchor",
};

int
cmd_uninstall(int argc, char **argv)
{
	struct session	 s;
	char		 err[256];
	size_t		 i;
	int		 removed = 0;

	if (argc > 1) {
		bool help = strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0;

		fprintf(help ? stdout : stderr, "usage: ttp uninstall\n"
		    "Remove ttp's programs from %s and %s, its manual pages\n"
		    "and shell completions.\n", TTP_SBINDIR, TTP_LIBEXECDIR);
		return help ? TTP_EXIT_OK : TTP_EXIT_ERROR;
	}
	if (cli_need_root("uninstall") == -1)
		return TTP_EXIT_NOROOT;
	if (TTP_PACKAGED_BY[0] != '\0') {
		log_warnx("ttp was installed by %s: remove it that way, not "
		    "with ttp uninstall", TTP_PACKAGED_BY);
		return TTP_EXIT_ERROR;
	}
	if (cli_config() == -1)
		return TTP_EXIT_ERROR;
	if (lock_read(session_run_path(TTP_LOCK_NAME), &s, err, sizeof(err)) != 1) {
		log_warnx("a ttp session exists; run 'sudo ttp stop' first");
		return TTP_EXIT_ERROR;
	}
	if (boot_enabled()) {
		log_warnx("ttp is enabled at boot; run 'sudo ttp disable' "
		    "first");
		return TTP_EXIT_ERROR;
	}
	for (i = 0; i < sizeof(installed) / sizeof(installed[0]); i++) {
		if (unlink(installed[i]) == 0) {
			ui_info("removed %s", installed[i]);
			removed++;
		} else if (errno != ENOENT)
			log_warn("cannot remove %s", installed[i]);
	}
	(void)rmdir(TTP_LIBEXECDIR);
	if (removed == 0)
		ui_info("nothing to remove: ttp is not installed under %s",
		    TTP_SBINDIR);
	else
		ui_good("ttp uninstalled (kept %s and the %s user)",
		    TTP_SYSCONFDIR_STR, TTP_UNPRIV_USER);
	return TTP_EXIT_OK;
}
