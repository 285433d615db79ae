/*
 * runs in: the CLI's parsing worker (the allowlist it loads, and its
 *   Landlock paths).
 *
 * seccomp allowlist of the CLI's parsing worker (cli/privsep.c): it reads
 * a helper's output from a pipe, prints to the user's terminal and writes
 * one result line to its parent. No sockets, no files opened, no exec.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "common/sandbox.h"

static const struct sandbox_rule cli_rules[] = {
	SB_ALLOW(brk, "malloc (jansson, stdio buffers)"),
	SB_ALLOW(close, "fclose of the pipes"),
	SB_ALLOW(exit, "thread-less exit path"),
	SB_ALLOW(exit_group, "_exit with the parse result"),
	SB_ALLOW_ARG(fcntl, 1, F_GETFL, "fdopen() checks the pipe's mode"),
	SB_ALLOW(fstat, "stdio buffers"),
	SB_ALLOW(getpid, "sanitizer and libc internals"),
	SB_ALLOW_ARG(ioctl, 1, TCGETS, "isatty(): colour and progress bar"),
	SB_ALLOW(lseek, "stdio on a pipe probes its position"),
	SB_ALLOW_NOBITS(mmap, 2, PROT_EXEC,
	    "malloc of large blocks; never executable"),
	SB_ALLOW(munmap, "free of large blocks"),
	SB_ALLOW(newfstatat, "stdio buffers (fstat through fstatat)"),
	SB_ALLOW(read, "the helper's output"),
	SB_ALLOW(rt_sigreturn, "return from a signal handler"),
	SB_ALLOW(write, "the user's terminal and the result pipe"),
};

const struct sandbox_policy sandbox_cli = {
	"cli", cli_rules, sizeof(cli_rules) / sizeof(cli_rules[0])
};

/* Landlock: no path (its input and output are descriptors it was given). */
const struct sandbox_fs_policy sandbox_fs_cli = { "cli", NULL, 0, 0 };
