/*
 * Test driver for the tor supervision code (torctl/tor_proc.c, ports.c),
 * so the namespace tests start tor exactly the way the CLI will:
 *
 *   tor_tool CONFIG torrc            build + verify the torrc, print it
 *   tor_tool CONFIG start            build, verify, write, spawn; print pid
 *   tor_tool CONFIG ports [-6]       ports_choose(); print "TRANS DNS c c"
 *   tor_tool wait PID MS             tor_wait_exit(); print exited|running
 *   tor_tool terminate PID           tor_terminate(); print exited
 *   tor_tool ours PID TORRC          tor_is_ours(); print yes|no
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/config.h"
#include "common/log.h"
#include "tor/ports.h"
#include "tor/tor_proc.h"
#include "tor/torrc.h"

static char	 torrc[TORRC_MAX];

static int
build(const char *conf, struct ttp_config *cfg, char *err, size_t errsz)
{
	struct torrc_opts	 o;

	if (config_load(conf, cfg, err, errsz) == -1)
		return -1;
	torrc_opts_init(&o, cfg);
	o.ipv6 = 0;	/* a test namespace's lo has ::1, but keep it simple */
	return tor_build_torrc(cfg, &o, torrc, sizeof(torrc), err, errsz);
}

int
main(int argc, char *argv[])
{
	struct ttp_config	 cfg;
	struct port_choice	 pc;
	char			 err[1024];
	pid_t			 pid;
	int			 rc;

	log_init("tor_tool", LOG_FORMAT_TEXT, 1);
	if (argc == 4 && strcmp(argv[1], "wait") == 0) {
		rc = tor_wait_exit((pid_t)atoi(argv[2]), atoi(argv[3]));
		printf("%s\n", rc == 0 ? "exited" : rc == 1 ? "running" :
		    "error");
		return rc == 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "terminate") == 0) {
		rc = tor_terminate((pid_t)atoi(argv[2]), 5000);
		printf("%s\n", rc == 0 ? "exited" : "error");
		return rc == 0 ? 0 : 1;
	}
	if (argc == 4 && strcmp(argv[1], "ours") == 0) {
		rc = tor_is_ours((pid_t)atoi(argv[2]), argv[3]);
		printf("%s\n", rc ? "yes" : "no");
		return rc ? 0 : 1;
	}
	if (argc >= 3 && strcmp(argv[2], "ports") == 0) {
		if (config_load(argv[1], &cfg, err, sizeof(err)) == -1 ||
		    ports_choose(cfg.transport_port, cfg.dns_port,
		    argc > 3 && strcmp(argv[3], "-6") == 0, &pc, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "tor_tool: %s\n", err);
			return 1;
		}
		printf("%u %u %d %d\n", pc.trans_port, pc.dns_port,
		    pc.trans_changed, pc.dns_changed);
		return 0;
	}
	if (argc == 3 && strcmp(argv[2], "torrc") == 0) {
		if (build(argv[1], &cfg, err, sizeof(err)) == -1) {
			fprintf(stderr, "tor_tool: %s\n", err);
			return 1;
		}
		fputs(torrc, stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[2], "start") == 0) {
		char path[512];

		if (build(argv[1], &cfg, err, sizeof(err)) == -1 ||
		    tor_write_torrc(&cfg, torrc, path, sizeof(path), err,
		    sizeof(err)) == -1 ||
		    tor_spawn(&cfg, path, &pid, err, sizeof(err)) == -1) {
			fprintf(stderr, "tor_tool: %s\n", err);
			return 1;
		}
		printf("%ld\n", (long)pid);
		return 0;
	}
	fprintf(stderr, "usage: tor_tool CONFIG torrc|start|ports [-6]\n"
	    "       tor_tool wait PID MS | terminate PID | ours PID TORRC\n");
	return 2;
}
