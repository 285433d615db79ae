/*
 * runs in: ttp, root (the session lock, the boot options).
 *
 * See atomic.h.
 */
#include "common/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * After a rename, the directory holds the new name: sync it too, or a
 * crash could bring back the old file. A file system that cannot sync a
 * directory (EINVAL) has nothing to lose there.
 */
static int
sync_dir_of(const char *path)
{
	char		 dir[4096];
	const char	*slash = strrchr(path, '/');
	int		 fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd) == -1 && errno != EINVAL ? -1 : 0;
	close(fd);
	return rc;
}

int
atomic_write(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errsz)
{
	const char	*p = data;
	char		 tmp[4096];
	ssize_t		 n;
	int		 fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errsz, "path too long: %s", path);
		return -1;
	}
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1) {
		snprintf(err, errsz, "cannot write %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (len > 0 || fsync(fd) == -1) {
		snprintf(err, errsz, "cannot write %s: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		snprintf(err, errsz, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (sync_dir_of(path) == -1) {
		snprintf(err, errsz, "cannot sync the directory of %s: %s",
		    path, strerror(errno));
		return -1;
	}
	return 0;
}
