/*
 * runs in: ttp-torctl (the allowlist it loads, and its Landlock paths).
 *
 * seccomp allowlist of ttp-torctl, loaded after it has connected to tor's
 * control socket, read the cookie and dropped to the unprivileged user:
 * from then on it only talks over that one socket, waits on it (and on
 * tor's pidfd, or the rotator's timerfd, created and armed before), and
 * prints lines. No open, no socket, no connect, no
 * exec. Found with strace -f of every command against a real tor.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include "common/sandbox.h"


static const struct sandbox_rule torctl_rules[] = {
	SB_ALLOW(brk, "malloc (reply lines)"),
	SB_ALLOW(clock_gettime, "deadlines (when the vDSO is not used)"),
	SB_ALLOW(close, "the control socket at the end"),
	SB_ALLOW(exit_group, "process ends"),
	SB_ALLOW_NOBITS(mmap, 2, PROT_EXEC,
	    "malloc of large replies; never executable"),
	SB_ALLOW(mremap, "realloc of large data blocks"),
	SB_ALLOW(munmap, "free of large replies"),
	SB_ALLOW(poll, "wait on the control socket and tor's pidfd"),
	SB_ALLOW(ppoll, "poll where libc implements it so"),
	SB_ALLOW(read, "the control socket; the rotator's timerfd ticks"),
	SB_ALLOW(restart_syscall, "a poll resumed after a stop (SIGSTOP, "
	    "SIGCONT): the rotator waits for hours"),
	SB_ALLOW_ARG(sendto, 3, MSG_NOSIGNAL, "commands, via send()"),
	SB_ALLOW_ARG(write, 0, 1, "stdout: the lines for the CLI"),
	SB_ALLOW_ARG(write, 0, 2, "stderr: log messages"),
#ifdef TTP_SANITIZE
	SB_ALLOW(sigaltstack, "ASan runtime at exit (sanitizer builds only)"),
#endif
};

const struct sandbox_policy sandbox_torctl = {
	"torctl", torctl_rules, sizeof(torctl_rules) / sizeof(torctl_rules[0])
};

/* Landlock: no path (the socket is connected and the cookie read, as root,
 * before it confines itself). */
const struct sandbox_fs_policy sandbox_fs_torctl = { "torctl", NULL, 0, 0 };
