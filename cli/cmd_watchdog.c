/*
 * ttp watchdog start|stop|status|run (issue 6: not built yet).
 */
#include <string.h>

#include "cli/commands.h"
#include "cli/cli.h"
#include "common/log.h"

int
cmd_watchdog(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs("usage: ttp watchdog start|stop|status|run\n", stdout);
		return TTP_EXIT_OK;
	}
	log_warnx("the watchdog is not available in this build yet");
	return TTP_EXIT_ERROR;
}
