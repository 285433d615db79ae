/*
 * runs in: ttp (root, or any user for status).
 *
 * Identity rotation from the CLI's side (docs/rotation.md): `--rotate`'s
 * syntax, the schedule `ttp status` shows, and who a recorded rotator is.
 * The rotator itself is ttp-torctl's `rotate` command (torctl/main.c).
 */
#include "session/rotate.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/defaults.h"
#include "common/helper.h"
#include "common/log.h"
#include "session/proc.h"

#define ROTATOR_STOP_MS	2000

static int
bad(char *err, size_t errsz, const char *s, const char *why)
{
	snprintf(err, errsz, "--rotate: '%.64s' %s; give a period from 10s "
	    "to 24h, e.g. 90s, 10m, 1h or plain seconds", s, why);
	return -1;
}

int
rotate_parse(const char *s, unsigned *secs, char *err, size_t errsz)
{
	static const struct { char u; unsigned long mul; } units[] = {
		{ 'h', 3600 }, { 'm', 60 }, { 's', 1 },
	};
	const char	*p = s;
	unsigned long	 total = 0, n;
	size_t		 next = 0, i;
	char		*end;

	*secs = 0;
	if (*p == '\0')
		return bad(err, errsz, s, "is empty");
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			return bad(err, errsz, s, p != s &&
			    isalpha((unsigned char)*p) ? "has an unknown or "
			    "repeated unit (h, m, s, in that order)" :
			    "is not a period");
		errno = 0;
		n = strtoul(p, &end, 10);
		/* Beyond any bound: refused below without overflowing. */
		if (errno != 0 || n > ROTATE_MAX_SECS || end - p > 6)
			return bad(err, errsz, s, "is more than 24h");
		p = end;
		if (*p == '\0') {
			/* Plain seconds: the whole value, never a tail. */
			if (next != 0)
				return bad(err, errsz, s, "lacks a unit at "
				    "its end");
			total = n;
			break;
		}
		for (i = next; i < sizeof(units) / sizeof(units[0]); i++)
			if (*p == units[i].u)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return bad(err, errsz, s, isalpha((unsigned char)*p) ?
			    "has an unknown or repeated unit (h, m, s, in "
			    "that order)" : "is not a period");
		total += n * units[i].mul;
		next = i + 1;
		p++;
		if (total > ROTATE_MAX_SECS)
			break;
	}
	if (total > ROTATE_MAX_SECS)
		return bad(err, errsz, s, "is more than 24h");
	if (total < ROTATE_MIN_SECS)
		return bad(err, errsz, s, "is less than 10s, the shortest "
		    "interval at which tor makes new circuits (NEWNYM)");
	*secs = (unsigned)total;
	return 0;
}

void
rotate_format(long secs, char *buf, size_t bufsz)
{
	long	 h, m, s;
	size_t	 n = 0;

	if (secs < 0)
		secs = 0;
	h = secs / 3600;
	m = secs % 3600 / 60;
	s = secs % 60;
	buf[0] = '\0';
	if (h > 0)
		n += (size_t)snprintf(buf + n, bufsz - n, "%ldh", h);
	if (m > 0 || (h > 0 && s > 0))
		n += (size_t)snprintf(buf + n, n < bufsz ? bufsz - n : 0,
		    "%ldm", m);
	if (s > 0 || secs == 0)
		(void)snprintf(buf + n, n < bufsz ? bufsz - n : 0, "%lds", s);
}

long
rotate_next_in(time_t since, unsigned period, time_t now)
{
	long long	 r;

	if (period == 0)
		return 0;
	r = ((long long)now - (long long)since) % (long long)period;
	if (r < 0)
		r += period;
	return (long)(period - r);
}

static bool
has_arg(pid_t pid, const char *want)
{
	char	 buf[4096];
	ssize_t	 n, i;

	if ((n = proc_cmdline(pid, buf, sizeof(buf))) == -1)
		return false;
	for (i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		if (strcmp(buf + i, want) == 0)
			return true;
	return false;
}

bool
rotator_alive(pid_t pid)
{
	struct passwd	*pw;
	char		 exe[PATH_MAX];

	return pid > 0 && (pw = getpwnam(TTP_UNPRIV_USER)) != NULL &&
	    helper_path("ttp-torctl", exe, sizeof(exe)) == 0 &&
	    proc_is(pid, exe, pw->pw_uid) && has_arg(pid, "rotate");
}

void
rotator_stop(pid_t pid)
{
	if (proc_stop(pid, rotator_alive, SIGTERM, ROTATOR_STOP_MS,
	    "the rotator") == -1)
		log_warnx("the rotator (ttp-torctl rotate, pid %d) did not "
		    "exit", (int)pid);
}
