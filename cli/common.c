/*
 * State and checks shared by every command of the CLI: the configuration
 * (loaded once), the root check with its exit code, and the crash-point
 * test hook.
 */
#include "cli/cli.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

struct cli_globals cli;

int
cli_config(void)
{
	char	 err[1024];

	if (cli.cfg_loaded)
		return 0;
	if (config_load(cli.config_path, &cli.cfg, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	cli.cfg_loaded = true;
	return 0;
}

int
cli_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	log_warnx("'ttp %s' needs root: run 'sudo ttp %s'", cmd, cmd);
	return -1;
}

const char *
cli_run_path(const char *name)
{
	static char	 buf[PATH_MAX];

	if (config_run_path(&cli.cfg, name, buf, sizeof(buf)) == -1)
		fatalx("run_dir path too long");
	return buf;
}

void
cli_crash_point(const char *step)
{
	const char	*at = getenv("TTP_TEST_CRASH_AT");

	if (at != NULL && strcmp(at, step) == 0) {
		fflush(NULL);
		(void)raise(SIGKILL);
	}
}
