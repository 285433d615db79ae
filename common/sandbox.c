/*
 * runs in: every ttp process, as it confines itself.
 *
 * Process confinement helpers; see sandbox.h. Each step is checked and a
 * failure is returned to the caller, which must treat it as fatal: a
 * process that could not confine itself must not go on.
 */
#include "common/sandbox.h"
#include "common/log.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/defaults.h"

int
sandbox_close_from(int lowfd)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, dfd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return 0;
#endif
	if ((d = opendir("/proc/self/fd")) == NULL) {
		log_warn("opendir /proc/self/fd");
		return -1;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (fd >= lowfd && fd != dfd)
			(void)close(fd);
	}
	closedir(d);
	return 0;
}

/*
 * Never an account other software shares (nobody): what runs as it could
 * reach, signal and be exempted with ttp's helpers. Nor root's group.
 */
const char *
sandbox_user_unfit(const struct passwd *pw)
{
	if (pw == NULL)
		return "does not exist";
	if (pw->pw_uid == 0)
		return "is uid 0 (root)";
	if (pw->pw_gid == 0)
		return "has gid 0 (root) as its primary group";
	if (pw->pw_uid == TTP_SHARED_UID)
		return "is uid 65534 (nobody), an account other software shares";
	if (strcmp(pw->pw_name, "nobody") == 0)
		return "is nobody, an account other software shares";
	return NULL;
}

int
sandbox_drop_user(const char *user)
{
	struct passwd	*pw;
	const char	*why;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if ((why = sandbox_user_unfit(pw)) != NULL) {
		log_warnx("refusing to run as the user %s: it %s; ttp's helpers "
		    "run only as a system user of their own (create it with "
		    "scripts/install-user.sh)", user, why);
		return -1;
	}
	/* Drop supplementary groups first: they would survive setresuid. */
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("cannot drop privileges to %s", pw->pw_name);
		return -1;
	}
	/* Paranoia: regaining root must now fail. */
	if (setuid(0) != -1 || seteuid(0) != -1) {
		log_warnx("privileges could be regained after dropping them");
		return -1;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
		log_warnx("capng_apply failed");
		return -1;
	}
	return 0;
}

int
sandbox_keep_caps(const int *caps, size_t ncaps)
{
	size_t	 i;

	capng_clear(CAPNG_SELECT_BOTH);
	for (i = 0; i < ncaps; i++)
		if (capng_update(CAPNG_ADD,
		    CAPNG_EFFECTIVE | CAPNG_PERMITTED, caps[i]) != 0) {
			log_warnx("capng_update %d failed", caps[i]);
			return -1;
		}
	/* CAPNG_SELECT_BOTH also clears the bounding set. */
	if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
		log_warnx("capng_apply failed");
		return -1;
	}
	return 0;
}

int
sandbox_seccomp(const struct sandbox_policy *policy)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	/* Default: kill the whole process; a foreign arch is killed too. */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		log_warnx("seccomp_init failed");
		return -1;
	}
	for (i = 0; i < policy->nrules; i++) {
		const struct sandbox_rule *r = &policy->rules[i];
		struct scmp_arg_cmp	 cmp[2];
		unsigned		 n = 0;

		if (r->arg >= 0)
			cmp[n++] = r->nobits ?
			    (struct scmp_arg_cmp){ (unsigned)r->arg,
			    SCMP_CMP_MASKED_EQ, r->val, 0 } :
			    (struct scmp_arg_cmp){ (unsigned)r->arg,
			    SCMP_CMP_EQ, r->val, 0 };
		if (r->arg2 >= 0)
			cmp[n++] = (struct scmp_arg_cmp){ (unsigned)r->arg2,
			    SCMP_CMP_EQ, r->val2, 0 };
		rc = seccomp_rule_add_array(ctx, r->err ?
		    SCMP_ACT_ERRNO((uint32_t)r->err) : SCMP_ACT_ALLOW, r->nr, n,
		    cmp);
		if (rc != 0) {
			log_warnx("seccomp %s: cannot add rule %zu (%s)",
			    policy->name, i, strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		log_warnx("seccomp %s: load failed (%s)", policy->name,
		    strerror(-rc));
		return -1;
	}
	return 0;
}
