/*
 * seccomp allowlist of ttp-netcheck: libcurl HTTP(S) GETs, glibc's stub
 * resolver (possibly in libcurl's resolver thread) and OpenSSL, nothing
 * else. No execve, no mount, no ptrace, no raw or packet sockets.
 */
#include <sys/socket.h>

#include "common/sandbox.h"

static const struct sandbox_rule netcheck_rules[] = {
	SB_ALLOW(brk, "malloc"),
	SB_ALLOW(clock_gettime, "timeouts (when the vDSO is not used)"),
	SB_ALLOW(clone, "libcurl's resolver thread (older glibc path)"),
	SB_ALLOW(clone3, "libcurl's resolver thread"),
	SB_ALLOW(close, "sockets and files"),
	SB_ALLOW(connect, "to the check URL, the resolver, nscd's socket"),
	SB_ALLOW(exit, "resolver thread ends"),
	SB_ALLOW(exit_group, "process ends"),
	SB_ALLOW(fcntl, "non-blocking sockets"),
	SB_ALLOW(fstat, "stdio, resolver configuration"),
	SB_ALLOW(futex, "threads, locks"),
	SB_ALLOW(getpeername, "libcurl connection info"),
	SB_ALLOW(getpid, "OpenSSL, resolver query ids"),
	SB_ALLOW(getrandom, "OpenSSL, resolver query ids"),
	SB_ALLOW(getsockname, "libcurl connection info"),
	SB_ALLOW(getsockopt, "SO_ERROR after a non-blocking connect"),
	SB_ALLOW(gettid, "threads"),
	SB_ALLOW(ioctl, "FIONREAD in the resolver"),
	SB_ALLOW(lseek, "stdio on configuration files"),
	SB_ALLOW(madvise, "thread stacks released"),
	SB_ALLOW(mmap, "malloc, thread stacks"),
	SB_ALLOW(mprotect, "thread stack guard pages"),
	SB_ALLOW(mremap, "realloc of large buffers"),
	SB_ALLOW(munmap, "free"),
	SB_ALLOW(newfstatat, "resolver configuration, CA files"),
	SB_ALLOW(openat, "resolv.conf, hosts, nsswitch.conf, CA bundle"),
	SB_ALLOW(poll, "libcurl and resolver waits"),
	SB_ALLOW(ppoll, "libcurl waits"),
	SB_ALLOW(read, "sockets and files"),
	SB_ALLOW(recvfrom, "HTTP and DNS answers"),
	SB_ALLOW(recvmsg, "DNS answers, netlink address query"),
	SB_ALLOW(rseq, "new threads register rseq"),
	SB_ALLOW(rt_sigaction, "libcurl ignores SIGPIPE around each send"),
	SB_ALLOW(rt_sigprocmask, "thread creation"),
	SB_ALLOW(sendmmsg, "the resolver sends A and AAAA together"),
	SB_ALLOW(sendmsg, "netlink address query of getaddrinfo"),
	SB_ALLOW(sendto, "HTTP requests and DNS queries"),
	SB_ALLOW(set_robust_list, "new threads"),
	SB_ALLOW(setsockopt, "TCP_NODELAY, keepalive"),
	SB_ALLOW_ARG(socket, 0, AF_INET, "IPv4 connections"),
	SB_ALLOW_ARG(socket, 0, AF_INET6, "IPv6 connections"),
	SB_ALLOW_ARG(socket, 0, AF_UNIX, "glibc asks nscd before DNS"),
	SB_ALLOW_ARG(socket, 0, AF_NETLINK, "getaddrinfo AI_ADDRCONFIG"),
	SB_ALLOW_ARG(socketpair, 0, AF_UNIX, "libcurl's wakeup pair"),
	SB_ALLOW(bind, "netlink socket of getaddrinfo"),
	SB_ALLOW(uname, "glibc's resolver (getaddrinfo) asks the kernel"),
	SB_ALLOW(write, "stdout, stderr, sockets"),
};

const struct sandbox_policy sandbox_netcheck = {
	"netcheck", netcheck_rules,
	sizeof(netcheck_rules) / sizeof(netcheck_rules[0])
};
