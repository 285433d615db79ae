/*
 * ttp-anchor from the outside (session/anchor.c): the keeper of the
 * anchor table's owning socket.
 */
#ifndef TTP_SESSION_ANCHOR_H
#define TTP_SESSION_ANCHOR_H

#include <stdbool.h>
#include <sys/types.h>

/* Start ttp-anchor (as _ttp) holding sock; 0 with its pid once it says
 * it is confined, or -1. */
int	spawn_anchor(int sock, pid_t *pid);
/* Is pid a live ttp-anchor of ours (its binary, uid _ttp, not a zombie)? */
bool	anchor_alive(pid_t pid);
/* End it, and so its anchor table; bounded wait. */
void	anchor_stop(pid_t pid);
/* End every ttp-anchor of this network namespace (recovery without a
 * usable lock); how many. */
int	anchor_stop_all(void);

#endif
