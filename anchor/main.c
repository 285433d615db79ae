/*
 * runs in: ttp-anchor, _ttp, no capabilities, Landlock (no path), seccomp
 *   (6 syscalls).
 *
 * ttp-anchor: holds the netlink socket that owns the anchor table (table
 * inet ttp_anchor<N>, `flags owner`), and nothing else, for as long as the
 * session runs. The kernel lets no other socket change or delete an owned
 * table, and deletes it when its owner's socket closes: this process is
 * the socket's keeper. It never reads, writes or sends on it; without
 * CAP_NET_ADMIN it could not change the table anyway.
 *
 * Started by the ttp CLI or the watchdog's monitor, already as _ttp with
 * no capabilities (spawn_anchor; one started as root drops to _ttp
 * itself), with the socket on fd 3 and a pipe on fd 4; it starts a
 * session of its own, becomes not dumpable, closes every other descriptor,
 * gives up opening any file (Landlock), loads an allowlist of six syscalls, says "ready" by writing one byte to
 * fd 4 and closing it, and then
 * sleeps until a signal ends it (`ttp stop`, or anyone who may kill it:
 * then the anchor goes and the session's own table still fails closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/log.h"
#include "common/sandbox.h"

#define ANCHOR_FD	3	/* the owning socket, from the CLI */
#define READY_FD	4	/* one byte once confined, then closed */

static int
is_nft_socket(int fd)
{
	socklen_t	 sl;
	int		 v;

	sl = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &sl) == -1 ||
	    v != AF_NETLINK)
		return 0;
	sl = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &sl) == 0 &&
	    v == NETLINK_NETFILTER;
}

int
main(int argc, char *argv[])
{
	int	 null;

	(void)argv;
	log_init("ttp-anchor", LOG_FORMAT_TEXT, 0);
	if (argc != 1)
		fatalx("usage: ttp-anchor (started by ttp, with the anchor's "
		    "socket on fd 3)");
	if (!is_nft_socket(ANCHOR_FD))
		fatalx("fd 3 is not an nftables netlink socket");
	if (fcntl(READY_FD, F_GETFD) == -1)
		fatalx("fd 4 is not open (started by ttp only)");
	/* Out of the terminal's session: Ctrl-C in the shell that ran `ttp
	 * start` must not end the anchor. */
	(void)setsid();
	if (sandbox_close_from(READY_FD + 1) == -1 ||
	    sandbox_drop_user(TTP_UNPRIV_USER) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatalx("cannot confine myself");
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1)
		fatal("/dev/null");
	if (sandbox_landlock(&sandbox_fs_anchor, NULL) == -1)
		fatalx("cannot restrict the files it may open (Landlock)");
	if (sandbox_seccomp(&sandbox_anchor) == -1)
		fatalx("cannot load the seccomp allowlist");
	/* Confined: tell the CLI, and from now on say nothing at all. */
	if (write(READY_FD, "1", 1) != 1)
		_exit(1);
	(void)dup2(null, STDERR_FILENO);
	(void)close(READY_FD);
	(void)close(null);
	for (;;)
		(void)pause();
}
