/* SPDX-License-Identifier: MIT */
/* Root-owned state folders (os/state_dir.h). */
#include "os/state_dir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The folder at path is root's and only root's to change. */
static bool trusted(const char *path, char *why, size_t wsize)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
		return false;
	}
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
		snprintf(why, wsize, "%s is %s, not a folder: refusing to use it", path,
		         S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
		return false;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, wsize,
		         "%s is %s: refusing to use it (remove it, or chown root and chmod 0755)",
		         path,
		         st.st_uid != 0 ? "not owned by root" : "writable by group or others");
		return false;
	}
	return true;
}

bool lr_state_dir(const char *path, char *why, size_t wsize)
{
	if (mkdir(path, 0755) == 0) {
		/* mkdir() applied the umask: programs that read the files (or connect to a socket)
		 * there need 0755. */
		if (chmod(path, 0755) < 0) {
			snprintf(why, wsize, "chmod %s: %s", path, strerror(errno));
			return false;
		}
	} else if (errno != EEXIST) {
		snprintf(why, wsize, "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	return trusted(path, why, wsize);
}

bool lr_state_dir_usable(const char *path, char *why, size_t wsize)
{
	struct stat st;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return true;
	return trusted(path, why, wsize);
}

bool lr_state_dir_of(const char *file, bool make, char *why, size_t wsize)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == file)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - file) >= sizeof(dir)) {
		snprintf(why, wsize, "%s: path too long", file);
		return false;
	} else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	return make ? lr_state_dir(dir, why, wsize) : lr_state_dir_usable(dir, why, wsize);
}
