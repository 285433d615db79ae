/*
 * Finding ttp's helper executables (ttp-privd, ttp-torctl, ...): beside the
 * running binary in the build tree (build/bin), else in TTP_LIBEXECDIR.
 */
#ifndef TTP_HELPER_H
#define TTP_HELPER_H

#include <stddef.h>

/*
 * Write the path of helper `name` to buf. When running as root the helper
 * must be owned by root and not writable by group or others. Returns 0, or
 * -1 with a logged reason.
 */
int	helper_path(const char *name, char *buf, size_t bufsz);
/* The fixed environment of every helper (PATH, LC_ALL; a sanitizer
 * build keeps the test's ASAN_OPTIONS in asan). */
void	helper_env(const char *envp[4], char *asan, size_t asansz);

#endif
