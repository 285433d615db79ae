/*
 * Every built-in constant of ttp lives here, once: default paths and ports
 * and their file names, Tor's virtual address ranges (shared by the torrc
 * generator and the ruleset, so the two can never disagree), and the exit
 * codes of the CLI.
 */
#ifndef TTP_DEFAULTS_H
#define TTP_DEFAULTS_H

/* Exit codes of every command (README, "Exit codes"). */
#define TTP_EXIT_OK		0
#define TTP_EXIT_ERROR		1
#define TTP_EXIT_NOROOT		2

/* Default paths; every one is a key of the config file. */
#define TTP_DEF_RUN_DIR		"/run/ttp"
#define TTP_DEF_TOR_RUN_DIR	"/run/tor/ttp"
#define TTP_DEF_DATA_DIR	"/var/lib/tor/ttp"
#define TTP_DEF_STATE_DIR	"/var/lib/ttp"	/* what outlives a reboot */
#define TTP_DEF_TOR_USER	"debian-tor"
#define TTP_DEF_RESOLV_CONF	"/etc/resolv.conf"
#define TTP_LOCK_NAME		"ttp.lock"
#define TTP_CMDLOCK_NAME	"ttp.cmd.lock"	/* one session command at once */
#define TTP_LOG_NAME		"ttp.log"
#define TTP_RESOLV_NAME		"resolv.conf"
#define TTP_LOG_MAX_BYTES	(1024 * 1024)

/* Fail-closed from boot (docs/boot.md): the `ttp start` options that
 * `ttp enable` recorded, one per line, in state_dir. */
#define TTP_BOOT_ARGS_NAME	"boot.args"
#define TTP_BOOT_MAX_ARGS	64
#define TTP_BOOT_ARG_MAX	1024	/* one option or value, a bridge line */
#define TTP_BOOT_NET_WAIT	120	/* seconds `ttp boot start` waits for
					   a route before starting anyway */

/* What ttp keeps in tor_run_dir and run_dir for its tor. */
#define TTP_TORRC_NAME		"torrc"
#define TTP_CONTROL_SOCK_NAME	"control.sock"
/* `ttp run`'s SOCKS listener in a session: <run_dir>/socks/socks.sock, the
 * directory the tor user's, 0755 (docs/run.md). */
#define TTP_SOCKS_DIR_NAME	"socks"
#define TTP_SOCKS_SOCK_NAME	"socks.sock"
#define TTP_COOKIE_NAME		"auth_cookie"
#define TTP_TOR_LOG_NAME	"tor.log"

/* The tor executable; a bare name is looked up in TTP_SAFE_PATH only. */
#define TTP_DEF_TOR_BINARY	"tor"
/* The only PATH a root ttp searches or hands to the programs it runs. */
#define TTP_SAFE_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Check endpoints; netcheck reaches them only through Tor. */
#define TTP_DEF_IP_URLS		"https://check.torproject.org/api/ip " \
				"https://api.ipify.org https://ifconfig.me/ip"
#define TTP_DEF_LATENCY_URL	"https://torproject.org"
#define TTP_DEF_LEAK4_URL	"https://api4.my-ip.io/ip"
#define TTP_DEF_LEAK6_URL	"https://api6.my-ip.io/ip"
#define TTP_MAX_IP_URLS		8

/* Sizes of the config's strings (ttp_config in common/config.h). */
#define TTP_CONF_PATH_MAX	256
#define TTP_CONF_URL_MAX	512
#define TTP_CONF_USER_MAX	32

/*
 * The dedicated system user the sandboxed processes run as, created by
 * scripts/install-user.sh. There is no fallback: an account other software
 * shares (nobody) could be exempted from Tor for that software's sake, and
 * with it ttp's own exit check.
 */
#define TTP_UNPRIV_USER		"_ttp"
#define TTP_SHARED_UID		65534	/* nobody: never ttp's helpers' */

/* Tor ports: non-standard to avoid a system tor's. */
#define TTP_DEF_TRANS_PORT	9041
#define TTP_DEF_DNS_PORT	9054
/*
 * When a configured port is taken, a free one is drawn at random from this
 * range (a moving target for whoever squats it), at most TTP_PORT_TRIES draws.
 */
#define TTP_PORT_RANDOM_MIN	20000
#define TTP_PORT_RANDOM_MAX	60999
#define TTP_PORT_TRIES		64

/* Largest number of bridge lines (--bridge and --bridge-file together). */
#define TTP_MAX_BRIDGES		64

/*
 * Tor's virtual address ranges (VirtualAddrNetworkIPv4/IPv6), used for
 * .onion and AutomapHostsOnResolve. The earlier tool's 10.192.0.0/10 lies inside
 * 10.0.0.0/8 and Tor's IPv6 default lies in fe80::/10, both LAN ranges that
 * the LAN bypass accepts. These do not: 100.64.0.0/10 is RFC 6598 shared
 * address space and 100::/64 is the RFC 6666 discard-only prefix; neither
 * is in the LAN sets of the ruleset, and the ruleset redirects them before
 * any LAN rule anyway.
 */
#define TTP_VIRT_NET4		"100.64.0.0/10"
#define TTP_VIRT_NET6		"100::/64"

/*
 * The session watchdog (cli/watchdog*.c): its state file in run_dir, the
 * period of its backstop check (events do the real work), and the window
 * within which a fault that recurs after its repair is not repaired again.
 */
#define TTP_WATCHDOG_STATE_NAME		"watchdog.json"
#define TTP_WATCHDOG_BACKSTOP_SECS	30
#define TTP_WATCHDOG_WINDOW_SECS	60

/* Largest number of --bypass-user / --bypass-group entries. */
#define TTP_MAX_BYPASS		16

/* Largest number of routers per address family the LAN bypass excludes
 * (the distinct gateways of the host's routes). */
#define TTP_MAX_ROUTERS		8

/*
 * Gateway mode (docs/gateway.md): at most this many --gateway interfaces,
 * each name shorter than IFNAMSIZ, and the ports tor listens on for the
 * hosts behind them (on 0.0.0.0 and [::], reachable only from those
 * interfaces).
 */
#define TTP_MAX_GATEWAYS	4
#define TTP_IFNAME_MAX		16	/* IFNAMSIZ, with the NUL */
#define TTP_DEF_GW_TRANS_PORT	9042
#define TTP_DEF_GW_DNS_PORT	9055

/*
 * --isolate-users (docs/gateway.md, "Per-user isolation"): at most this
 * many uids get a TransPort/DNSPort pair of their own, from
 * TTP_ISO_PORT_BASE up (uid i of the sorted list: base + 2i and
 * base + 2i + 1); one more pair after them serves every other uid.
 */
#define TTP_MAX_ISOLATE		128
#define TTP_ISO_PORT_BASE	9100

/*
 * The anchor: a copy of the session's filter chains in a table declared
 * `flags owner`, which no other netlink socket can change or delete (and
 * `nft flush ruleset` leaves in place). It lives as long as its socket, held
 * by ttp-anchor. Two slots, so that a new anchor exists before the old one
 * goes (restart).
 */
#define TTP_ANCHOR_TABLE	"ttp_anchor"
#define TTP_ANCHOR_SLOTS	2

/* privd makes the resolv.conf overlay read-only with exactly these flags
 * (<sys/mount.h>); its seccomp allowlist permits no other remount. */
#define DNS_REMOUNT_FLAGS \
	(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

#endif
