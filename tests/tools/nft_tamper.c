/*
 * nft_tamper: tamper with nftables and time the answer, for the watchdog
 * tests (tests/netns/test_watchdog.sh). Run inside the test's network
 * namespace. It subscribes to nftables notifications, runs one nft
 * command through libnftables (one transaction), then waits for
 * transactions committed by other processes (the watchdog's privd):
 *
 *   nft_tamper [-a ANSWERS] [-t MS] 'delete table inet ttp'
 *
 * prints "tamper SEC.USEC" (CLOCK_REALTIME, as tcpdump -tt stamps
 * packets, right after the commit returned) and one "answer SEC.USEC PID
 * +MS" line per answer. Exit 0 when ANSWERS (default 1) came within MS
 * (default 2000) milliseconds, 1 when not, 2 on a usage or nft error.
 * With -a 0 it only tampers.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "nftev/nftev.h"

static double
now_real(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct answers {
	double	 t0;
	int	 want, got;
};

/* One line per commit of another process, up to `want`. */
static void
on_msg(const struct nlmsghdr *nlh, int64_t pid, void *arg)
{
	struct answers	*a = arg;
	double		 t;

	(void)nlh;
	if (pid <= 0 || (pid_t)pid == getpid() || a->got >= a->want)
		return;
	t = now_real();
	printf("answer %.6f %u +%.2f\n", t, (unsigned)pid, (t - a->t0) * 1e3);
	a->got++;
}

int
main(int argc, char *argv[])
{
	static char		 buf[64 * 1024];
	struct pollfd		 p;
	struct nft_ctx		*nft;
	struct answers		 a = { 0, 1, 0 };
	double			 end, t;
	int			 ch, ms = 2000, fd;

	while ((ch = getopt(argc, argv, "a:t:")) != -1) {
		if (ch == 'a')
			a.want = atoi(optarg);
		else if (ch == 't')
			ms = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || a.want < 0 || ms < 1) {
		fprintf(stderr, "usage: nft_tamper [-a N] [-t MS] COMMAND\n");
		return 2;
	}
	if ((fd = nftev_open(0)) == -1) {
		perror("nft_tamper: nftables notifications");
		return 2;
	}
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return 2;
	if (nft_run_cmd_from_buffer(nft, argv[optind]) != 0)
		return 2;
	a.t0 = now_real();
	printf("tamper %.6f\n", a.t0);
	fflush(stdout);
	end = a.t0 + ms / 1e3;
	p.fd = fd;
	p.events = POLLIN;
	while (a.got < a.want && (t = now_real()) < end) {
		ssize_t	 n;

		if (poll(&p, 1, (int)((end - t) * 1e3) + 1) == 1 &&
		    (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			nftev_walk(buf, (size_t)n, on_msg, &a);
	}
	nft_ctx_free(nft);
	return a.got == a.want ? 0 : 1;
}
