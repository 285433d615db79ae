/*
 * runs in: the CLI's parsing worker, _ttp, no capabilities, seccomp.
 *
 * Parsers that run inside the unprivileged worker (privsep.c): they read
 * what ttp-torctl and ttp-netcheck print, show it to the user, and write
 * one short result line for the root parent:
 *   bootstrap:  "ok" | "error <text>"
 *   ready:      "ok" | "error <text>"   (the rotator, torctl's "ok")
 *   exit check: "ip <addr> <is_tor -1|0|1> <host 0|1>" | "fail <text>"
 */
#include "cli/parse.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* One line of at most sz-1 bytes; longer lines are cut (and counted as
 * read). Returns 0 at EOF. */
static int
read_line(FILE *in, char *buf, size_t sz)
{
	size_t	 n;
	int	 c;

	if (fgets(buf, (int)sz, in) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else
		while ((c = fgetc(in)) != EOF && c != '\n')
			;
	return 1;
}

int
parse_bootstrap(FILE *in, FILE *result, void *arg)
{
	char	 line[1024], tag[64], problem[sizeof(line)] = "";
	int	 pct, n, quiet = arg != NULL && *(int *)arg;

	while (read_line(in, line, sizeof(line))) {
		if (sscanf(line, "progress %d %63s %n", &pct, tag, &n) == 2) {
			if (!quiet)
				ui_progress(pct, line + n);
		} else if (strncmp(line, "problem ", 8) == 0) {
			/* Say each distinct problem once; tor repeats them. */
			if (strcmp(problem, line) != 0 && !quiet) {
				ui_progress_done();
				ui_warn("tor: %s", line + 8);
			}
			snprintf(problem, sizeof(problem), "%s", line);
		} else if (strcmp(line, "done 100") == 0) {
			if (!quiet) {
				ui_progress(100, "Done");
				ui_progress_done();
			}
			fprintf(result, "ok\n");
			return 0;
		} else if (strncmp(line, "error ", 6) == 0) {
			if (!quiet)
				ui_progress_done();
			fprintf(result, "error %.200s\n", line + 6);
			return 1;
		}
	}
	if (!quiet)
		ui_progress_done();
	fprintf(result, "error ttp-torctl ended without a result\n");
	return 1;
}

int
parse_ready(FILE *in, FILE *result, void *arg)
{
	char	 line[512];

	(void)arg;
	while (read_line(in, line, sizeof(line))) {
		if (strcmp(line, "ok") == 0) {
			fprintf(result, "ok\n");
			return 0;
		}
		if (strncmp(line, "error ", 6) == 0) {
			fprintf(result, "error %.200s\n", line + 6);
			return 1;
		}
	}
	fprintf(result, "error ttp-torctl ended without a result\n");
	return 1;
}

/* The "ip" / "check" answer of ttp-netcheck: one JSON object. */
int
parse_exit_check(FILE *in, FILE *result, void *arg)
{
	json_error_t	 jerr;
	json_t		*root, *v;
	const char	*ip;
	unsigned char	 bin[16];
	int		 is_tor = -1, host;

	(void)arg;
	root = json_loadf(in, JSON_DISABLE_EOF_CHECK, &jerr);
	if (root == NULL || !json_is_object(root)) {
		fprintf(result, "fail ttp-netcheck gave no answer\n");
		json_decref(root);
		return 1;
	}
	ip = json_string_value(json_object_get(root, "ip"));
	if (ip == NULL || (inet_pton(AF_INET, ip, bin) != 1 &&
	    inet_pton(AF_INET6, ip, bin) != 1)) {
		json_t	*errs = json_object_get(root, "errors"), *e;
		size_t	 i;

		json_array_foreach(errs, i, e)
			ui_warn("exit check: %s: %s",
			    json_string_value(json_object_get(e, "url")),
			    json_string_value(json_object_get(e, "error")));
		fprintf(result, "fail no check URL answered\n");
		json_decref(root);
		return 1;
	}
	v = json_object_get(root, "is_tor");
	if (json_is_boolean(v))
		is_tor = json_is_true(v);
	host = json_is_true(json_object_get(root, "host_address"));
	fprintf(result, "ip %s %d %d\n", ip, is_tor, host);
	json_decref(root);
	return 0;
}

int
exit_result_parse(const char *res, struct exit_result *out)
{
	unsigned char	 bin[16];

	memset(out, 0, sizeof(*out));
	if (sscanf(res, "ip %45s %d %d", out->ip, &out->is_tor,
	    &out->host_address) != 3)
		return -1;
	if (inet_pton(AF_INET, out->ip, bin) != 1 &&
	    inet_pton(AF_INET6, out->ip, bin) != 1)
		return -1;
	if (out->is_tor < -1 || out->is_tor > 1 || out->host_address < 0 ||
	    out->host_address > 1)
		return -1;
	return 0;
}
