/*
 * What the commands of the ttp CLI share: the loaded configuration, the
 * user-facing output (ui.c), running helpers (spawn.c), the unprivileged
 * parsing worker (privsep.c) and the session sequences (session.c).
 */
#ifndef TTP_CLI_H
#define TTP_CLI_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "session/lock.h"
#include "session/proc.h"
#include "session/state.h"
#include "cli/options.h"
#include "common/config.h"

/* Global options (main.c), valid anywhere on the command line. */
struct cli_globals {
	const char	*config_path;	/* --config, else $TTP_CONFIG */
	struct ttp_config cfg;
	bool		 cfg_loaded;
};
extern struct cli_globals cli;

/* Load the configuration once; on error print one line and return -1. */
int	cli_config(void);
/* 0 when root; else print "<cmd> needs root: run 'sudo ttp <cmd>'". */
int	cli_need_root(const char *cmd);
/*
 * For the commands that run ttp's sandboxed helpers as root: 0 when the
 * system user they become (TTP_UNPRIV_USER) exists and is an account of
 * their own (sandbox_user_unfit); else one line naming the problem and the
 * fix, and -1. Call it before anything on the host changes. 0 when not
 * root: the helpers then keep the caller's uid.
 */
int	cli_need_helper_user(void);
/*
 * Write n bytes others wrote (tor's log, its answers) so that no terminal
 * sequence gets through: printable ASCII, newline and tab as they are,
 * every other byte as \xNN.
 */
void	cli_print_escaped(FILE *fp, const char *p, size_t n);
/*
 * Only one session command (start, stop, restart, refresh) at a time: an
 * flock on <run_dir>/ttp.cmd.lock, held until the process exits. Returns
 * 0, or -1 after saying which command holds it and what to do.
 */
int	cli_command_lock(const char *cmd);
/*
 * SIGINT/SIGTERM during a start: set here by the handler cli_on_signals()
 * installs (which also ends the helper running now), checked at every
 * step so the start undoes itself instead of dying half-way.
 */
extern volatile sig_atomic_t cli_interrupted;
void	cli_on_signals(void);
/* Record (add) or forget a helper the signal handler may end. */
void	cli_track_child(pid_t pid, bool add);
/*
 * Test hook: when $TTP_TEST_CRASH_AT names this step, the CLI kills itself
 * with SIGKILL there, so tests can prove every step leaves the host
 * fail-closed and recoverable. It can only make ttp die, never skip a step.
 */
void	cli_crash_point(const char *step);

/* ui.c: what the user reads. Colour only on a terminal, never NO_COLOR. */
bool	ui_color(FILE *fp);
void	ui_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	ui_good(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	ui_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	ui_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A progress bar on a terminal, a plain line per change otherwise. */
void	ui_progress(int pct, const char *summary);
void	ui_progress_done(void);
/* runlog.c: append messages to <run_dir>/ttp.log (rolled at 1 MiB). */
void	runlog_open(void);

/* spawn.c: run one of ttp's own helpers with its stdout on a pipe (or,
 * with out_fd NULL, discarded). */
int	spawn_helper(const char *name, const char *const argv[], int *out_fd,
	    pid_t *pid);
/* ttp-torctl COMMAND for the configured tor: --timeout when > 0, --pid
 * (stop waiting when tor dies) when > 0. */
int	spawn_torctl(const char *command, long timeout_secs, pid_t tor_pid,
	    int *out_fd, pid_t *pid);
/*
 * The session's rotator (docs/rotation.md): `ttp-torctl rotate --every
 * secs`, in a session of its own, stderr on the session log, not a tracked
 * child (it outlives this command). 0 with its pid once it says it is
 * connected and confined and its timer runs, or -1 (logged; nothing left
 * running).
 */
int	spawn_rotator(unsigned secs, pid_t *pid);
/* Wait for pid, bounded; its exit code, or -1 (killed or timed out). */
int	spawn_wait(pid_t pid, int timeout_ms);

/*
 * privsep.c: parse untrusted output in a child that has dropped to the
 * unprivileged user, with no capabilities and the CLI's seccomp allowlist.
 * The child runs parse(in, arg) with `in` open on in_fd and stdout still
 * open for the user; what it writes to `result` (at most resultsz-1 bytes)
 * comes back to the caller, which must validate it. Returns the child's
 * exit code, or -1.
 */
typedef int (*privsep_parser)(FILE *in, FILE *result, void *arg);
int	privsep_parse(int in_fd, privsep_parser parse, void *arg,
	    char *result, size_t resultsz);

/* cmd_watchdog.c: detach a watchdog for the session in the lock (`ttp
 * start -w`, `ttp watchdog start`); 0, or -1 (logged). */
int	watchdog_start(void);

#endif
