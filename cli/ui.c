/*
 * runs in: ttp, root or any user.
 *
 * User-facing output of the CLI: short status lines on stdout, warnings
 * and errors on stderr, and the bootstrap progress bar. Colour is used
 * only when the stream is a terminal and NO_COLOR is not set.
 */
#include "cli/cli.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define C_GREEN	"\033[32m"
#define C_YEL	"\033[33m"
#define C_RED	"\033[31m"
#define C_OFF	"\033[0m"

static int	 progress_last = -1;
static bool	 progress_bar;

bool
ui_color(FILE *fp)
{
	const char	*term = getenv("TERM");

	if (getenv("NO_COLOR") != NULL)
		return false;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(fp)) == 1;
}

static void __attribute__((format(printf, 5, 0)))
ui_vline(FILE *fp, const char *color, const char *tag, const char *level,
    const char *fmt, va_list ap)
{
	bool	 c = ui_color(fp);
	char	 msg[1024];
	va_list	 copy;

	va_copy(copy, ap);
	log_vfile(fp == stderr ? "warning" : "info", fmt, copy);
	va_end(copy);
	/* --log-format json: what a script reads is JSON, line by line. */
	if (log_get_format() == LOG_FORMAT_JSON) {
		(void)vsnprintf(msg, sizeof(msg), fmt, ap);
		log_json(fp, level, msg);
		return;
	}
	if (tag != NULL)
		fprintf(fp, "%s%s%s ", c ? color : "", tag, c ? C_OFF : "");
	vfprintf(fp, fmt, ap);
	fputc('\n', fp);
	fflush(fp);
}

void
ui_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ui_vline(stdout, "", NULL, "info", fmt, ap);
	va_end(ap);
}

void
ui_good(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ui_vline(stdout, C_GREEN, "[ok]", "ok", fmt, ap);
	va_end(ap);
}

void
ui_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ui_vline(stderr, C_YEL, "warning:", "warning", fmt, ap);
	va_end(ap);
}

void
ui_bad(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ui_vline(stderr, C_RED, "error:", "error", fmt, ap);
	va_end(ap);
}

void
ui_progress(int pct, const char *summary)
{
	char	 bar[31];
	int	 i, fill;

	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	if (pct == progress_last)
		return;
	progress_last = pct;
	if (log_get_format() == LOG_FORMAT_JSON) {
		char	 msg[128];

		snprintf(msg, sizeof(msg), "bootstrap %d%% %s", pct, summary);
		log_json(stdout, "progress", msg);
		return;
	}
	if (!isatty(STDOUT_FILENO)) {
		printf("bootstrap %3d%% %s\n", pct, summary);
		fflush(stdout);
		return;
	}
	progress_bar = true;
	fill = pct * 30 / 100;
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	printf("\r\033[KTor bootstrap [%s] %3d%% %.40s", bar, pct, summary);
	fflush(stdout);
}

void
ui_progress_done(void)
{
	if (progress_bar)
		putchar('\n');
	progress_bar = false;
	progress_last = -1;
	fflush(stdout);
}
