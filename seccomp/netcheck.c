/*
 * runs in: ttp-netcheck (the allowlist it loads, and its Landlock paths).
 *
 * seccomp allowlist of ttp-netcheck: libcurl HTTP(S) GETs, glibc's stub
 * resolver in libcurl's resolver thread, and OpenSSL; nothing else. No
 * execve, no mount, no ptrace, no raw or packet sockets. Taken
 * from strace of tests/netns/test_netcheck.sh (names through a resolver,
 * IPv4 and IPv6, HTTPS, fallbacks, leak checks, on a host with a real
 * address), which fails if netcheck is ever killed by it.
 *
 * netcheck parses what an exit sends, so a compromise is assumed: it may
 * make threads but no new namespace of any kind (a user namespace would
 * give it every capability there, and nftables to drive: the usual door
 * to kernel bugs), no executable memory by mprotect, and netlink only to
 * read the host's addresses (NETLINK_ROUTE). clone3 answers ENOSYS, so
 * glibc falls back to clone, whose flags a filter can see.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
/* Every flag that makes a new namespace. */
#define CLONE_NEW_ANY	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	CLONE_NEWTIME)

#include "common/sandbox.h"

static const struct sandbox_rule netcheck_rules[] = {
	SB_ALLOW(bind, "getaddrinfo's netlink socket (AI_ADDRCONFIG)"),
	SB_ALLOW(brk, "malloc"),
	SB_ALLOW_NOBITS(clone, 0, CLONE_NEW_ANY,
	    "libcurl's resolver thread; no new namespaces"),
	SB_ERRNO(clone3, ENOSYS, "its flags are out of a filter's reach: "
	    "glibc falls back to clone"),
	SB_ALLOW(close, "sockets and files"),
	SB_ALLOW(connect, "to the check URL, the resolver, nscd's socket"),
	SB_ALLOW(exit, "resolver thread ends"),
	SB_ALLOW(exit_group, "process ends"),
	SB_ALLOW_ARG(fcntl, 1, F_GETFL, "non-blocking sockets"),
	SB_ALLOW_ARG(fcntl, 1, F_SETFL, "non-blocking sockets"),
	SB_ALLOW(futex, "threads, locks"),
	SB_ALLOW(getpeername, "libcurl connection info"),
	SB_ALLOW(getpid, "OpenSSL, resolver query ids"),
	SB_ALLOW(getrandom, "OpenSSL, resolver query ids"),
	SB_ALLOW(getsockname, "libcurl connection info"),
	SB_ALLOW(getsockopt, "SO_ERROR after a non-blocking connect"),
	SB_ALLOW_ARG(ioctl, 1, FIONREAD, "the resolver sizes an answer"),
	SB_ALLOW(lseek, "stdio on configuration files"),
	SB_ALLOW(madvise, "thread stacks released"),
	SB_ALLOW(mmap, "malloc, thread stacks; executable only for NSS "
	    "modules glibc may load for a name lookup (nsswitch.conf)"),
	SB_ALLOW_NOBITS(mprotect, 2, PROT_EXEC,
	    "thread stack guard pages; never executable"),
	SB_ALLOW(mremap, "realloc of large buffers"),
	SB_ALLOW(munmap, "free"),
	SB_ALLOW(newfstatat, "resolver configuration, CA files"),
	SB_ALLOW(openat, "resolv.conf, hosts, nsswitch.conf, CA bundle"),
	SB_ALLOW(poll, "libcurl and resolver waits"),
	SB_ALLOW(read, "sockets and files"),
	SB_ALLOW(recvfrom, "HTTP and DNS answers"),
	SB_ALLOW(recvmsg, "getaddrinfo reads the host's addresses (netlink)"),
	SB_ALLOW(rseq, "new threads register rseq"),
	SB_ALLOW(rt_sigaction, "libcurl ignores SIGPIPE around each send"),
	SB_ALLOW(rt_sigprocmask, "thread creation"),
	SB_ALLOW(sendmmsg, "the resolver sends A and AAAA together"),
	SB_ALLOW(sendto, "HTTP requests and DNS queries"),
	SB_ALLOW(set_robust_list, "new threads"),
	SB_ALLOW(setsockopt, "TCP_NODELAY, keepalive"),
	SB_ALLOW_ARG(socket, 0, AF_INET, "IPv4 connections"),
	SB_ALLOW_ARG(socket, 0, AF_INET6, "IPv6 connections"),
	SB_ALLOW_ARGS(socket, 0, AF_NETLINK, 2, NETLINK_ROUTE,
	    "getaddrinfo (AI_ADDRCONFIG) asks "
	    "which address families the host has"),
	SB_ALLOW_ARG(socket, 0, AF_UNIX, "glibc asks nscd before DNS"),
	SB_ALLOW_ARG(socketpair, 0, AF_UNIX, "libcurl's wakeup pair"),
	SB_ALLOW(uname, "glibc's resolver (getaddrinfo) asks the kernel"),
	SB_ALLOW(write, "stdout, stderr, sockets"),
};

const struct sandbox_policy sandbox_netcheck = {
	"netcheck", netcheck_rules,
	sizeof(netcheck_rules) / sizeof(netcheck_rules[0])
};

/*
 * Landlock: what glibc's resolver and OpenSSL's CA store read, read-only;
 * nothing is ever written (openssl.cnf is read before, by
 * curl_global_init; /etc/ssl/private is not reachable). netcheck adds, at run time, the directory of
 * the C library it runs with (where glibc finds the NSS modules that
 * nsswitch.conf names). TCP connect stays allowed (to any port a check
 * URL names; the firewall sends it through Tor), TCP bind does not.
 * Paths missing on a distribution are left out.
 */
static const struct sandbox_path netcheck_paths[] = {
	{ "/etc/resolv.conf", SB_FS_READ, "the resolver's configuration "
	    "(during a session, privd's overlay)" },
	{ "/etc/hosts", SB_FS_READ, "nsswitch's files source" },
	{ "/etc/host.conf", SB_FS_READ, "the resolver's options" },
	{ "/etc/nsswitch.conf", SB_FS_READ, "which sources name lookups use" },
	{ "/etc/gai.conf", SB_FS_READ, "getaddrinfo's address sorting" },
	{ "/etc/ld.so.cache", SB_FS_READ, "where an NSS module is" },
	{ "/etc/ssl/certs", SB_FS_READ | SB_FS_LIST,
	    "the CA bundle and hashed CA directory (Debian, Arch, SUSE)" },
	{ "/etc/ssl/ca-bundle.pem", SB_FS_READ, "the CA bundle (SUSE)" },
	{ "/etc/ssl/cert.pem", SB_FS_READ, "the CA bundle (Alpine, BSDs)" },
	{ "/usr/lib/ssl/certs", SB_FS_READ | SB_FS_LIST,
	    "OpenSSL's CA directory, where it is not a link to /etc/ssl" },
	{ "/usr/lib/ssl/cert.pem", SB_FS_READ, "OpenSSL's CA bundle" },
	{ "/usr/share/ca-certificates", SB_FS_READ,
	    "what /etc/ssl/certs links to" },
	{ "/usr/local/share/ca-certificates", SB_FS_READ,
	    "the local CAs /etc/ssl/certs links to" },
	{ "/etc/pki", SB_FS_READ | SB_FS_LIST, "the CA store (Fedora)" },
	{ "/etc/ca-certificates", SB_FS_READ | SB_FS_LIST,
	    "the CA store (Arch)" },
};

const struct sandbox_fs_policy sandbox_fs_netcheck = {
	"netcheck", netcheck_paths,
	sizeof(netcheck_paths) / sizeof(netcheck_paths[0]), 1
};
