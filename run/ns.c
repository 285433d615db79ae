/*
 * runs in: ttp run's child: the user (with every capability, but only
 *   inside its new user namespace) or, under sudo, root until pid 1 and
 *   the child drop to the user; CMD: the user, NO_NEW_PRIVS.
 *
 * The namespaces CMD lives in (docs/run.md). In order:
 *   1. unshare: user (unprivileged only; the user's own uid and gid
 *      mapped to themselves, setgroups denied), network, mount, pid;
 *   2. / made recursively private before any mount, so nothing done here
 *      can propagate to the host;
 *   3. lo up, `default dev lo src 127.0.0.1` for IPv4 only (IPv6 has no
 *      route: ENETUNREACH at once), the ruleset (run_ruleset()) loaded
 *      with libnftables: TCP redirected to the forwarder, DNS to its
 *      resolver, everything else refused at once (TCP to a private
 *      range or to one of the host's own addresses too, read before
 *      unshare, rather than sent to an exit). Without the ruleset
 *      the namespace still has only lo: fail-closed by construction;
 *   4. the TCP listener and the DNS socket, bound here, handed to the
 *      parent (SCM_RIGHTS), closed here;
 *   5. resolv.conf `nameserver 127.0.0.1` bound over /etc/resolv.conf's
 *      real path; systemd-resolved's and nscd's directories hidden under
 *      empty tmpfs;
 *   6. after the parent's go: pid 1 of the new pid namespace mounts a
 *      fresh /proc and /sys, forks CMD, reaps, and exits with CMD's
 *      status. PR_SET_PDEATHSIG chains parent -> child -> pid 1; when pid
 *      1 dies the kernel kills what is left in the namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <libmnl/libmnl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "run/run.h"

static const char ruleset[] =
"table inet ttp_run {\n"
"\tchain early {\n"
"\t\ttype filter hook output priority -200; policy accept;\n"
"\t\tip daddr " RUN_ONION_NET_STR " accept\n"
"\t\tip daddr { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 169.254.0.0/16, "
"172.16.0.0/12, 192.168.0.0/16, 224.0.0.0/3 } meta l4proto tcp "
"reject with tcp reset\n"
"\t}\n"
"\tchain nat {\n"
"\t\ttype nat hook output priority -100; policy accept;\n"
"\t\tip daddr 127.0.0.0/8 return\n"
"\t\tmeta nfproto ipv4 meta l4proto tcp redirect to :9040\n"
"\t\tmeta nfproto ipv4 udp dport 53 redirect to :53\n"
"\t}\n"
"\tchain out {\n"
"\t\ttype filter hook output priority 0; policy drop;\n"
"\t\tip daddr 127.0.0.0/8 accept\n"
"\t\tip6 daddr ::1 accept\n"
"\t\tmeta l4proto tcp reject with tcp reset\n"
"\t}\n"
"}\n";

const char *
run_ruleset(void)
{
	return ruleset;
}

static int	 csock = -1;
/* The host's own IPv4 addresses, read before leaving its namespace: a
 * connection to one is refused, never sent to an exit. */
static char	 host_rule[2048];

static void
host_addrs(void)
{
	struct ifaddrs	*ifa, *i;
	char		 a[INET_ADDRSTRLEN], set[1900] = "";
	size_t		 n = 0, len;
	const struct sockaddr_in *sin;

	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL && n < 64; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		sin = (const struct sockaddr_in *)(const void *)i->ifa_addr;
		if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127 ||
		    inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
			continue;
		len = strlen(set);
		if (len + strlen(a) + 3 >= sizeof(set))
			break;
		snprintf(set + len, sizeof(set) - len, "%s%s", n ? ", " : "",
		    a);
		n++;
	}
	freeifaddrs(ifa);
	if (n > 0)
		snprintf(host_rule, sizeof(host_rule), "add rule inet ttp_run "
		    "early ip daddr { %s } meta l4proto tcp reject with tcp "
		    "reset\n", set);
}

static void __attribute__((noreturn))
die(int err, const char *what)
{
	char	 m[256];
	int	 n;

	n = snprintf(m, sizeof(m), "E%d %s", err, what);
	if (csock != -1 && n > 0)
		(void)fdpass_send(csock, m, (size_t)n, -1);
	_exit(1);
}

/* PR_SET_PDEATHSIG, and dead already if the parent went before it. */
static void
deathsig(pid_t parent, int alive_fd)
{
	struct pollfd	 p;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(1);
	if (parent > 0 && getppid() != parent)
		_exit(1);
	if (alive_fd != -1) {
		p.fd = alive_fd;
		p.events = POLLIN;
		if (poll(&p, 1, 0) != 0)
			_exit(1);
	}
}

static int
write_file(const char *path, const char *text)
{
	int	 fd;
	ssize_t	 n;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void
userns_maps(uid_t uid, gid_t gid)
{
	char	 m[64];

	if (write_file("/proc/self/setgroups", "deny") == -1 && errno != ENOENT)
		die(errno, "setgroups deny");
	snprintf(m, sizeof(m), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", m) == -1)
		die(errno, "uid_map");
	snprintf(m, sizeof(m), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", m) == -1)
		die(errno, "gid_map");
}

/* One rtnetlink request, its ACK read. */
static int
nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char	 buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t	 n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq,
	    mnl_socket_get_portid(nl), NULL, NULL) < 0 ? -1 : 0;
}

static void
net_setup(void)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket	*nl;
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;
	struct rtmsg		*rtm;
	struct nft_ctx		*nft;
	unsigned int		 lo = if_nametoindex("lo");
	in_addr_t		 src = htonl(INADDR_LOOPBACK);

	if (lo == 0)
		die(errno, "no lo");
	if ((nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die(errno, "rtnetlink");
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)lo;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	if (nl_talk(nl, nlh) == -1)
		die(errno, "lo up");
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, lo);
	mnl_attr_put(nlh, RTA_PREFSRC, sizeof(src), &src);
	if (nl_talk(nl, nlh) == -1)
		die(errno, "default route on lo");
	mnl_socket_close(nl);

	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		die(ENOMEM, "libnftables");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	if (nft_run_cmd_from_buffer(nft, ruleset) != 0 ||
	    (host_rule[0] != '\0' &&
	    nft_run_cmd_from_buffer(nft, host_rule) != 0)) {
		const char *e = nft_ctx_get_error_buffer(nft);
		char	 m[200];

		snprintf(m, sizeof(m), "ruleset: %.150s", e ? e : "?");
		for (char *p = m; *p; p++)
			if (*p == '\n')
				*p = ' ';
		die(EPROTO, m);
	}
	nft_ctx_free(nft);
}

static int
bound(int type, uint16_t port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) ==
	    -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 128) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
hand_over(void)
{
	int	 t, u;

	if ((t = bound(SOCK_STREAM, RUN_TCP_PORT)) == -1)
		die(errno, "TCP listener");
	if ((u = bound(SOCK_DGRAM, RUN_DNS_PORT)) == -1)
		die(errno, "DNS socket");
	if (fdpass_send(csock, "T", 1, t) != 1 ||
	    fdpass_send(csock, "U", 1, u) != 1)
		die(errno, "handing the sockets over");
	close(t);
	close(u);
}

static const char resolv_text[] =
"# ttp run: names resolve through Tor (docs/run.md)\n"
"nameserver 127.0.0.1\n"
"options edns0 trust-ad\n";

static void
hide_dir(const char *path)
{
	struct stat	 st;

	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "mode=0755,size=64k") == -1)
		die(errno, path);
}

static void
files_setup(void)
{
	char		 real[PATH_MAX], tmp[] = "/tmp";
	bool		 have_real;
	int		 fd;
	struct stat	 st;

	have_real = realpath("/etc/resolv.conf", real) != NULL;
	hide_dir("/run/systemd/resolve");
	hide_dir("/run/nscd");
	hide_dir("/var/run/nscd");
	hide_dir("/var/db/nscd");
	if (!have_real)
		return;	/* none: the C library asks 127.0.0.1 anyway */
	if (stat(real, &st) == -1) {
		/* It was in a directory hidden above: make it there. */
		if ((fd = open(real, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0444)) == -1 ||
		    write(fd, resolv_text, sizeof(resolv_text) - 1) !=
		    (ssize_t)sizeof(resolv_text) - 1)
			die(errno, "resolv.conf");
		close(fd);
		return;
	}
	/* ttp's own files: a tmpfs mounted on /tmp only while the file is
	 * made and bound; the bind keeps it alive once /tmp is back. */
	if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "mode=0700,size=64k") == -1)
		die(errno, "tmpfs for ttp's files");
	if ((fd = open("/tmp/resolv.conf", O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, 0444)) == -1 ||
	    write(fd, resolv_text, sizeof(resolv_text) - 1) !=
	    (ssize_t)sizeof(resolv_text) - 1)
		die(errno, "resolv.conf");
	close(fd);
	if (mount("/tmp/resolv.conf", real, NULL, MS_BIND, NULL) == -1)
		die(errno, "bind resolv.conf");
	if (umount2(tmp, MNT_DETACH) == -1)
		die(errno, "umount tmpfs");
}

static void
drop_to(const struct run_target *w)
{
	int	 cap;

	/* The bounding set emptied while we may: CMD can never regain a
	 * capability, NO_NEW_PRIVS or not. */
	for (cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			die(errno, "emptying the bounding set");
	if (initgroups(w->name, w->gid) == -1 ||
	    setresgid(w->gid, w->gid, w->gid) == -1 ||
	    setresuid(w->uid, w->uid, w->uid) == -1)
		die(errno, "dropping to the user");
	if (setuid(0) != -1)
		die(EPERM, "root could be regained");
}

static volatile sig_atomic_t	 fwd_pid;

static void
forward(int sig)
{
	if (fwd_pid > 0)
		(void)kill((pid_t)fwd_pid, sig);
}

static void
signals_forward(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	/* The terminal sends these to CMD itself (same process group). */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGQUIT, &sa, NULL);
}

static int
status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

static void __attribute__((noreturn))
exec_cmd(const struct run_child *c)
{
	sigset_t	 none;
	int		 sig;

	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    dup2(c->stdout_fd, STDOUT_FILENO) == -1)
		_exit(126);
	(void)syscall(SYS_close_range, 3U, ~0U, 0);
	execvp(c->argv[0], c->argv);
	fprintf(stderr, "ttp run: %s: %s\n", c->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* pid 1 of CMD's pid namespace. */
static void __attribute__((noreturn))
pid1(const struct run_child *c, int alive_fd)
{
	pid_t	 pid, cmd;
	int	 st;

	deathsig(0, alive_fd);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL) == -1)
		die(errno, "mount /proc");
	/* Best effort: the kernel refuses sysfs where /sys is not fully
	 * visible; CMD then sees the host's (names only, nothing to reach). */
	(void)mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC |
	    MS_RDONLY, NULL);
	if (c->as_root) {
		drop_to(&c->who);
		deathsig(0, alive_fd);
	}
	close(csock);
	csock = -1;
	signals_forward();
	if ((cmd = fork()) == -1)
		_exit(1);
	if (cmd == 0) {
		close(alive_fd);
		exec_cmd(c);
	}
	fwd_pid = cmd;
	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid == -1)
			_exit(1);
		if (pid == cmd)
			_exit(status_code(st));
	}
}

void
run_child_main(const struct run_child *c)
{
	int	 flags = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID;
	int	 alive[2], st;
	char	 go;
	pid_t	 p1, pid;
	ssize_t	 n;

	csock = c->sock;
	deathsig(c->parent, -1);
	if (!c->as_root)
		flags |= CLONE_NEWUSER;
	host_addrs();
	if (unshare(flags) == -1)
		die(errno, c->as_root ? "unshare" : "unshare-user");
	if (!c->as_root)
		userns_maps(c->who.uid, c->who.gid);
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		die(errno, "making / private");
	net_setup();
	hand_over();
	files_setup();
	if (fdpass_send(csock, "R", 1, -1) != 1)
		_exit(1);
	do
		n = read(csock, &go, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		_exit(1);
	if (pipe2(alive, O_CLOEXEC) == -1)
		die(errno, "pipe");
	if ((p1 = fork()) == -1)
		die(errno, "fork");
	if (p1 == 0) {
		close(alive[1]);
		pid1(c, alive[0]);
	}
	close(alive[0]);
	close(csock);
	csock = -1;
	fwd_pid = p1;
	if (c->as_root) {
		drop_to(&c->who);
		deathsig(c->parent, -1);
	}
	signals_forward();
	for (;;) {
		pid = waitpid(p1, &st, 0);
		if (pid == -1 && errno == EINTR)
			continue;
		_exit(pid == p1 ? status_code(st) : 1);
	}
}
