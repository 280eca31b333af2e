/* SPDX-License-Identifier: MIT */
#include "os/atomic_file.h"

#include "kernel/read_full.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_file(const char *path, int oflags, char **text, size_t *len, struct stat *st)
{
	struct stat s;
	size_t done = 0;
	char *buf;
	ssize_t r;
	int fd, err;

	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | oflags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &s) < 0) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(s.st_mode)) {
		err = -EINVAL;
		goto fail;
	}
	if (s.st_size > LR_FILE_MAX) {
		err = -EFBIG;
		goto fail;
	}
	buf = malloc((size_t)s.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto fail;
	}
	/* Stop at the size fstat gave: a file growing under us is not read without bound. */
	r = mr_read_full(fd, buf, (size_t)s.st_size);
	if (r < 0) {
		err = -errno;
		free(buf);
		goto fail;
	}
	done = (size_t)r;
	close(fd);
	buf[done] = '\0';
	*text = buf;
	*len = done;
	if (st)
		*st = s;
	return 0;
fail:
	close(fd);
	return err;
}

int lr_read_file(const char *path, char **text, size_t *len, struct stat *st)
{
	return read_file(path, O_NOFOLLOW, text, len, st);
}

int lr_read_file_follow(const char *path, char **text, size_t *len)
{
	return read_file(path, 0, text, len, NULL);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		err = -errno;
	close(fd);
	return err;
}

int lr_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int n;

	if (!slash)
		return fsync_dir(".");
	n = snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	return fsync_dir(n ? dir : "/");
}

/* durable: fsync the file and its directory before returning, so a crash after the call
 * leaves the new file; without, a crash may leave the old one (never a truncated one). */
static int write_replace(const char *path, const char *data, size_t len, mode_t mode,
                         const struct stat *like, bool durable)
{
	char tmp[PATH_MAX];
	size_t done = 0;
	ssize_t w;
	int fd, n, err;

	/* Same directory, so rename() is atomic and never crosses file systems. */
	n = snprintf(tmp, sizeof(tmp), "%s.mptcp-run-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = -errno;
			goto fail;
		}
		done += (size_t)w;
	}
	if (fchmod(fd, mode) < 0) {
		err = -errno;
		goto fail;
	}
	if (like && fchown(fd, like->st_uid, like->st_gid) < 0 && errno != EPERM) {
		err = -errno;
		goto fail;
	}
	if (durable && fsync(fd) < 0) {
		err = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		err = -errno;
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		err = -errno;
		goto fail;
	}
	return durable ? lr_fsync_parent(path) : 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return err;
}

int lr_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                    const struct stat *like)
{
	return write_replace(path, data, len, mode, like, true);
}

int lr_replace_file(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_replace(path, data, len, mode, NULL, false);
}

int lr_unlink_durable(const char *path)
{
	if (unlink(path) < 0)
		return -errno;
	return lr_fsync_parent(path);
}
