/*
 * The anchor, from the CLI: a copy of the session's filter chains in a
 * table owned by one netlink socket (no other process can change or
 * delete it), kept alive by ttp-anchor holding that socket.
 */
#ifndef TTP_CLI_ANCHOR_H
#define TTP_CLI_ANCHOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "ipc/privop.h"

/* FW_ANCHOR for these options, then ttp-anchor to hold it; its pid. */
int	anchor_create(const struct privop_fw_apply *a, pid_t *pid);
/* Is pid a live ttp-anchor of ours (argv[0], uid _ttp, not a zombie)? */
bool	anchor_alive(pid_t pid);
/* End it, and so its anchor table; bounded wait. */
void	anchor_stop(pid_t pid);
/* End every ttp-anchor of this network namespace (recovery without a
 * usable lock); how many. */
int	anchor_stop_all(void);

#endif
