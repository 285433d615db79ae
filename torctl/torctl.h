/*
 * The command-line contract of ttp-torctl, for the CLI that runs it:
 * exit codes and the words that start its stdout lines. One line per
 * fact, fields separated by one blank, the last field free text:
 *
 *   progress PCT TAG SUMMARY      bootstrap progressed (event or initial)
 *   problem PCT TAG RECOMMENDATION REASON WARNING
 *                                 tor reports a bootstrap problem
 *   done 100                      bootstrap finished (exit 0)
 *   ok                            newnym / shutdown succeeded (exit 0);
 *                                 rotate: connected and confined, the
 *                                 timer runs (then stdout is closed)
 *   KEY=VALUE                     getinfo, one-line value
 *   KEY+ / data lines / .         getinfo, multi-line value (dot-stuffed)
 *   error MESSAGE                 failure (exit 1, or 3 at the timeout)
 */
#ifndef TTP_TORCTL_H
#define TTP_TORCTL_H

#define TORCTL_EXIT_OK		0
#define TORCTL_EXIT_ERROR	1
#define TORCTL_EXIT_USAGE	2
#define TORCTL_EXIT_TIMEOUT	3

/* Default bound of each command, seconds (bootstrap: --bootstrap-timeout). */
#define TORCTL_DEF_TIMEOUT		30
#define TORCTL_DEF_BOOTSTRAP_TIMEOUT	180
/* rotate --every: at most a day (the CLI's --rotate takes 10 s to 24 h). */
#define TORCTL_MAX_EVERY		(24 * 3600)

#endif
