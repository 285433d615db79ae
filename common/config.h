/*
 * The configuration file (INI, parsed with inih): every path, port, user
 * and URL ttp uses, each with its default from common/defaults.h. The key
 * names are an interface (scripts and packagers rely on them); the
 * annotated list is ttp.conf.example at the top of the tree.
 */
#ifndef TTP_CONFIG_H
#define TTP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/defaults.h"

/* [tor] sandbox: whether the torrc asks for tor's own seccomp sandbox. */
enum ttp_tor_sandbox {
	TTP_TOR_SANDBOX_AUTO,	/* on unless tor refuses it with our options */
	TTP_TOR_SANDBOX_ON,	/* always; tor's refusal is an error */
	TTP_TOR_SANDBOX_OFF
};

struct ttp_config {
	char		 file[TTP_CONF_PATH_MAX];	/* "" = built-in defaults */

	/* [tor] */
	char		 tor_user[TTP_CONF_USER_MAX];
	char		 tor_binary[TTP_CONF_PATH_MAX];
	char		 torrc_append[TTP_CONF_PATH_MAX];	/* "" = none */
	char		 data_dir[TTP_CONF_PATH_MAX];
	uint16_t	 transport_port;
	uint16_t	 dns_port;
	enum ttp_tor_sandbox tor_sandbox;

	/* [paths] */
	char		 run_dir[TTP_CONF_PATH_MAX];
	char		 tor_run_dir[TTP_CONF_PATH_MAX];
	char		 state_dir[TTP_CONF_PATH_MAX];

	/* [check] */
	char		 ip_urls[TTP_MAX_IP_URLS][TTP_CONF_URL_MAX];
	size_t		 n_ip_urls;
	char		 latency_url[TTP_CONF_URL_MAX];
	char		 leak_ipv4_url[TTP_CONF_URL_MAX];
	char		 leak_ipv6_url[TTP_CONF_URL_MAX];
};

/* Fill `cfg` with the built-in defaults. */
void	config_defaults(struct ttp_config *cfg);

/*
 * Load the configuration: from `path` when given, else from $TTP_CONFIG,
 * else from TTP_DEFAULT_CONFIG. Only a missing DEFAULT file means "use the
 * defaults"; a file named by `path` or $TTP_CONFIG must exist. When the
 * caller is root the file must be owned by root and not writable by group
 * or others (it names what root creates and what tor executes). On error
 * returns -1 with a one-line message "FILE:LINE: what" in err.
 */
int	config_load(const char *path, struct ttp_config *cfg, char *err,
	    size_t errsz);

/*
 * The keys the parser knows, in the order of its table: for key i (below
 * config_key_count()), its section and name, and its value in cfg written
 * as the file would say it. 0, or -1 when i is past the end or the value
 * does not fit. `ttp completion table` prints them with the built-in
 * defaults; ttp.conf(5) documents each (man/ttp.conf.5.scd).
 */
size_t	config_key_count(void);
int	config_key(size_t i, const struct ttp_config *cfg,
	    const char **section, const char **name, char *value,
	    size_t valuesz);

/* Paths derived from tor_run_dir / run_dir ("<dir>/<name>"). */
int	config_tor_path(const struct ttp_config *cfg, const char *name,
	    char *buf, size_t bufsz);
int	config_run_path(const struct ttp_config *cfg, const char *name,
	    char *buf, size_t bufsz);
int	config_state_path(const struct ttp_config *cfg, const char *name,
	    char *buf, size_t bufsz);

/*
 * When running as root, a file that decides what root or tor does must be
 * a regular file owned by root and not writable by group or others.
 * Returns 0, or -1 with a message in err. Always 0 when not root.
 */
int	config_file_trusted(int fd, const char *path, char *err, size_t errsz);

#endif
