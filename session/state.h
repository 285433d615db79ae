/*
 * The session as its readers see it (session/state.c).
 */
#ifndef TTP_SESSION_STATE_H
#define TTP_SESSION_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/config.h"
#include "session/lock.h"

/* The configuration the functions below read; set once it is loaded. */
void	session_use_config(const struct ttp_config *cfg);
/* <run_dir>/<name> of that configuration (a static buffer). */
const char *session_run_path(const char *name);
/* Is pid the tor this configuration starts: tor -f <tor_run_dir>/torrc,
 * the configured tor binary, run by the tor user? */
bool	session_tor(pid_t pid);
/* Is pid a running ttp watchdog: this ttp's binary, as root or _ttp,
 * with "watchdog run" in its arguments? */
bool	watchdog_alive(pid_t pid);
/*
 * The session lock, with what this session's watchdog changed since (it
 * runs as _ttp and cannot write the lock): the tor and ttp-anchor it
 * started again, taken only when they prove to be ttp's tor and
 * ttp-anchor, and a final lockdown. lock_read's return values.
 */
int	session_read(struct session *s, char *err, size_t errsz);

#endif
