/*
 * The commands of the ttp CLI, one file each (cli/cmd_<name>.c). Each
 * takes the arguments after its name (argv[0] is the command name) and
 * returns the process exit code (common/defaults.h).
 */
#ifndef TTP_CLI_COMMANDS_H
#define TTP_CLI_COMMANDS_H

int	cmd_rules(int argc, char **argv);

#endif
