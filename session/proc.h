/*
 * Who a recorded pid is, and stopping it safely (session/proc.c).
 */
#ifndef TTP_SESSION_PROC_H
#define TTP_SESSION_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Stop a process ttp recorded by pid (the watchdog, ttp-anchor) only if
 * is_it(pid) says it is that one: through a pidfd opened before the check
 * and still alive after it, so a recycled pid is never signalled. sig,
 * then SIGKILL when it has not exited within wait_ms. 0 when it is gone
 * (or was not ours), -1 when it would not exit.
 */
int	proc_stop(pid_t pid, bool (*is_it)(pid_t), int sig,
	    int wait_ms, const char *what);
/* pid's command line, its arguments NUL-separated; its length, or -1. */
ssize_t	proc_cmdline(pid_t pid, char *buf, size_t bufsz);
/*
 * Is pid a live process (not a zombie) of real uid `uid` running the
 * program `exe`? The executable is read from /proc/PID/exe where this
 * process may (root); where it may not (an ordinary user's `ttp status`),
 * the name argv[0] gives is compared instead, which anyone can choose:
 * only root's answer is ever acted upon (a signal).
 */
bool	proc_is(pid_t pid, const char *exe, uid_t uid);
#endif
