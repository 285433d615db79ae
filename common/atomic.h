/*
 * Replacing a file whole: a reader sees the old content or the new, never
 * a part, and a crash cannot bring the old one back.
 */
#ifndef TTP_ATOMIC_H
#define TTP_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write data to "<path>.tmp" (mode, O_NOFOLLOW), fsync it, rename it over
 * path, fsync the directory. 0, or -1 with a message in err (and no
 * temporary file left).
 */
int	atomic_write(const char *path, const void *data, size_t len,
	    mode_t mode, char *err, size_t errsz);

#endif
