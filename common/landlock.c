/*
 * runs in: the unprivileged processes (ttp-torctl, ttp-netcheck,
 *   ttp-anchor, the CLI's parsing worker, the watchdog's guard), as they
 *   confine themselves.
 *
 * Landlock; see sandbox.h. The raw syscalls, so that no library is needed
 * and the constants of newer kernels are known even where the installed
 * <linux/landlock.h> predates them. The ruleset handles every right the
 * running kernel knows (its ABI version says which), so whatever a policy
 * does not grant is refused; a kernel without Landlock (or with it turned
 * off at boot) leaves the process to its seccomp allowlist and its user's
 * rights, as other programs using Landlock do. What each process may
 * open is listed in SECURITY.md ("Landlock") and docs/processes.md.
 */
#include "common/sandbox.h"
#include "common/log.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif

/* File system rights by the ABI version that introduced them. */
#define LL_FS_V1	((1ULL << 13) - 1)	/* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER	(1ULL << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE	(1ULL << 14)		/* ABI 3 */
#define LL_FS_IOCTL_DEV	(1ULL << 15)		/* ABI 5 */
/* Rights that mean something on a file that is not a directory. */
#define LL_FS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE |			\
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |	\
	LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)
/* ABI 4: TCP. */
#define LL_NET_BIND_TCP		(1ULL << 0)
#define LL_NET_CONNECT_TCP	(1ULL << 1)
/* ABI 6: scopes. */
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)
#define LL_SCOPE_SIGNAL		(1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
struct ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

const char *
sandbox_libc_dir(char *buf, size_t bufsz)
{
	Dl_info	 info;
	char	*slash;

	/* A symbol no sanitizer intercepts, so that the file is libc's. */
	if (dladdr((void *)(uintptr_t)gnu_get_libc_version, &info) == 0 ||
	    info.dli_fname == NULL || info.dli_fname[0] != '/' ||
	    (size_t)snprintf(buf, bufsz, "%s", info.dli_fname) >= bufsz ||
	    (slash = strrchr(buf, '/')) == buf)
		return NULL;
	*slash = '\0';
	return buf;
}

int
sandbox_landlock_abi(void)
{
	long	 v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

/* Allow `access` (SB_FS_*) beneath `path`; a missing path is left out. */
static int
add_path(int rfd, const char *name, const char *path, unsigned access,
    uint64_t handled)
{
	struct landlock_path_beneath_attr pb;
	struct stat	 st;
	int		 fd, rc;

	memset(&pb, 0, sizeof(pb));
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		/* Left out, the path stays refused: only ever narrower. */
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES ||
		    errno == ELOOP) {
			log_debug("landlock %s: %s: %s; left out", name, path,
			    strerror(errno));
			return 0;
		}
		log_warn("landlock %s: %s", name, path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("landlock %s: fstat %s", name, path);
		close(fd);
		return -1;
	}
	if (access & SB_FS_READ)
		pb.allowed_access |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (access & SB_FS_LIST)
		pb.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FS_FILE;
	pb.allowed_access &= handled;
	pb.parent_fd = fd;
	rc = pb.allowed_access == 0 ? 0 : (int)syscall(SYS_landlock_add_rule,
	    rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	if (rc != 0)
		log_warn("landlock %s: cannot allow %s", name, path);
	close(fd);
	return rc == 0 ? 0 : -1;
}

int
sandbox_landlock(const struct sandbox_fs_policy *policy,
    const char *const *extra)
{
	struct ll_ruleset_attr	 attr;
	size_t			 attrsz, i;
	int			 abi, rfd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	if ((abi = sandbox_landlock_abi()) <= 0) {
		log_debug("landlock %s: not available in this kernel (%s); "
		    "seccomp and the user's rights confine it", policy->name,
		    strerror(errno));
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = LL_FS_V1;
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	attrsz = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP |
		    (policy->tcp_connect ? 0 : LL_NET_CONNECT_TCP);
		attrsz += sizeof(attr.handled_access_net);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		attrsz += sizeof(attr.scoped);
	}
	if ((rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, attrsz,
	    0)) == -1) {
		log_warn("landlock %s: create_ruleset (ABI %d)", policy->name,
		    abi);
		return -1;
	}
	for (i = 0; i < policy->npaths; i++)
		if (add_path(rfd, policy->name, policy->paths[i].path,
		    policy->paths[i].access, attr.handled_access_fs) == -1)
			goto fail;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		if (add_path(rfd, policy->name, extra[i], SB_FS_READ,
		    attr.handled_access_fs) == -1)
			goto fail;
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		log_warn("landlock %s: restrict_self", policy->name);
		goto fail;
	}
	close(rfd);
	log_debug("landlock %s: enforced (ABI %d)", policy->name, abi);
	return 0;
fail:
	close(rfd);
	return -1;
}
