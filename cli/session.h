/*
 * The session sequences shared by start, stop, restart and the watchdog:
 * each step in an order that keeps the host fail-closed at every moment,
 * each privileged step through ttp-privd.
 */
#ifndef TTP_CLI_SESSION_H
#define TTP_CLI_SESSION_H

#include <stdbool.h>

#include "cli/cli.h"
#include "tor/bridges.h"

struct start_req {
	struct fw_opts	 fw;
	const char	*interface;
	long		 bootstrap_timeout;	/* seconds */
	bool		 watchdog;
	bool		 use_bridges;
	bool		 external_daemon;
	const char	*bridge_file;
	const char	*bridge_args[TTP_MAX_BRIDGES];
	int		 nbridge_args;
	char		 users_arg[LOCK_STR_MAX];	/* as given, for the */
	char		 groups_arg[LOCK_STR_MAX];	/* summary and lock */
	pid_t		 old_anchor;	/* restart: the old session's */
	bool		 boot;		/* `ttp boot start`: never open */
	unsigned	 rotate_secs;	/* --rotate, 0: none */
};

enum teardown_mode {
	TEARDOWN_FULL,		/* back to a clean host */
	TEARDOWN_KEEP_LOCKDOWN,	/* restart: stay locked, keep DNS overlay */
	TEARDOWN_RESTORE_ONLY,	/* no (usable) lock: remove whatever is left */
};

void	start_req_init(struct start_req *r);
/* `ttp start` / `ttp restart` options; 0, or the exit code to return. */
int	start_req_parse(struct start_req *r, int argc, char **argv,
	    const char *cmd, bool *help);
int	session_start(struct start_req *r, bool restart);
/* `ttp boot lockdown`: the lockdown and a strict anchor; an exit code. */
int	session_boot_lockdown(struct start_req *r);
/* What start, restart and boot share (cli/cmd_start.c): parse, check
 * root and the configuration, start privd; 0 or the exit code. */
int	start_prepare(struct start_req *r, int argc, char **argv,
	    const char *cmd, bool *help);
/* Stop the running session (if any) keeping the host locked down, then
 * start r's; an exit code. */
int	restart_run(struct start_req *r);
/* s may be NULL for TEARDOWN_RESTORE_ONLY. Returns an exit code. */
int	session_teardown(struct session *s, enum teardown_mode mode);
/* Is the session in the lock still alive (its tor, or an external one)? */
bool	session_alive(const struct session *s);
/* Ask ttp-netcheck, through Tor, which address the world sees. */
struct exit_result;
int	check_exit(struct exit_result *er);

/* privd for this invocation: spawned once, closed at exit. */
int	privd_fd(void);
void	privd_close(void);

#endif
