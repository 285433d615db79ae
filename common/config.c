/*
 * runs in: ttp, ttp-torctl and the watchdog, before they drop any right.
 *
 * Loading the configuration file; see config.h. inih does the INI syntax;
 * this file owns the key table, the values' validation and the error
 * messages. inih reads through our line reader so that every message can
 * name its line: the reader counts lines, refuses over-long ones (inih
 * would silently split them), strips " #" comments (inih knows only " ;"),
 * and checks section names, which inih does not report for an empty
 * section. Every key is checked where it is read: a root process acts on
 * these values (creates and chowns directories, runs tor).
 */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum ckind {
	CK_USER,	/* a user name */
	CK_PATH,	/* an absolute path */
	CK_OPT_PATH,	/* an absolute path, or empty for none */
	CK_SOCK_DIR,	/* an absolute path short enough for a socket in it */
	CK_BINARY,	/* an absolute path, or a bare name for TTP_SAFE_PATH */
	CK_PORT,
	CK_URL,
	CK_URLS,	/* URLs separated by blanks; may continue on indented lines */
	CK_SANDBOX	/* auto, 1, 0 */
};

struct ckey {
	const char	*section;
	const char	*name;
	enum ckind	 kind;
	size_t		 off;
	size_t		 size;
};

#define KEY(sec, name, kind, field)					\
	{ sec, name, kind, offsetof(struct ttp_config, field),		\
	    sizeof(((struct ttp_config *)0)->field) }

static const struct ckey ckeys[] = {
	KEY("tor", "user", CK_USER, tor_user),
	KEY("tor", "binary", CK_BINARY, tor_binary),
	KEY("tor", "torrc_append", CK_OPT_PATH, torrc_append),
	KEY("tor", "data_dir", CK_PATH, data_dir),
	KEY("tor", "transport_port", CK_PORT, transport_port),
	KEY("tor", "dns_port", CK_PORT, dns_port),
	KEY("tor", "sandbox", CK_SANDBOX, tor_sandbox),
	KEY("paths", "run_dir", CK_PATH, run_dir),
	KEY("paths", "tor_run_dir", CK_SOCK_DIR, tor_run_dir),
	KEY("paths", "state_dir", CK_PATH, state_dir),
	KEY("check", "ip_urls", CK_URLS, ip_urls),
	KEY("check", "latency_url", CK_URL, latency_url),
	KEY("check", "leak_ipv4_url", CK_URL, leak_ipv4_url),
	KEY("check", "leak_ipv6_url", CK_URL, leak_ipv6_url),
};
#define NCKEYS	(sizeof(ckeys) / sizeof(ckeys[0]))

static const char *const csections[] = { "tor", "paths", "check" };

struct cparse {
	struct ttp_config	*cfg;
	const char		*file;
	FILE			*fp;
	int			 lineno;
	int			 cont;		/* line is indented */
	int			 last;		/* key of the line above, or -1 */
	int			 err_line;	/* first error we found, 0 = none */
	char			 err[256];
	unsigned char		 seen[NCKEYS];
};

static int __attribute__((format(printf, 2, 3)))
cfail(struct cparse *cp, const char *fmt, ...)
{
	va_list	 ap;

	if (cp->err_line != 0)
		return 0;
	cp->err_line = cp->lineno;
	va_start(ap, fmt);
	vsnprintf(cp->err, sizeof(cp->err), fmt, ap);
	va_end(ap);
	return 0;
}

static int
has_blank_or_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return 1;
	return 0;
}

static int
copy_str(struct cparse *cp, const char *name, char *dst, size_t dstsz,
    const char *v)
{
	if (strlen(v) >= dstsz)
		return cfail(cp, "value of '%s' is too long (at most %zu "
		    "characters)", name, dstsz - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 1;
}

static int
check_path(struct cparse *cp, const char *name, const char *v)
{
	if (v[0] != '/')
		return cfail(cp, "'%s' must be an absolute path: '%s'", name,
		    v);
	if (has_blank_or_ctl(v))
		return cfail(cp, "'%s' must not contain blanks or control "
		    "characters", name);
	return 1;
}

static int
check_url(struct cparse *cp, const char *name, const char *v)
{
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
		return cfail(cp, "'%s': not an http(s) URL: '%s'", name, v);
	if (has_blank_or_ctl(v))
		return cfail(cp, "'%s' must not contain control characters",
		    name);
	return 1;
}

static int
set_user(struct cparse *cp, const struct ckey *k, char *dst, const char *v)
{
	const char	*s;

	/* The portable user-name set (POSIX), as useradd accepts it. */
	for (s = v; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			break;
	if (*s != '\0' || v[0] == '-')
		return cfail(cp, "'%s': not a user name: '%s'", k->name, v);
	return copy_str(cp, k->name, dst, k->size, v);
}

static int
set_port(struct cparse *cp, const struct ckey *k, uint16_t *dst,
    const char *v)
{
	unsigned long	 n;
	char		*end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 ||
	    n < 1 || n > 65535)
		return cfail(cp, "bad port for '%s': '%s' (1-65535)", k->name,
		    v);
	*dst = (uint16_t)n;
	return 1;
}

static int
set_urls(struct cparse *cp, const struct ckey *k, const char *v)
{
	struct ttp_config	*cfg = cp->cfg;
	char			 buf[1024], *tok, *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return cfail(cp, "value of '%s' is too long", k->name);
	memcpy(buf, v, strlen(v) + 1);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (!check_url(cp, k->name, tok))
			return 0;
		if (cfg->n_ip_urls == TTP_MAX_IP_URLS)
			return cfail(cp, "'%s': more than %d URLs", k->name,
			    TTP_MAX_IP_URLS);
		if (!copy_str(cp, k->name, cfg->ip_urls[cfg->n_ip_urls],
		    sizeof(cfg->ip_urls[0]), tok))
			return 0;
		cfg->n_ip_urls++;
	}
	return 1;
}

static int
set_value(struct cparse *cp, const struct ckey *k, const char *v)
{
	char		*dst = (char *)cp->cfg + k->off;
	struct sockaddr_un sun;

	if (*v == '\0' && k->kind != CK_OPT_PATH && k->kind != CK_URLS)
		return cfail(cp, "'%s' needs a value", k->name);
	switch (k->kind) {
	case CK_USER:
		return set_user(cp, k, dst, v);
	case CK_OPT_PATH:
		if (*v == '\0') {
			dst[0] = '\0';
			return 1;
		}
		return check_path(cp, k->name, v) &&
		    copy_str(cp, k->name, dst, k->size, v);
	case CK_PATH:
		return check_path(cp, k->name, v) &&
		    copy_str(cp, k->name, dst, k->size, v);
	case CK_SOCK_DIR:
		/* tor's control socket is created inside it. */
		if (strlen(v) + 1 + strlen(TTP_CONTROL_SOCK_NAME) >=
		    sizeof(sun.sun_path))
			return cfail(cp, "'%s' is too long for a socket path "
			    "(at most %zu characters)", k->name,
			    sizeof(sun.sun_path) - 2 -
			    strlen(TTP_CONTROL_SOCK_NAME));
		return check_path(cp, k->name, v) &&
		    copy_str(cp, k->name, dst, k->size, v);
	case CK_BINARY:
		if (strchr(v, '/') != NULL && !check_path(cp, k->name, v))
			return 0;
		if (has_blank_or_ctl(v))
			return cfail(cp, "'%s' must not contain blanks",
			    k->name);
		return copy_str(cp, k->name, dst, k->size, v);
	case CK_PORT:
		return set_port(cp, k, (uint16_t *)(void *)dst, v);
	case CK_URL:
		return check_url(cp, k->name, v) &&
		    copy_str(cp, k->name, dst, k->size, v);
	case CK_URLS:
		return set_urls(cp, k, v);
	case CK_SANDBOX:
		if (strcmp(v, "auto") == 0)
			cp->cfg->tor_sandbox = TTP_TOR_SANDBOX_AUTO;
		else if (strcmp(v, "1") == 0)
			cp->cfg->tor_sandbox = TTP_TOR_SANDBOX_ON;
		else if (strcmp(v, "0") == 0)
			cp->cfg->tor_sandbox = TTP_TOR_SANDBOX_OFF;
		else
			return cfail(cp, "'%s' must be auto, 1 or 0: '%s'",
			    k->name, v);
		return 1;
	}
	return cfail(cp, "internal error: key kind");
}

static int
chandler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cparse	*cp = user;
	size_t		 i;

	if (cp->err_line != 0)
		return 0;
	if (*section == '\0')
		return cfail(cp, "key '%s' outside of any [section]", name);
	for (i = 0; i < NCKEYS; i++)
		if (strcmp(ckeys[i].section, section) == 0 &&
		    strcmp(ckeys[i].name, name) == 0)
			break;
	if (i == NCKEYS)
		return cfail(cp, "unknown key '%s' in section [%s]", name,
		    section);
	if (cp->cont && cp->last == (int)i) {
		/* inih joins an indented line to the key above it. */
		if (ckeys[i].kind != CK_URLS)
			return cfail(cp, "indented line continues the value "
			    "of '%s'; remove the indentation", name);
		return set_urls(cp, &ckeys[i], value);
	}
	cp->last = (int)i;
	if (cp->seen[i])
		return cfail(cp, "duplicate key '%s' in section [%s]", name,
		    section);
	cp->seen[i] = 1;
	if (ckeys[i].kind == CK_URLS) {
		cp->cfg->n_ip_urls = 0;
		if (!set_urls(cp, &ckeys[i], value))
			return 0;
		if (cp->cfg->n_ip_urls == 0)
			return cfail(cp, "'%s' needs at least one URL", name);
		return 1;
	}
	return set_value(cp, &ckeys[i], value);
}

/* Check a "[name]" line; inih never tells about a section with no keys. */
static void
check_section(struct cparse *cp, const char *line)
{
	const char	*end;
	size_t		 i, len;

	if ((end = strchr(line, ']')) == NULL)
		return;		/* inih reports the malformed line */
	len = (size_t)(end - line - 1);
	for (i = 0; i < sizeof(csections) / sizeof(csections[0]); i++)
		if (strlen(csections[i]) == len &&
		    strncmp(line + 1, csections[i], len) == 0)
			return;
	cfail(cp, "unknown section [%.*s]", (int)len, line + 1);
}

static char *
creader(char *str, int num, void *stream)
{
	struct cparse	*cp = stream;
	size_t		 len, i;
	const char	*s;

	if (cp->err_line != 0 || fgets(str, num, cp->fp) == NULL)
		return NULL;
	cp->lineno++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(cp->fp)) {
		cfail(cp, "line too long (at most %d characters)", num - 3);
		return NULL;
	}
	/* A '#' after a blank starts a comment, as ';' does for inih. */
	for (i = 1; i < len; i++)
		if (str[i] == '#' && (str[i - 1] == ' ' || str[i - 1] == '\t')) {
			str[i] = '\n';
			str[i + 1] = '\0';
			break;
		}
	for (s = str; *s == ' ' || *s == '\t'; s++)
		;
	cp->cont = s != str && *s != '\0' && *s != '\n' && *s != '\r' &&
	    *s != ';' && *s != '#';
	if (*s == '[') {
		cp->last = -1;
		check_section(cp, s);
	}
	if (cp->err_line != 0)
		return NULL;
	return str;
}

void
config_defaults(struct ttp_config *cfg)
{
	char	 urls[] = TTP_DEF_IP_URLS, *tok, *save = NULL;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->tor_user, sizeof(cfg->tor_user), "%s", TTP_DEF_TOR_USER);
	snprintf(cfg->tor_binary, sizeof(cfg->tor_binary), "%s",
	    TTP_DEF_TOR_BINARY);
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", TTP_DEF_DATA_DIR);
	cfg->transport_port = TTP_DEF_TRANS_PORT;
	cfg->dns_port = TTP_DEF_DNS_PORT;
	cfg->tor_sandbox = TTP_TOR_SANDBOX_AUTO;
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", TTP_DEF_RUN_DIR);
	snprintf(cfg->tor_run_dir, sizeof(cfg->tor_run_dir), "%s",
	    TTP_DEF_TOR_RUN_DIR);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s",
	    TTP_DEF_STATE_DIR);
	for (tok = strtok_r(urls, " ", &save);
	    tok != NULL && cfg->n_ip_urls < TTP_MAX_IP_URLS;
	    tok = strtok_r(NULL, " ", &save))
		snprintf(cfg->ip_urls[cfg->n_ip_urls++],
		    sizeof(cfg->ip_urls[0]), "%s", tok);
	snprintf(cfg->latency_url, sizeof(cfg->latency_url), "%s",
	    TTP_DEF_LATENCY_URL);
	snprintf(cfg->leak_ipv4_url, sizeof(cfg->leak_ipv4_url), "%s",
	    TTP_DEF_LEAK4_URL);
	snprintf(cfg->leak_ipv6_url, sizeof(cfg->leak_ipv6_url), "%s",
	    TTP_DEF_LEAK6_URL);
}

int
config_file_trusted(int fd, const char *path, char *err, size_t errsz)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		return -1;
	}
	if (geteuid() == 0 &&
	    (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
		snprintf(err, errsz, "%s: must be owned by root and not "
		    "writable by group or others (chown root; chmod go-w)",
		    path);
		return -1;
	}
	return 0;
}

int
config_load(const char *path, struct ttp_config *cfg, char *err,
    size_t errsz)
{
	struct cparse	 cp;
	const char	*file = path;
	int		 explicit = 1, rc;

	config_defaults(cfg);
	if (file == NULL || *file == '\0')
		file = secure_getenv("TTP_CONFIG");
	if (file == NULL || *file == '\0') {
		file = TTP_DEFAULT_CONFIG;
		explicit = 0;
	}
	if (strlen(file) >= sizeof(cfg->file)) {
		snprintf(err, errsz, "%s: path too long", file);
		return -1;
	}
	memset(&cp, 0, sizeof(cp));
	cp.cfg = cfg;
	cp.file = file;
	cp.last = -1;
	if ((cp.fp = fopen(file, "re")) == NULL) {
		if (errno == ENOENT && !explicit)
			return 0;	/* no file at the default path */
		snprintf(err, errsz, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (config_file_trusted(fileno(cp.fp), file, err, errsz) == -1) {
		fclose(cp.fp);
		return -1;
	}
	rc = ini_parse_stream(creader, &cp, chandler, &cp);
	if (rc == 0 && ferror(cp.fp)) {
		snprintf(err, errsz, "%s: read error", file);
		rc = -1;
	}
	fclose(cp.fp);
	/* inih returns the first bad line; ours may come later or earlier. */
	if (rc > 0 && (cp.err_line == 0 || rc < cp.err_line)) {
		snprintf(err, errsz, "%s:%d: malformed line (expected "
		    "[section] or key = value)", file, rc);
		return -1;
	}
	if (cp.err_line != 0) {
		snprintf(err, errsz, "%s:%d: %s", file, cp.err_line, cp.err);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s: cannot parse (inih error %d)", file,
		    rc);
		return -1;
	}
	memcpy(cfg->file, file, strlen(file) + 1);
	return 0;
}

size_t
config_key_count(void)
{
	return NCKEYS;
}

int
config_key(size_t i, const struct ttp_config *cfg, const char **section,
    const char **name, char *value, size_t valuesz)
{
	const struct ckey	*k = &ckeys[i < NCKEYS ? i : 0];
	const char		*v = (const char *)cfg + k->off;
	size_t			 u, n = 0;
	int			 w = 0;

	if (i >= NCKEYS || valuesz == 0)
		return -1;
	*section = k->section;
	*name = k->name;
	value[0] = '\0';
	switch (k->kind) {
	case CK_PORT:
		w = snprintf(value, valuesz, "%u",
		    (unsigned)*(const uint16_t *)(const void *)v);
		break;
	case CK_URLS:
		for (u = 0; u < cfg->n_ip_urls; u++) {
			w = snprintf(value + n, valuesz - n, "%s%s", u ? " " : "",
			    cfg->ip_urls[u]);
			if (w < 0 || (size_t)w >= valuesz - n)
				return -1;
			n += (size_t)w;
		}
		return 0;
	case CK_SANDBOX:
		w = snprintf(value, valuesz, "%s", cfg->tor_sandbox ==
		    TTP_TOR_SANDBOX_ON ? "1" : cfg->tor_sandbox ==
		    TTP_TOR_SANDBOX_OFF ? "0" : "auto");
		break;
	default:
		w = snprintf(value, valuesz, "%s", v);
	}
	return w < 0 || (size_t)w >= valuesz ? -1 : 0;
}

static int
dir_path(const char *dir, const char *name, char *buf, size_t bufsz)
{
	int	 n;

	n = snprintf(buf, bufsz, "%s/%s", dir, name);
	return (n < 0 || (size_t)n >= bufsz) ? -1 : 0;
}

int
config_tor_path(const struct ttp_config *cfg, const char *name, char *buf,
    size_t bufsz)
{
	return dir_path(cfg->tor_run_dir, name, buf, bufsz);
}

int
config_run_path(const struct ttp_config *cfg, const char *name, char *buf,
    size_t bufsz)
{
	return dir_path(cfg->run_dir, name, buf, bufsz);
}

int
config_state_path(const struct ttp_config *cfg, const char *name, char *buf,
    size_t bufsz)
{
	return dir_path(cfg->state_dir, name, buf, bufsz);
}
