/*
 * runs in: ttp-privd, root, 2 capabilities, seccomp.
 *
 * The resolv.conf overlay. privd writes its own resolv.conf in its run
 * directory and bind-mounts it, read-only, over the real path of
 * /etc/resolv.conf, so every resolver on the host asks 127.0.0.1 (where
 * the ruleset sends DNS to Tor) while the host's file is never written.
 * Restore peels our layers off the top of the mount stack and stops at the
 * first layer that is not ours, so a container runtime's or an admin's own
 * bind of /etc/resolv.conf is never removed.
 *
 * A layer is ours when /proc/self/mountinfo shows it is on the filesystem
 * of our run directory (same major:minor) and its root field, the path of
 * the mounted file inside that filesystem, is exactly our resolv.conf (or
 * that path with the kernel's "//deleted" suffix, for a stale layer whose
 * file was removed since). dns_init() computes that path once from the
 * mount holding the run directory. The topmost layer at the target is
 * found with statx(STATX_MNT_ID), i.e. the mount the path resolves to now.
 *
 * Nothing here comes from the peer: the run directory is set at spawn by
 * the root CLI, the target is a constant.
 */
#include "privd/privd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#define DNS_MAX_LAYERS	16	/* restore gives up after this many of ours */
#define DNS_CONTENT	"# Managed by ttp while it runs: DNS goes to Tor. " \
			"Do not edit.\nnameserver 127.0.0.1\n"
#define DELETED_SUFFIX	"//deleted"

struct mnt {
	unsigned int	 major, minor;
	char		 root[PATH_MAX];	/* path inside the filesystem */
	char		 point[PATH_MAX];	/* where it is mounted */
};

static int	 run_fd = -1;		/* the run directory, O_NOFOLLOW */
static char	 run_path[PATH_MAX];	/* its real path, for messages */
static unsigned int run_major, run_minor;	/* its filesystem */
static char	 our_root[PATH_MAX];	/* root field of a bind of our file */

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo. */
static int
unescape(const char *s, char *out, size_t outsz)
{
	size_t	 n = 0;
	char	 c;

	while ((c = *s++) != '\0') {
		if (c == '\\' && s[0] >= '0' && s[0] <= '3' &&
		    s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
			c = (char)((s[0] - '0') << 6 | (s[1] - '0') << 3 |
			    (s[2] - '0'));
			s += 3;
		}
		if (n + 1 >= outsz)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

/*
 * The mount `path` (or dirfd when path is "") resolves to now: its id
 * from statx(STATX_MNT_ID), then that id's line in /proc/self/mountinfo
 * ("id parent maj:min root point ..."). Returns 0 when found, -1 with
 * errno set otherwise.
 */
static int
mount_of(int dirfd, const char *path, struct mnt *m)
{
	struct statx	 stx;
	FILE		*fp;
	char		*line = NULL, *f[5], *save, *end;
	size_t		 cap = 0;
	int		 i, ret = -1, saved;

	/* AT_EMPTY_PATH only matters when path is "". */
	if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
	    AT_EMPTY_PATH, STATX_MNT_ID, &stx) == -1)
		return -1;
	if ((stx.stx_mask & STATX_MNT_ID) == 0) {
		errno = ENOSYS;		/* kernel older than 5.8 */
		return -1;
	}
	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	errno = ENOENT;
	while (getline(&line, &cap, fp) != -1) {
		for (i = 0; i < 5; i++)
			if ((f[i] = strtok_r(i ? NULL : line, " ", &save)) ==
			    NULL)
				break;
		if (i < 5 || strtoull(f[0], &end, 10) != stx.stx_mnt_id ||
		    *end != '\0')
			continue;
		if (sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2 ||
		    unescape(f[3], m->root, sizeof(m->root)) == -1 ||
		    unescape(f[4], m->point, sizeof(m->point)) == -1) {
			errno = ENAMETOOLONG;
			break;
		}
		ret = 0;
		break;
	}
	saved = errno;
	free(line);
	fclose(fp);
	errno = saved;
	return ret;
}

int
dns_init(const char *run_dir)
{
	struct stat	 st;
	struct mnt	 m;
	char		 real[PATH_MAX];
	size_t		 plen;
	int		 n;

	if (run_fd != -1)
		close(run_fd);
	/* 0755 and root-owned: only root can put a file where we bind from. */
	if (mkdir(run_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("dns: mkdir %s", run_dir);
		return -1;
	}
	/* O_NOFOLLOW: refuse a symlink planted in place of the directory. */
	run_fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (run_fd == -1) {
		log_warn("dns: open %s", run_dir);
		return -1;
	}
	if (fstat(run_fd, &st) == -1) {
		log_warn("dns: fstat %s", run_dir);
		goto fail;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_warnx("dns: %s must be owned by root and not group or "
		    "world writable", run_dir);
		goto fail;
	}

	/*
	 * Our file's path inside its filesystem: the root field of the mount
	 * holding the run directory plus the directory's path below that
	 * mount's mount point.
	 */
	if (realpath(run_dir, real) == NULL || mount_of(run_fd, "", &m) == -1) {
		log_warn("dns: cannot locate the mount of %s", run_dir);
		goto fail;
	}
	plen = strcmp(m.point, "/") == 0 ? 0 : strlen(m.point);
	if (strncmp(real, m.point, plen) != 0 ||
	    (real[plen] != '/' && real[plen] != '\0')) {
		log_warnx("dns: %s is not below its mount point %s", real,
		    m.point);
		goto fail;
	}
	n = snprintf(our_root, sizeof(our_root), "%s%s/%s",
	    strcmp(m.root, "/") == 0 ? "" : m.root,
	    strcmp(real + plen, "/") == 0 ? "" : real + plen, TTP_RESOLV_NAME);
	if (n < 0 || (size_t)n >= sizeof(our_root)) {
		log_warnx("dns: path of %s too long", run_dir);
		goto fail;
	}
	run_major = m.major;
	run_minor = m.minor;
	(void)snprintf(run_path, sizeof(run_path), "%s", real);
	log_debug("dns: run dir %s, layers of ours have root %s on %u:%u",
	    run_path, our_root, run_major, run_minor);
	return 0;
fail:
	close(run_fd);
	run_fd = -1;
	return -1;
}

/* See the top of the file: same filesystem, root field is our file. */
static int
layer_is_ours(const struct mnt *m)
{
	size_t	 len = strlen(our_root);

	if (m->major != run_major || m->minor != run_minor ||
	    strncmp(m->root, our_root, len) != 0)
		return 0;
	return m->root[len] == '\0' ||
	    strcmp(m->root + len, DELETED_SUFFIX) == 0;
}

/*
 * The real path of /etc/resolv.conf (often a symlink into /run), walked
 * one component at a time through O_PATH descriptors that follow nothing:
 * a symlink is followed only when root owns it, so one planted by the
 * owner of a directory on the way (systemd-resolve owns
 * /run/systemd/resolve) is refused instead of leading root's bind mount
 * onto any file. The last component must be a regular file; *fdp is an
 * O_PATH descriptor of that very file, which the overlay is mounted on.
 */
static int
dns_target(char *target, int *fdp, struct privop_reply *rep)
{
	char		 todo[PATH_MAX], link[PATH_MAX], *c, *rest;
	struct stat	 st;
	size_t		 n;
	ssize_t		 len;
	int		 dfd, fd, links = 0;

	*fdp = -1;
	memset(&st, 0, sizeof(st));
	rest = todo;
	if (run_fd == -1) {
		privop_reply_err(rep, EBADF, "dns: dns_init() was not called");
		return -1;
	}
	(void)snprintf(todo, sizeof(todo), "%s", TTP_DEF_RESOLV_CONF);
	target[0] = '\0';
	if ((dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto fail;
	for (c = todo; ; c = rest) {
		if (*c == '/') {	/* absolute: from / again */
			target[0] = '\0';
			close(dfd);
			if ((dfd = open("/", O_PATH | O_DIRECTORY |
			    O_CLOEXEC)) == -1)
				goto fail;
		}
		c += strspn(c, "/");
		if (*c == '\0')
			break;		/* walked it all: at a directory */
		rest = c + strcspn(c, "/");
		if (*rest != '\0')
			*rest++ = '\0';
		if (strcmp(c, ".") == 0)
			continue;
		n = strlen(target);
		if ((fd = openat(dfd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC)) ==
		    -1 || fstat(fd, &st) == -1) {
			privop_reply_err(rep, errno, "dns: %s/%s", target, c);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if (st.st_uid != 0 || ++links > 8) {
				privop_reply_err(rep,
				    st.st_uid != 0 ? EPERM : ELOOP,
				    "dns: %s/%s is a symlink %s%u; not following "
				    "it (%s resolves through it)", target, c,
				    st.st_uid != 0 ? "owned by uid " :
				    "nested deeper than ", st.st_uid != 0 ?
				    (unsigned)st.st_uid : 8u,
				    TTP_DEF_RESOLV_CONF);
				goto out;
			}
			/* What is left to walk: the link's text, then the
			 * rest of the path (which lives in todo itself). */
			len = readlinkat(fd, "", link, sizeof(link) - 1);
			close(fd);
			n = strlen(rest);
			if (len <= 0 || (size_t)len + n + 2 > sizeof(todo)) {
				privop_reply_err(rep,
				    len == -1 ? errno : ENAMETOOLONG,
				    "dns: cannot read the symlink %s/%s",
				    target, c);
				goto out;
			}
			link[len] = '/';
			memcpy(link + len + 1, rest, n + 1);
			memcpy(todo, link, (size_t)len + n + 2);
			rest = todo;
			continue;
		}
		if (strcmp(c, "..") == 0) {
			c = strrchr(target, '/');
			*(c != NULL ? c : target) = '\0';
		} else if (n + strlen(c) + 2 > PATH_MAX) {
			privop_reply_err(rep, ENAMETOOLONG, "dns: %s: too long",
			    TTP_DEF_RESOLV_CONF);
			close(fd);
			goto out;
		} else
			(void)snprintf(target + n, PATH_MAX - n, "/%s", c);
		close(dfd);
		dfd = fd;
		if (!S_ISDIR(st.st_mode))
			break;
	}
	if (!S_ISREG(st.st_mode) || rest[strspn(rest, "/")] != '\0') {
		privop_reply_err(rep, EINVAL,
		    "dns: %s (%s) is not a regular file", target,
		    TTP_DEF_RESOLV_CONF);
		goto out;
	}
	*fdp = dfd;
	return 0;
fail:
	privop_reply_err(rep, errno, "dns: cannot open /");
	return -1;
out:
	close(dfd);
	return -1;
}

/*
 * Unmount our layers from the top of target, at most DNS_MAX_LAYERS.
 * Stop at the first layer that is not ours, or when target is no longer a
 * mount point. umount2() acts on the topmost mount at the path, the one
 * mount_of() just identified; between the two only root could mount.
 */
static int
dns_peel(const char *target, uint32_t *count, struct privop_reply *rep)
{
	struct mnt	 m;
	int		 i;

	for (i = 0; i < DNS_MAX_LAYERS; i++) {
		if (mount_of(AT_FDCWD, target, &m) == -1) {
			privop_reply_err(rep, errno,
			    "dns: cannot find the mount at %s", target);
			return -1;
		}
		if (strcmp(m.point, target) != 0)
			return 0;	/* not a mount point: nothing left */
		if (!layer_is_ours(&m)) {
			log_debug("dns: %s: top layer (%s on %u:%u) is not "
			    "ours; left in place", target, m.root, m.major,
			    m.minor);
			return 0;
		}
		/* Busy (a process has the file open): detach it lazily. */
		if (umount2(target, UMOUNT_NOFOLLOW) == -1 &&
		    (errno != EBUSY ||
		    umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) == -1)) {
			privop_reply_err(rep, errno, "dns: umount %s", target);
			return -1;
		}
		(*count)++;
	}
	privop_reply_err(rep, ELOOP, "dns: more than %d layers of ours on %s",
	    DNS_MAX_LAYERS, target);
	return -1;
}

void
privd_dns_overlay(const struct privop_req *req, struct privop_reply *rep)
{
	char		 target[PATH_MAX], src[64], dst[64];
	uint32_t	 peeled = 0;
	ssize_t		 len = (ssize_t)strlen(DNS_CONTENT);
	int		 fd, tfd;

	(void)req;
	if (dns_target(target, &tfd, rep) == -1)
		return;

	/*
	 * Our own file, created relative to the directory fd held since
	 * startup; O_NOFOLLOW so a symlink there cannot redirect the write
	 * (only root can create one: the directory is root's, not writable
	 * by others). fchmod because an older file may have another mode.
	 */
	fd = openat(run_fd, TTP_RESOLV_NAME,
	    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1) {
		privop_reply_err(rep, errno, "dns: cannot create %s/%s",
		    run_path, TTP_RESOLV_NAME);
		close(tfd);
		return;
	}
	errno = EIO;	/* for a short write */
	if (fchmod(fd, 0644) == -1 ||
	    write(fd, DNS_CONTENT, (size_t)len) != len) {
		privop_reply_err(rep, errno, "dns: cannot write %s/%s",
		    run_path, TTP_RESOLV_NAME);
		goto out;
	}

	/* Stale layers of ours first, so overlaying twice leaves one layer;
	 * then the file the walk found, under them. */
	if (dns_peel(target, &peeled, rep) == -1)
		goto out;
	close(tfd);
	if (dns_target(target, &tfd, rep) == -1)
		goto out;

	/* Bind exactly the file we wrote over exactly the file the walk
	 * found (both through descriptors), not whatever a path would
	 * resolve to now. */
	(void)snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	(void)snprintf(dst, sizeof(dst), "/proc/self/fd/%d", tfd);
	if (mount(src, dst, NULL, MS_BIND, NULL) == -1) {
		privop_reply_err(rep, errno, "dns: bind %s/%s over %s",
		    run_path, TTP_RESOLV_NAME, target);
		goto out;
	}
	/* Read-only, so nobody writes through the overlay into our file. */
	if (mount(NULL, target, NULL, DNS_REMOUNT_FLAGS, NULL) == -1) {
		privop_reply_err(rep, errno, "dns: remount %s read-only",
		    target);
		(void)umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
		goto out;
	}
	log_debug("dns: %s overlaid (%u stale layer(s) removed)", target,
	    peeled);
out:
	if (tfd != -1)
		close(tfd);
	close(fd);
}

void
privd_dns_restore(const struct privop_req *req, struct privop_reply *rep)
{
	char		 target[PATH_MAX];
	uint32_t	 n = 0;
	int		 tfd;

	(void)req;
	if (dns_target(target, &tfd, rep) == -1)
		return;
	close(tfd);
	if (dns_peel(target, &n, rep) == 0)
		log_debug("dns: %s restored (%u layer(s) removed)", target, n);
	rep->count = n;
}
