/*
 * Identity rotation (docs/rotation.md): the period's syntax, the schedule
 * `ttp status` shows, and the rotator (`ttp-torctl rotate`) as the
 * session records it (session/rotate.c).
 */
#ifndef TTP_SESSION_ROTATE_H
#define TTP_SESSION_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* tor carries out at most one NEWNYM every 10 s (later ones wait). */
#define ROTATE_MIN_SECS	10
#define ROTATE_MAX_SECS	(24 * 3600)

/*
 * A period as `--rotate` takes it: plain seconds ("600"), or a number
 * with a unit ("90s", "10m", "1h"), units joined largest first ("1h30m").
 * 0 with *secs within ROTATE_MIN_SECS..ROTATE_MAX_SECS; -1 with a
 * one-line reason (naming the value and what is accepted) in err.
 */
int	rotate_parse(const char *s, unsigned *secs, char *err, size_t errsz);
/* secs the way rotate_parse reads it back, shortest: "10m", "1h30m",
 * "4m12s", "0s". */
void	rotate_format(long secs, char *buf, size_t bufsz);
/*
 * Seconds until the next rotation of a rotator that began at `since` with
 * this period, at `now` (wall clock, seconds): 1..period, period right at
 * a rotation. The rotator keeps its own schedule on CLOCK_BOOTTIME, which
 * counts suspend as the wall clock does; a step of the wall clock only
 * shifts what this says.
 */
long	rotate_next_in(time_t since, unsigned period, time_t now);

/* Is pid a live `ttp-torctl rotate` of ours (its binary, uid _ttp, not a
 * zombie, "rotate" among its arguments)? */
bool	rotator_alive(pid_t pid);
/* End it (SIGTERM, then SIGKILL), only if it is one; bounded wait. */
void	rotator_stop(pid_t pid);

#endif
