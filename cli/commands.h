/*
 * The commands of the ttp CLI, one file each (cli/cmd_<name>.c). Each
 * takes the arguments after its name (argv[0] is the command name) and
 * returns the process exit code (common/defaults.h).
 */
#ifndef TTP_CLI_COMMANDS_H
#define TTP_CLI_COMMANDS_H

int	cmd_rules(int argc, char **argv);
int	cmd_start(int argc, char **argv);
int	cmd_stop(int argc, char **argv);
int	cmd_restart(int argc, char **argv);
int	cmd_status(int argc, char **argv);
int	cmd_refresh(int argc, char **argv);
int	cmd_check(int argc, char **argv);
int	cmd_check_leak(int argc, char **argv);
int	cmd_logs(int argc, char **argv);
int	cmd_diagnose(int argc, char **argv);
int	cmd_uninstall(int argc, char **argv);
int	cmd_watchdog(int argc, char **argv);
int	cmd_enable(int argc, char **argv);
int	cmd_disable(int argc, char **argv);
int	cmd_boot(int argc, char **argv);

#include <stdbool.h>
/* Has `ttp enable` recorded a session for boot? (cli/cmd_boot.c) */
bool	boot_enabled(void);

#endif
