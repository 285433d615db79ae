/*
 * runs in: ttp-anchor (the allowlist it loads, and its Landlock paths).
 *
 * The seccomp allowlist of ttp-anchor, loaded once it is _ttp with no
 * capabilities. After saying it is ready it only sleeps: everything else,
 * including every syscall on the socket it holds, kills it.
 */
#include "common/sandbox.h"

static const struct sandbox_rule anchor_rules[] = {
	SB_ALLOW(close, "close the ready pipe and /dev/null, once"),
	SB_ALLOW(dup2, "stderr to /dev/null once ready"),
	SB_ALLOW(exit_group, "_exit when the ready pipe is gone"),
	SB_ALLOW(pause, "sleep until a signal ends the process"),
	SB_ALLOW(restart_syscall, "resume after SIGSTOP/SIGCONT"),
	SB_ALLOW(write, "the one ready byte; a fatal line before that"),
};

const struct sandbox_policy sandbox_anchor = {
	"anchor", anchor_rules, sizeof(anchor_rules) / sizeof(anchor_rules[0])
};

/* Landlock: no path at all (it has opened /dev/null already). */
const struct sandbox_fs_policy sandbox_fs_anchor = { "anchor", NULL, 0, 0 };
