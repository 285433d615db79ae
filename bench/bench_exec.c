/*
 * bench_exec: time a command from fork to its end, N times, for the CLI
 * figures of bench/cli.sh (`ttp start` to the kill switch, `ttp stop`,
 * `ttp status`). An untimed shell command may run before each iteration
 * to put the host back in the state the timed one needs (e.g. a session
 * for `ttp stop`). The child can run as an ordinary user (-u) and with
 * extra environment (-e), so neither setpriv nor env adds an exec to what
 * is measured. Prints one line of key=value pairs: median, min and max in
 * milliseconds, and the largest peak resident size (ru_maxrss) of the
 * command itself, in KiB. With -g it also times, from the same fork, the
 * first nftables transaction the kernel commits (NFT_MSG_NEWGEN on
 * NFNLGRP_NFTABLES): the moment a ruleset is in the kernel, whatever the
 * command does after it (kernel_median_ms ...).
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <poll.h>
#include <sys/socket.h>

#include "bench/stats.h"
#include "common/clock.h"
#include "common/log.h"
#include "nftev/nftev.h"

#define MAX_ENV	8

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: bench_exec [-n N] [-s SETUP] [-u UID] "
	    "[-e VAR=VALUE]... [-k] [-l LABEL] -- COMMAND [ARG]...\n"
	    "  -k  the command is expected to die by SIGKILL (the "
	    "TTP_TEST_CRASH_AT hook)\n"
	    "  -g  also time the first nftables commit (needs "
	    "CAP_NET_ADMIN)\n");
	exit(2);
}

/* A socket that hears every nftables commit of this network namespace. */
static int
gen_open(void)
{
	int	 fd;

	if ((fd = nftev_open(0)) == -1)
		fatal("nftables notifications (-g needs CAP_NET_ADMIN)");
	return fd;
}

/* Drop what is queued (the setup's commits). */
static void
gen_drain(int fd)
{
	char	 buf[65536];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void
on_msg(const struct nlmsghdr *nlh, int64_t pid, void *arg)
{
	(void)nlh;
	if (pid != NFTEV_OBJECT)
		*(int *)arg = 1;
}

/* Wait (at most 5 s) for the next NFT_MSG_NEWGEN; its arrival time, or -1. */
static double
gen_wait(int fd)
{
	char			 buf[65536];
	struct pollfd		 p = { .fd = fd, .events = POLLIN };
	double			 end = clock_ms_exact() + 5000;
	ssize_t			 n;
	int			 commit = 0;

	while (clock_ms_exact() < end) {
		if (poll(&p, 1, 100) <= 0 ||
		    (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) <= 0)
			continue;
		nftev_walk(buf, (size_t)n, on_msg, &commit);
		if (commit)
			return clock_ms_exact();
	}
	return -1;
}

/* sh -c SETUP, untimed; its failure ends the benchmark. */
static void
setup(const char *cmd)
{
	int	 st;

	if (cmd == NULL)
		return;
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fatalx("setup command failed: %s", cmd);
}

int
main(int argc, char *argv[])
{
	const char	*setup_cmd = NULL, *label = "command";
	char		*envs[MAX_ENV];
	double		*t, *tk = NULL, tg = 0;
	struct rusage	 ru;
	long		 maxrss = 0;
	uid_t		 uid = 0;
	pid_t		 pid;
	int		 n = 20, nenv = 0, killed = 0, gen = -1, ch, i, j, st;

	log_init("bench_exec", LOG_FORMAT_TEXT, 0);
	while ((ch = getopt(argc, argv, "n:s:u:e:kgl:")) != -1) {
		switch (ch) {
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			setup_cmd = optarg;
			break;
		case 'u':
			uid = (uid_t)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			if (nenv == MAX_ENV || strchr(optarg, '=') == NULL)
				usage();
			envs[nenv++] = optarg;
			break;
		case 'k':
			killed = 1;
			break;
		case 'g':
			gen = gen_open();
			break;
		case 'l':
			label = optarg;
			break;
		default:
			usage();
		}
	}
	argv += optind;
	if (argv[0] == NULL || n < 1 || n > 10000)
		usage();
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL ||
	    (tk = calloc((size_t)n, sizeof(*tk))) == NULL)
		fatal("calloc");

	for (i = 0; i < n; i++) {
		double	 t0;

		setup(setup_cmd);
		if (gen != -1)
			gen_drain(gen);
		t0 = clock_ms_exact();
		if ((pid = fork()) == -1)
			fatal("fork");
		if (pid == 0) {
			for (j = 0; j < nenv; j++)
				putenv(envs[j]);
			if (uid != 0 && (setgroups(0, NULL) == -1 ||
			    setgid((gid_t)uid) == -1 || setuid(uid) == -1))
				_exit(126);
			/* Its output is not part of the figure. */
			if (freopen("/dev/null", "w", stdout) == NULL ||
			    freopen("/dev/null", "w", stderr) == NULL)
				_exit(126);
			execvp(argv[0], argv);
			_exit(127);
		}
		if (gen != -1 && (tg = gen_wait(gen)) < 0)
			fatalx("%s: run %d committed no nftables transaction",
			    label, i + 1);
		while (wait4(pid, &st, 0, &ru) == -1)
			if (errno != EINTR)
				fatal("wait4");
		t[i] = clock_ms_exact() - t0;
		tk[i] = tg - t0;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (killed ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		    !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			fatalx("%s: run %d ended with status 0x%x, not %s",
			    label, i + 1, st, killed ? "SIGKILL" : "exit 0");
	}
	stats_sort(t, n);
	stats_sort(tk, n);
	printf("label=%s median_ms=%.2f min_ms=%.2f max_ms=%.2f n=%d "
	    "maxrss_kib=%ld", label, t[n / 2], t[0], t[n - 1], n, maxrss);
	if (gen != -1)
		printf(" kernel_median_ms=%.2f kernel_min_ms=%.2f "
		    "kernel_max_ms=%.2f", tk[n / 2], tk[0], tk[n - 1]);
	putchar('\n');
	free(t);
	free(tk);
	return 0;
}
