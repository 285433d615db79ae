/*
 * Bridge lines (--bridge, --bridge-file): validation before
 * anything reaches the torrc, and the pluggable-transport programs they
 * need. A bridge line is "[transport] IP:port [fingerprint] [key=value...]";
 * a bad one is refused with its line number.
 */
#ifndef TTP_BRIDGES_H
#define TTP_BRIDGES_H

#include <stddef.h>

#include "common/defaults.h"

enum pt_transport {
	PT_VANILLA,	/* a plain bridge: no transport, no program */
	PT_OBFS4,
	PT_MEEK_LITE,
	PT_SNOWFLAKE,
	PT_WEBTUNNEL,
	PT_COUNT
};

#define BRIDGE_LINE_MAX	1024

struct bridge {
	enum pt_transport	 transport;
	/* Normalised: what follows "Bridge " in the torrc. */
	char			 line[BRIDGE_LINE_MAX];
};

struct bridge_list {
	struct bridge	 v[TTP_MAX_BRIDGES];
	size_t		 n;
};

/*
 * Validate one bridge line (without the "Bridge" keyword). Returns 0, or
 * -1 with what is wrong in `why` (no line number).
 */
int	bridge_parse(const char *text, struct bridge *b, char *why,
	    size_t whysz);

/*
 * Validate and append one line; an optional leading "Bridge" keyword is
 * accepted. Errors read "[origin: ]bridge line N: what is wrong"; origin
 * is a file name or NULL (the N-th --bridge option).
 */
int	bridges_add(struct bridge_list *l, const char *text,
	    const char *origin, int lineno, char *err, size_t errsz);

/*
 * Append every line of a bridge file: blank lines and '#' comments are
 * skipped, line numbers in errors are the file's.
 */
int	bridges_load_file(struct bridge_list *l, const char *path, char *err,
	    size_t errsz);

/* Bitmask (1 << PT_x) of the transports the list uses. */
unsigned	bridges_transports(const struct bridge_list *l);

const char	*pt_name(enum pt_transport t);
/* The program a transport needs (obfs4proxy, snowflake-client), or NULL. */
const char	*pt_program(enum pt_transport t);

/*
 * Find the program of every transport the list uses, in TTP_SAFE_PATH;
 * with `install`, install a missing one through the package manager
 * (saying so). pt_path[t] receives the absolute path, "" when unused.
 */
int	bridges_find_programs(const struct bridge_list *l, int install,
	    char pt_path[PT_COUNT][TTP_CONF_PATH_MAX], char *err,
	    size_t errsz);

#endif
