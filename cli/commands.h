/*
 * The commands of the ttp CLI, one file each (cli/cmd_<name>.c). Each
 * takes the arguments after its name (argv[0] is the command name) and
 * returns the process exit code (common/defaults.h).
 *
 * Each command parses its options with getopt_long from an option table
 * of its own (struct optable), named in the command table (main.c): the
 * same tables `ttp completion` makes the shell completions of, so what the
 * shells offer is what the commands accept. The manual page is ttp(8)
 * (man/ttp.8.scd).
 */
#ifndef TTP_CLI_COMMANDS_H
#define TTP_CLI_COMMANDS_H

#include <getopt.h>

/* A getopt_long table, its optstring, and its internal options (given by
 * ttp to itself or by tests: not offered by the completions). */
struct optable {
	const struct option	*opts;		/* ends with { NULL } */
	const char		*shortopts;
	const char *const	*internal;	/* NULL, or ends with NULL */
};

struct subcommand {
	const char		*name;		/* NULL ends a table */
	const struct optable	*opts;
};

struct command {
	const char		*name;		/* NULL ends the table */
	int			(*run)(int, char **);
	const char		*what;		/* its line in `ttp --help` */
	const struct optable	*opts;
	const struct subcommand	*subs;		/* NULL: none */
};

/* main.c: every command, and the global options (valid anywhere). */
extern const struct command	cli_commands[];
extern const struct optable	global_optable;

/* cli/common.c: the tables of a command (or subcommand) whose only
 * option is -h/--help, and of one that takes none. */
extern const struct optable	help_optable;
extern const struct optable	none_optable;

extern const struct optable	start_optable;	/* start, restart, enable */
extern const struct optable	stop_optable;
extern const struct optable	status_optable;
extern const struct optable	check_optable;
extern const struct optable	check_leak_optable;
extern const struct optable	refresh_optable;
extern const struct optable	logs_optable;
extern const struct optable	rules_optable;
extern const struct optable	runcmd_optable;	/* ttp run */
extern const struct subcommand	watchdog_subs[];
extern const struct optable	boot_optable;
extern const struct subcommand	boot_subs[];		/* lockdown, start */
extern const struct subcommand	completion_subs[];	/* bash, zsh, ... */

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
int	cmd_run(int argc, char **argv);

#include <stdbool.h>
/* Has `ttp enable` recorded a session for boot? (cli/cmd_boot.c) */
bool	boot_enabled(void);
int	cmd_completion(int argc, char **argv);

#endif
