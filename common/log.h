/*
 * The one logging API of ttp, in the BSD manner: log_warn() appends
 * strerror(errno), log_warnx() does not; fatal()/fatalx() log and exit(1).
 * Library code never prints with fprintf(stderr, ...) directly.
 */
#ifndef TTP_LOG_H
#define TTP_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

void	log_init(const char *progname, enum log_format fmt, int verbose);
/* Also append every message to this file (the volatile session log). */
void	log_set_file(FILE *fp);
/* 0: with a log file set, write messages there only, not on stderr (a
 * daemon whose stderr is that same file). */
void	log_set_stderr(int on);
void	log_set_verbose(int verbose);
int	log_get_verbose(void);
enum log_format log_get_format(void);

/* One JSON line {"time","prog","level","msg"} on fp, as --log-format
 * json writes every message. */
void	log_json(FILE *fp, const char *level, const char *msg);
/* Only to the session log file (for what the CLI shows on stdout). */
void	log_vfile(const char *level, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
