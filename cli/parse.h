/*
 * Worker-side parsers of helper output and the parent-side check of the
 * one-line results they return; see parse.c.
 */
#ifndef TTP_CLI_PARSE_H
#define TTP_CLI_PARSE_H

#include <netinet/in.h>
#include <stdio.h>

/* arg: int* quiet (no progress output), or NULL. */
int	parse_bootstrap(FILE *in, FILE *result, void *arg);
int	parse_exit_check(FILE *in, FILE *result, void *arg);
/* A helper's one "ok" (the rotator: connected, confined, timer armed). */
int	parse_ready(FILE *in, FILE *result, void *arg);

struct exit_result {
	char	 ip[INET6_ADDRSTRLEN];
	int	 is_tor;		/* -1 unknown */
	int	 host_address;		/* the exit is one of our addresses */
};
/* Strict parse of parse_exit_check()'s line in the root parent. */
int	exit_result_parse(const char *res, struct exit_result *out);

#endif
