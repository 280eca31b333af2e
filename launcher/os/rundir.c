/* SPDX-License-Identifier: MIT */
#include "os/rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lr_run_dir(const char *file, char *why, size_t wsize)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	struct stat st;
	bool made = false;
	int fd, err;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file) >=
	         sizeof(dir)) {
		snprintf(why, wsize, "%s: path too long", file);
		return -ENAMETOOLONG;
	}
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	if (mkdir(dir, 0755) == 0)
		made = true;
	else if (errno != EEXIST) {
		err = -errno;
		snprintf(why, wsize, "cannot create %s: %s", dir, strerror(-err));
		return err;
	}
	/* Opened without following a last-component symlink, then checked through the
	 * descriptor: what is checked is what the files will go into. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			snprintf(why, wsize, "%s is a symbolic link: refusing to use it", dir);
		else if (err == -ENOTDIR)
			snprintf(why, wsize, "%s is not a folder", dir);
		else
			snprintf(why, wsize, "%s: %s", dir, strerror(-err));
		return err;
	}
	/* mkdir() applied the umask: the folder must be readable by the programs that
	 * connect to the socket. */
	if (made && fchmod(fd, 0755) < 0) {
		err = -errno;
		snprintf(why, wsize, "chmod %s: %s", dir, strerror(-err));
		close(fd);
		return err;
	}
	err = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (err) {
		snprintf(why, wsize, "%s: %s", dir, strerror(-err));
		return err;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, wsize, "%s is owned by uid %u, not root: refusing to use it", dir,
		         (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, wsize,
		         "%s is writable by group or others (mode %04o): refusing to use it "
		         "(chmod go-w, or another --socket/--state)",
		         dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}
