/*
 * runs in: ttp-privd (the allowlist it loads).
 *
 * The seccomp allowlist of ttp-privd, loaded after it has opened what it
 * needs and kept only CAP_NET_ADMIN and CAP_SYS_ADMIN. Any other syscall
 * kills the process. Sorted by name, one syscall a line with the reason;
 * found by strace of each handler's kernel operation (libnftables apply,
 * list and delete; libnetfilter_conntrack dump and flush; sock_diag dump
 * and SOCK_DESTROY; the resolv.conf bind mount, remount and unmount;
 * reading /proc/self/mountinfo; writing a small file) plus glibc's malloc
 * and stdio. Not here, on purpose: execve, fork/clone, ptrace, kill,
 * connect, accept, listen, chmod/chown, setuid, mprotect (no executable
 * memory), prctl, bpf, any socket but netlink.
 *
 * Lines under TTP_SANITIZE exist only in ASan/UBSan builds (never
 * installed), for what the sanitizer runtime itself calls after the
 * filter is loaded. LSan's exit-time leak check would need clone and
 * ptrace; instead privop_spawn() starts privd with detect_leaks=0.
 */
#include "common/defaults.h"
#include "common/sandbox.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

static const struct sandbox_rule privd_rules[] = {
	SB_ALLOW(bind, "netlink sockets: libmnl/libnfnetlink bind an address"),
	SB_ALLOW(brk, "glibc malloc: grow the heap"),
	SB_ALLOW(close, "close files and per-op netlink sockets"),
	SB_ALLOW(dup, "FW_ANCHOR: the copy of the anchor's socket handed over"),
	SB_ALLOW(exit_group, "exit when the peer closes, or on a bad frame"),
	SB_ALLOW(fchmod, "DNS_OVERLAY: privd's resolv.conf is 0644"),
	SB_ALLOW_ARG(fcntl, 1, F_SETFL,
	    "FW_ANCHOR: libnftables makes its new netlink socket non-blocking"),
	SB_ALLOW(getsockname, "netlink: learn the port id the kernel gave"),
	SB_ALLOW(getsockopt, "libnftables reads netlink buffer sizes"),
#ifdef TTP_SANITIZE
	SB_ALLOW(madvise, "sanitizer builds only: ASan's allocator marks "
	    "its blocks (MADV_DONTDUMP, MADV_NOHUGEPAGE)"),
#endif
	SB_ALLOW_ARG(mmap, 2, PROT_READ | PROT_WRITE,
	    "glibc malloc: large blocks; never executable memory"),
	SB_ALLOW_ARG(mount, 3, MS_BIND,
	    "DNS_OVERLAY: bind privd's resolv.conf over the real one"),
	SB_ALLOW_ARG(mount, 3, DNS_REMOUNT_FLAGS,
	    "DNS_OVERLAY: make that bind mount read-only"),
	SB_ALLOW(mremap, "glibc realloc of large (mmapped) blocks"),
	SB_ALLOW(munmap, "glibc free of large blocks"),
	SB_ALLOW(newfstatat, "fstat/stat: glibc stdio, realpath"),
	SB_ALLOW(openat, "read /proc/self/mountinfo; write privd's resolv.conf"),
	SB_ALLOW(pselect6, "libnftables polls its netlink socket (select)"),
	SB_ALLOW(read, "/proc/self/mountinfo"),
	SB_ALLOW(readlink, "realpath() of the run directory"),
	SB_ALLOW(readlinkat, "DNS: the root-owned symlinks on the way to "
	    "the real /etc/resolv.conf"),
	SB_ALLOW(recvfrom, "requests from the peer; netlink replies"),
	SB_ALLOW(recvmsg, "netlink replies (libmnl, libnfnetlink)"),
	SB_ALLOW(restart_syscall, "resume a timed wait after SIGSTOP/SIGCONT"),
	SB_ALLOW(sendmsg, "libnftables sends its netlink batch; replies "
	    "(FW_ANCHOR's with the anchor's socket, SCM_RIGHTS)"),
	SB_ALLOW(sendto, "replies to the peer; netlink requests"),
	SB_ALLOW_ARG(setsockopt, 1, SOL_SOCKET,
	    "libnftables sizes its netlink buffers (SO_SNDBUFFORCE)"),
	SB_ALLOW_ARG(setsockopt, 1, SOL_NETLINK,
	    "netlink options (extended ack) on netlink sockets"),
#ifdef TTP_SANITIZE
	SB_ALLOW(sigaltstack, "sanitizer builds only: ASan checks its "
	    "stack before every noreturn call"),
#endif
	SB_ALLOW_ARGS(socket, 0, AF_NETLINK, 2, NETLINK_NETFILTER,
	    "nftables and conntrack: netlink only, no network"),
	SB_ALLOW_ARGS(socket, 0, AF_NETLINK, 2, NETLINK_SOCK_DIAG,
	    "SOCK_KILL: sock_diag, to destroy redirected TCP sockets"),
	SB_ALLOW(statx, "DNS: which mount /etc/resolv.conf resolves to"),
	SB_ALLOW(umount2, "DNS_RESTORE: remove the layers privd mounted"),
	SB_ALLOW(write, "log lines on stderr; privd's resolv.conf"),
};

const struct sandbox_policy sandbox_privd = {
	"privd", privd_rules, sizeof(privd_rules) / sizeof(privd_rules[0])
};
