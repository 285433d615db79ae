/*
 * bench_exec: time a command from fork to its end, N times, for the CLI
 * figures of bench/cli.sh (`ttp start` to the kill switch, `ttp stop`,
 * `ttp status`). An untimed shell command may run before each iteration
 * to put the host back in the state the timed one needs (e.g. a session
 * for `ttp stop`). The child can run as an ordinary user (-u) and with
 * extra environment (-e), so neither setpriv nor env adds an exec to what
 * is measured. Prints one line of key=value pairs: median, min and max in
 * milliseconds, and the largest peak resident size (ru_maxrss) of the
 * command itself, in KiB.
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

#include "common/log.h"

#define MAX_ENV	8

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: bench_exec [-n N] [-s SETUP] [-u UID] "
	    "[-e VAR=VALUE]... [-k] [-l LABEL] -- COMMAND [ARG]...\n"
	    "  -k  the command is expected to die by SIGKILL (the "
	    "TTP_TEST_CRASH_AT hook)\n");
	exit(2);
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
	double		*t;
	struct rusage	 ru;
	long		 maxrss = 0;
	uid_t		 uid = 0;
	pid_t		 pid;
	int		 n = 20, nenv = 0, killed = 0, ch, i, j, st;

	log_init("bench_exec", LOG_FORMAT_TEXT, 0);
	while ((ch = getopt(argc, argv, "n:s:u:e:kl:")) != -1) {
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
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL)
		fatal("calloc");

	for (i = 0; i < n; i++) {
		double	 t0;

		setup(setup_cmd);
		t0 = now_ms();
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
		while (wait4(pid, &st, 0, &ru) == -1)
			if (errno != EINTR)
				fatal("wait4");
		t[i] = now_ms() - t0;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (killed ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		    !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			fatalx("%s: run %d ended with status 0x%x, not %s",
			    label, i + 1, st, killed ? "SIGKILL" : "exit 0");
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("label=%s median_ms=%.2f min_ms=%.2f max_ms=%.2f n=%d "
	    "maxrss_kib=%ld\n", label, t[n / 2], t[0], t[n - 1], n, maxrss);
	free(t);
	return 0;
}
