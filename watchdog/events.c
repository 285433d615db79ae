/*
 * runs in: the watchdog: opened by its monitor while root, read by its
 *   guard (_ttp, no capabilities, seccomp).
 *
 * The watchdog's event sources: opened by the monitor while it is root
 * (subscribing to nftables notifications needs CAP_NET_ADMIN; the
 * subscription outlives the capability), read by the unprivileged guard. Each reader drains its
 * descriptor and only says whether something relevant happened; deciding
 * whether the session is still intact is the guard's business.
 *
 *   nftables  NETLINK_NETFILTER, group NFNLGRP_NFTABLES: one message per
 *             object a transaction changed, then NFT_MSG_NEWGEN carrying
 *             the pid of the process that committed it. A transaction that
 *             touched table inet ttp and was not committed by the
 *             watchdog's own privd is tampering, no question asked.
 *   links     NETLINK_ROUTE, group RTMGRP_LINK, plus one dump at start.
 *   resolv    inotify on the directories of /etc/resolv.conf, of its real
 *             path, and of the run directory; mount changes come through
 *             poll() on /proc/self/mountinfo (opened by the monitor).
 *
 * libmnl walks the netlink messages (nftev/ those of nftables); nothing
 * here allocates.
 */
#include "watchdog/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include "common/defaults.h"
#include "common/log.h"
#include "nftev/nftev.h"

/* Large enough that a burst of notifications (a whole ruleset deleted)
 * is not lost while the guard works; an overrun is still handled. */
#define WD_NL_RCVBUF	(4 * 1024 * 1024)
#define WD_MAX_LINKS	64
#ifndef IFF_LOWER_UP	/* linux/if.h, which clashes with net/if.h */
#define IFF_LOWER_UP	0x10000
#endif
#define WD_MAX_NAMES	2

static char	 nl_buf[64 * 1024];	/* one netlink datagram at a time */

/* ---- nftables ------------------------------------------------------- */

static bool	 batch_ttp;	/* this transaction touched inet ttp so far */

int
wd_nft_open(void)
{
	int	 fd, sz = WD_NL_RCVBUF;

	/* Joining the group needs CAP_NET_ADMIN: done here, as root. */
	if ((fd = nftev_open(SOCK_NONBLOCK)) == -1) {
		log_warn("cannot subscribe to nftables events");
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	return fd;
}

struct tbl_attr {
	const char	*name;
};

static int
table_attr_cb(const struct nlattr *a, void *data)
{
	struct tbl_attr	*t = data;

	/* Attribute 1 of every object message is its table's name
	 * (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, ...). */
	if (mnl_attr_get_type(a) == NFTA_TABLE_NAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		t->name = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static bool
touches_ttp(const struct nlmsghdr *nlh)
{
	const struct nfgenmsg	*g;
	struct tbl_attr		 t = { NULL };

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*g))
		return true;	/* malformed: look, do not guess */
	g = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*g), table_attr_cb, &t) < 0)
		return true;
	return g->nfgen_family == NFPROTO_INET && t.name != NULL &&
	    strcmp(t.name, "ttp") == 0;
}

static int
worse(int a, int b)
{
	/* WD_EV_NFT (tampering, known) beats WD_EV_NFT_UNKNOWN beats 0. */
	if (a == WD_EV_NFT || b == WD_EV_NFT)
		return WD_EV_NFT;
	return a ? a : b;
}

struct nft_scan {
	pid_t		 self;
	int32_t		*by_pid;
	int		 res;
};

static void
nft_msg(const struct nlmsghdr *nlh, int64_t pid, void *arg)
{
	struct nft_scan	*s = arg;

	if (pid == NFTEV_OBJECT) {
		if (touches_ttp(nlh))
			batch_ttp = true;
		return;
	}
	/* End of one transaction: whose was it? */
	if (batch_ttp) {
		if (pid == 0)
			s->res = worse(s->res, WD_EV_NFT_UNKNOWN);
		else if ((pid_t)pid != s->self) {
			s->res = WD_EV_NFT;
			*s->by_pid = (int32_t)pid;
		}
	}
	batch_ttp = false;
}

int
wd_nft_read(int fd, pid_t self, int32_t *by_pid)
{
	struct nft_scan	 s = { self, by_pid, 0 };

	for (;;) {
		ssize_t	 n = recv(fd, nl_buf, sizeof(nl_buf), MSG_DONTWAIT);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* ENOBUFS: notifications were lost. Whatever they
			 * said, the guard must look for itself. */
			batch_ttp = false;
			s.res = worse(s.res, WD_EV_NFT_UNKNOWN);
			if (errno == ENOBUFS)
				continue;
			log_warn("nftables events");
			break;
		}
		nftev_walk(nl_buf, (size_t)n, nft_msg, &s);
	}
	return s.res;
}

bool
wd_nft_pending(void)
{
	return batch_ttp;
}

void
wd_nft_forget(void)
{
	batch_ttp = false;
}

/* ---- links ---------------------------------------------------------- */

static struct {
	int	 index;
	bool	 up;
} links[WD_MAX_LINKS];
static int	 nlinks;

int
wd_rtnl_open(void)
{
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK,
	    .nl_groups = RTMGRP_LINK };
	int			 fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		log_warn("rtnetlink socket");
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
wd_rtnl_dump(int fd)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg		*rt;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	if (send(fd, nlh, nlh->nlmsg_len, 0) != (ssize_t)nlh->nlmsg_len) {
		log_warn("rtnetlink dump");
		return -1;
	}
	return 0;
}

static void
link_set(int index, bool present, bool up)
{
	int	 i;

	for (i = 0; i < nlinks; i++)
		if (links[i].index == index)
			break;
	if (!present) {
		if (i < nlinks)
			links[i] = links[--nlinks];
		return;
	}
	if (i == nlinks) {
		if (nlinks == WD_MAX_LINKS)
			return;
		nlinks++;
	}
	links[i].index = index;
	links[i].up = up;
}

int
wd_rtnl_read(int fd, unsigned link_if)
{
	const struct nlmsghdr	*nlh;
	const struct ifinfomsg	*ifi;
	int			 len, i, up = 0;

	for (;;) {
		ssize_t	 n = recv(fd, nl_buf, sizeof(nl_buf), MSG_DONTWAIT);

		if (n == -1) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl_buf;
		    mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if ((nlh->nlmsg_type != RTM_NEWLINK &&
			    nlh->nlmsg_type != RTM_DELLINK) ||
			    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi))
				continue;
			ifi = mnl_nlmsg_get_payload(nlh);
			/* Loopback is never "the link". */
			if (ifi->ifi_flags & IFF_LOOPBACK)
				continue;
			link_set(ifi->ifi_index, nlh->nlmsg_type == RTM_NEWLINK,
			    (ifi->ifi_flags & IFF_UP) &&
			    (ifi->ifi_flags & IFF_LOWER_UP));
		}
	}
	for (i = 0; i < nlinks; i++)
		if ((link_if == 0 || (unsigned)links[i].index == link_if) &&
		    links[i].up)
			up = 1;
	return up;
}

/* ---- resolv.conf ---------------------------------------------------- */

static char	 names[WD_MAX_NAMES][NAME_MAX + 1];
static int	 file_wd = -1;		/* privd's resolv.conf itself */

/* Entries only: a log line written in the same directory must not wake
 * the guard. */
#define DIR_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

static int
watch_dir_of(int fd, const char *path, int slot)
{
	char	 a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	snprintf(names[slot], sizeof(names[slot]), "%s", basename(a));
	if (inotify_add_watch(fd, dirname(b), DIR_MASK) == -1) {
		log_warn("inotify %s", path);
		return -1;
	}
	return 0;
}

int
wd_inotify_open(const char *run_dir)
{
	char		 real[PATH_MAX], ours[PATH_MAX];
	int		 fd;

	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("inotify");
		return -1;
	}
	/*
	 * The link /etc/resolv.conf (a network manager replaces it), the
	 * entry it resolves to, privd's file in the run directory, and that
	 * file's content (root could edit it in place: the overlay is
	 * read-only, its source is not). A file replaced since is caught by
	 * its directory's watch and by the backstop.
	 */
	snprintf(ours, sizeof(ours), "%s/%s", run_dir, TTP_RESOLV_NAME);
	if (watch_dir_of(fd, TTP_DEF_RESOLV_CONF, 0) == -1 ||
	    watch_dir_of(fd, ours, 0) == -1)
		goto fail;
	if (realpath(TTP_DEF_RESOLV_CONF, real) != NULL &&
	    watch_dir_of(fd, real, 1) == -1)
		goto fail;
	if ((file_wd = inotify_add_watch(fd, ours, IN_MODIFY | IN_ATTRIB |
	    IN_CLOSE_WRITE)) == -1)
		log_warn("inotify %s", ours);	/* not there yet: backstop */
	return fd;
fail:
	close(fd);
	return -1;
}

int
wd_inotify_read(int fd)
{
	const struct inotify_event	*ev;
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t				 off;
	int				 hit = 0, i;

	for (;;) {
		ssize_t	 n;

		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			if ((ev->mask & IN_Q_OVERFLOW) || ev->wd == file_wd)
				hit = 1;
			for (i = 0; ev->len > 0 && i < WD_MAX_NAMES; i++)
				if (names[i][0] != '\0' &&
				    strcmp(ev->name, names[i]) == 0)
					hit = 1;
		}
	}
	return hit;
}

/*
 * What every resolver reads must be privd's file: /etc/resolv.conf
 * (through any link) is the same inode as <run_dir>/resolv.conf, and it
 * names 127.0.0.1, and only it, as nameserver.
 */
bool
wd_resolv_intact(const char *overlay)
{
	struct stat	 a, b;
	char		 buf[4096], *line, *save, *v;
	ssize_t		 n;
	int		 fd, ok = 0, bad = 0;

	if ((fd = open(TTP_DEF_RESOLV_CONF, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	if (fstat(fd, &a) == -1 || stat(overlay, &b) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		return false;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (strncmp(line, "nameserver", 10) != 0)
			continue;
		v = line + 10;
		v += strspn(v, " \t");
		v[strcspn(v, " \t#;")] = '\0';
		if (strcmp(v, "127.0.0.1") == 0)
			ok++;
		else
			bad++;
	}
	return ok == 1 && bad == 0;
}
