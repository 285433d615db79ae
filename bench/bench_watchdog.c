/*
 * bench_watchdog: how long a tampered firewall stays open. In a network
 * namespace where a ttp session and its watchdog run (bench/watchdog.sh
 * sets that up), it tampers with table inet ttp through libnftables, in
 * this process, and watches the nftables notifications for the
 * watchdog's answer: the first transaction committed by another process
 * after the tampering is the watchdog's FW_LOCKDOWN, the second its
 * repair (FW_APPLY). Times run from the return of the tampering commit to
 * the arrival of each answer's NEWGEN notification, i.e. from kernel
 * commit to kernel commit. The watchdog must run with --recur-window 0,
 * or it would (rightly) give up after the first repair.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "bench/stats.h"
#include "common/clock.h"
#include "common/log.h"
#include "nftev/nftev.h"

#define ANSWER_MS	2000	/* give up on one round after this */

struct foreign {
	double	*at;
	int	 want, got;
};

static void
on_msg(const struct nlmsghdr *nlh, int64_t pid, void *arg)
{
	struct foreign	*f = arg;

	(void)nlh;
	if (pid > 0 && (pid_t)pid != getpid() && f->got < f->want)
		f->at[f->got++] = clock_ms_exact();
}

/* Read notifications until `want` foreign transactions have committed;
 * their arrival times go to at[]. Returns how many arrived in time. */
static int
wait_foreign(int fd, int want, double *at)
{
	static char		 buf[64 * 1024];
	struct pollfd		 p = { .fd = fd, .events = POLLIN };
	struct foreign		 f = { at, want, 0 };
	double			 end = clock_ms_exact() + ANSWER_MS;
	ssize_t			 n;

	while (f.got < want && clock_ms_exact() < end) {
		if (poll(&p, 1, (int)(end - clock_ms_exact()) + 1) != 1)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			nftev_walk(buf, (size_t)n, on_msg, &f);
	}
	return f.got;
}

static void
drain(int fd)
{
	char	 buf[8192];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		const char	*cmd;
	} tampers[] = {
		{ "nft delete table inet ttp", "delete table inet ttp\n" },
		{ "nft insert rule ... filter_out accept",
		  "insert rule inet ttp filter_out accept\n" },
	};
	struct nft_ctx		*nft;
	double			*lock, *fix, at[2], t0;
	int			 n = argc > 1 ? atoi(argv[1]) : 20, fd;
	int			 i, k;

	log_init("bench_watchdog", LOG_FORMAT_TEXT, 0);
	if (n < 1 || n > 1000)
		fatalx("usage: bench_watchdog [rounds 1..1000]");
	if (getenv("TTP_BENCH_NETNS") == NULL)
		fatalx("run me through bench/run (a private network namespace)");
	lock = calloc((size_t)n, sizeof(*lock));
	fix = calloc((size_t)n, sizeof(*fix));
	if (lock == NULL || fix == NULL)
		fatal("calloc");
	if ((fd = nftev_open(0)) == -1)
		fatal("nftables notifications");
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL ||
	    nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0)
		fatalx("libnftables");

	for (k = 0; k < (int)(sizeof(tampers) / sizeof(tampers[0])); k++) {
		int	 nl = 0, nf = 0;

		for (i = 0; i < n; i++) {
			/* Settle: the previous repair and its echo. */
			usleep(100 * 1000);
			drain(fd);
			if (nft_run_cmd_from_buffer(nft, tampers[k].cmd) != 0)
				fatalx("%s: %s", tampers[k].name,
				    nft_ctx_get_error_buffer(nft));
			t0 = clock_ms_exact();
			switch (wait_foreign(fd, 2, at)) {
			case 2:
				fix[nf++] = at[1] - t0;
				/* FALLTHROUGH */
			case 1:
				lock[nl++] = at[0] - t0;
				break;
			default:
				break;
			}
		}
		printf("tampering: %s\n", tampers[k].name);
		stats_report("  time to lockdown (FW_LOCKDOWN committed)", lock, nl);
		stats_report("  time to repair (FW_APPLY committed)", fix, nf);
	}
	printf("baseline: the Python tool polled every 15 s, i.e. a gap of up "
	    "to 15000 ms (7500 ms on average); goal < 100 ms\n");
	nft_ctx_free(nft);
	free(lock);
	free(fix);
	return 0;
}
