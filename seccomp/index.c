/*
 * runs in: no ttp process: the tests and tests/tools/seccomp_count (the
 *   figures of SECURITY.md) read the allowlists through it.
 *
 * Every allowlist, and the one way the syscalls it permits are counted:
 * each syscall once, however many argument filters it has.
 */
#include "common/sandbox.h"

const struct sandbox_policy *const sandbox_policies[] = {
	&sandbox_anchor, &sandbox_cli, &sandbox_netcheck, &sandbox_privd,
	&sandbox_torctl, &sandbox_watchdog, NULL
};

size_t
sandbox_syscalls(const struct sandbox_policy *p)
{
	size_t	 i, j, distinct = 0;

	for (i = 0; i < p->nrules; i++) {
		for (j = 0; j < i; j++)
			if (p->rules[j].nr == p->rules[i].nr)
				break;
		distinct += j == i;
	}
	return distinct;
}
