/*
 * runs in: every ttp process.
 *
 * Logging for every ttp process: one line per message on stderr, as text
 * ("ttp-privd: message") or as one JSON object per line, optionally copied
 * to the session log file. Messages are formatted into a fixed buffer and
 * written with a single write(2) so lines from several processes sharing
 * stderr do not interleave.
 */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX	1024

static const char	*log_prog = "ttp";
static enum log_format	 log_fmt = LOG_FORMAT_TEXT;
static int		 log_verbose;
static FILE		*log_fp;
static int		 log_stderr = 1;

void
log_init(const char *progname, enum log_format fmt, int verbose)
{
	log_prog = progname;
	log_fmt = fmt;
	log_verbose = verbose;
}

void
log_set_file(FILE *fp)
{
	log_fp = fp;
}

void
log_set_stderr(int on)
{
	log_stderr = on;
}

void
log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

int
log_get_verbose(void)
{
	return log_verbose;
}

enum log_format
log_get_format(void)
{
	return log_fmt;
}

/* JSON string escaping for the message; enough for log text. */
static size_t
json_escape(char *dst, size_t dstsz, const char *src)
{
	size_t	 n = 0;

	for (; *src != '\0' && n + 7 < dstsz; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '"' || c == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(dst + n, dstsz - n, "\\u%04x", c);
		} else
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

static void
log_emit(const char *level, const char *msg)
{
	char	 line[LOG_LINE_MAX * 2 + 128], esc[LOG_LINE_MAX * 2];
	int	 n;

	if (log_fmt == LOG_FORMAT_JSON) {
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
		    "{\"time\":%lld,\"prog\":\"%s\",\"level\":\"%s\","
		    "\"msg\":\"%s\"}\n", (long long)time(NULL), log_prog,
		    level, esc);
	} else
		n = snprintf(line, sizeof(line), "%s: %s\n", log_prog, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (log_stderr || log_fp == NULL)
		(void)!write(STDERR_FILENO, line, (size_t)n);
	if (log_fp != NULL) {
		char	 ts[32];
		time_t	 now = time(NULL);
		struct tm tm;

		if (log_fmt == LOG_FORMAT_JSON)
			fputs(line, log_fp);
		else {
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S",
			    gmtime_r(&now, &tm));
			fprintf(log_fp, "%s %s[%ld] %s: %s\n", ts, log_prog,
			    (long)getpid(), level, msg);
		}
		fflush(log_fp);
	}
}

void
log_json(FILE *fp, const char *level, const char *msg)
{
	char	 esc[LOG_LINE_MAX * 2];

	json_escape(esc, sizeof(esc), msg);
	fprintf(fp, "{\"time\":%lld,\"prog\":\"%s\",\"level\":\"%s\","
	    "\"msg\":\"%s\"}\n", (long long)time(NULL), log_prog, level, esc);
	fflush(fp);
}

void
log_vfile(const char *level, const char *fmt, va_list ap)
{
	char		 msg[LOG_LINE_MAX], ts[32];
	time_t		 now = time(NULL);
	struct tm	 tm;

	if (log_fp == NULL)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_fmt == LOG_FORMAT_JSON) {
		log_json(log_fp, level, msg);
		return;
	}
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
	fprintf(log_fp, "%s %s[%ld] %s: %s\n", ts, log_prog, (long)getpid(),
	    level, msg);
	fflush(log_fp);
}

static void __attribute__((format(printf, 3, 0)))
log_vmsg(const char *level, int with_errno, const char *fmt, va_list ap)
{
	char	 msg[LOG_LINE_MAX];
	int	 saved = errno;
	size_t	 len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(saved));
	}
	log_emit(level, msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg("error", 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg("error", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg("info", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vmsg("debug", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg("fatal", 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg("fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
