/*
 * seccomp_count: how many syscalls each allowlist (seccomp/) permits, one
 * "role count" line each, counted by sandbox_syscalls() as the tests count
 * them. seccomp_count reads the tables as this build has them;
 * seccomp_count_san as sanitizer builds have them. scripts/figures.sh
 * prints both, for SECURITY.md.
 */
#include <stdio.h>

#include "common/sandbox.h"

int
main(void)
{
	const struct sandbox_policy *const	*p;

	for (p = sandbox_policies; *p != NULL; p++)
		printf("%s %zu\n", (*p)->name, sandbox_syscalls(*p));
	return ferror(stdout) || fflush(stdout) != 0;
}
