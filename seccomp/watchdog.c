/*
 * runs in: the watchdog's guard (the allowlist it loads, and its Landlock
 *   paths).
 *
 * seccomp allowlist of the watchdog's guard (watchdog/guard.c), loaded
 * after it has received every descriptor it will ever use from the root
 * monitor (its privd socket, the monitor socket, the nftables and
 * rtnetlink subscriptions, /proc/self/mountinfo, inotify, tor's pidfd) and
 * dropped to the unprivileged user with no capabilities. From then on it
 * waits in poll(), reads what the kernel reports, talks to privd and the
 * monitor on their sockets, stats and reads resolv.conf, and writes log
 * lines. No socket, connect, bind, no write-open, no exec, no kill, no
 * fork. Found with strace -f of the netns test (every event and repair).
 * Sorted by name, one syscall a line with the reason.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "common/sandbox.h"

static const struct sandbox_rule watchdog_rules[] = {
	SB_ALLOW(brk, "malloc (libc internals)"),
	SB_ALLOW(clock_gettime, "monotonic deadlines (when the vDSO is not "
	    "used)"),
	SB_ALLOW(close, "resolv.conf after reading; tor's old pidfd"),
	SB_ALLOW(exit_group, "_exit when the monitor is gone"),
	SB_ALLOW(getpid, "the pid in session-log lines"),
#ifdef TTP_SANITIZE
	SB_ALLOW(madvise, "sanitizer builds only: ASan's allocator"),
#endif
#ifdef TTP_SANITIZE
	SB_ALLOW(mmap, "sanitizer builds only: ASan maps shadow and "
	    "allocator memory with other protections"),
#else
	SB_ALLOW_ARG(mmap, 2, PROT_READ | PROT_WRITE,
	    "malloc of large blocks; never executable memory"),
#endif
	SB_ALLOW(munmap, "free of large blocks"),
	SB_ALLOW(newfstatat, "stat of /etc/resolv.conf and the overlay file"),
	SB_ALLOW_ARG(openat, 2, O_RDONLY | O_CLOEXEC,
	    "read /etc/resolv.conf: read-only opens only"),
	SB_ALLOW(poll, "wait for events"),
	SB_ALLOW(ppoll, "poll where libc implements it so"),
	SB_ALLOW(read, "inotify events, resolv.conf"),
	SB_ALLOW(recvfrom, "netlink notifications; privd and monitor replies"),
	SB_ALLOW(recvmsg, "privd's FW_ANCHOR reply, with the anchor's socket; "
	    "the monitor's replies, with the new process's pidfd"),
	SB_ALLOW(restart_syscall, "resume a wait after SIGSTOP/SIGCONT"),
	SB_ALLOW_ARG(sendmsg, 2, MSG_NOSIGNAL, "the new anchor's socket to the "
	    "monitor (SCM_RIGHTS)"),
	SB_ALLOW_ARG(sendto, 3, MSG_NOSIGNAL, "requests to privd and the "
	    "monitor, via send()"),
#ifdef TTP_SANITIZE
	SB_ALLOW(sigaltstack, "sanitizer builds only: ASan checks its stack "
	    "before every noreturn call"),
#endif
	SB_ALLOW(write, "log lines: stderr and the session log"),
};

const struct sandbox_policy sandbox_watchdog = {
	"watchdog", watchdog_rules,
	sizeof(watchdog_rules) / sizeof(watchdog_rules[0])
};

/*
 * Landlock: no path of its own. With the resolv.conf check, the guard adds
 * privd's overlay file (<run_dir>/resolv.conf), read-only, at run time: a
 * rule on that file's inode, so /etc/resolv.conf opens while the overlay
 * is what it resolves to, and fails (EACCES) when anything else is, which
 * the check reports as the fault it is.
 */
const struct sandbox_fs_policy sandbox_fs_watchdog = {
	"watchdog", NULL, 0, 0
};
