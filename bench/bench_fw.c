/*
 * bench_fw: time FW_APPLY from request to reply through a real ttp-privd,
 * next to the same ruleset applied the way the Python tool did it (one
 * `nft -f rules_file` process). Must run as root inside a network namespace
 * of its own (bench/run does `unshare --net`); it refuses otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/stats.h"
#include "common/clock.h"
#include "common/log.h"
#include "ipc/privop.h"
#include "privd/privd.h"
#include "tests/unit/fw_fixture.h"

static int
run_nft_file(const char *path)
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == 0) {
		execlp("nft", "nft", "-f", path, (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct privop_fw_apply	 a;
	struct privop_reply	 rep;
	char			 rules[RULESET_MAX], tmpl[] = "/tmp/ttpbenchXXXXXX";
	char			 rundir[] = "/tmp/ttpbenchrunXXXXXX";
	double			*t;
	int			 n = argc > 1 ? atoi(argv[1]) : 50, i, fd, pid;
	int			 len;

	log_init("bench_fw", LOG_FORMAT_TEXT, 0);
	if (n < 3 || n > 10000)
		fatalx("usage: bench_fw [iterations 3..10000]");
	if (getenv("TTP_BENCH_NETNS") == NULL)
		fatalx("run me through bench/run (a private network namespace)");
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL)
		fatal("calloc");

	a = fixture_fw_apply();

	/* ttp: FW_APPLY through a real privd, request to reply. */
	if (mkdtemp(rundir) == NULL)
		fatal("mkdtemp");
	if ((fd = privop_spawn(rundir, NULL, &pid)) == -1)
		fatalx("cannot start ttp-privd");
	for (i = 0; i < n; i++) {
		double	 t0 = clock_ms_exact();

		if (privop_fw_apply(fd, &a, &rep) == -1)
			fatalx("FW_APPLY failed: %s", rep.msg);
		t[i] = clock_ms_exact() - t0;
	}
	stats_report("ttp FW_APPLY (privd, libnftables, 1 txn)", t, n);
	(void)privop_fw_remove(fd, &rep);
	close(fd);
	(void)waitpid(pid, NULL, 0);
	rmdir(rundir);

	/* The earlier tool's way: the same ruleset in a file, `nft -f file`. */
	if ((len = ruleset_render_session(&a, rules, sizeof(rules))) < 0)
		fatalx("render failed");
	if ((fd = mkstemp(tmpl)) == -1 || write(fd, rules, (size_t)len) != len)
		fatal("write %s", tmpl);
	close(fd);
	for (i = 0; i < n; i++) {
		double	 t0 = clock_ms_exact();

		if (run_nft_file(tmpl) == -1)
			fatalx("nft -f failed");
		t[i] = clock_ms_exact() - t0;
	}
	stats_report("earlier tool: nft -f rules_file (1 process)", t, n);
	unlink(tmpl);
	free(t);
	return 0;
}
