/*
 * runs in: ttp-privd, root, 2 capabilities, seccomp.
 *
 * Name lookups disabled in ttp-privd. This file is linked into the
 * ttp-privd executable (and test_fw) only, never into a library: its
 * definitions replace libc's for the whole program.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>

/*
 * libnftables parses every uid and gid in rule text by looking it up as a
 * NAME first (getpwnam/getgrnam in its uid_type_parse), even "64001", and
 * only then as a number. In privd that would open /etc/nsswitch.conf and
 * /etc/passwd or talk to nscd/sssd after seccomp, and a user database
 * entry whose name is a number would change which id a rule exempts. The
 * ruleset holds numbers only, so privd answers "no such name" for every
 * name: these definitions take precedence over libc's in any executable
 * that links this file (ttp-privd and test_fw), and nothing there looks
 * up users or groups by name.
 */
struct passwd *
getpwnam(const char *name)
{
	(void)name;
	errno = 0;
	return NULL;
}

struct group *
getgrnam(const char *name)
{
	(void)name;
	errno = 0;
	return NULL;
}
