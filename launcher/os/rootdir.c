/* SPDX-License-Identifier: MIT */
#include "os/rootdir.h"

#include "os/msg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool lr_root_resolve(const char *arg, char *out, size_t size)
{
	char buf[PATH_MAX];
	struct stat st;

	if (!realpath(arg, buf) || stat(buf, &st) < 0) {
		lr_err("--root %s: %s", arg, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		lr_err("--root %s: not a directory", arg);
		return false;
	}
	/* "/" becomes "", so joined paths never start with "//". */
	if (strcmp(buf, "/") == 0)
		buf[0] = '\0';
	return lr_join(out, size, buf, "");
}

bool lr_join(char *out, size_t size, const char *root, const char *path)
{
	int n = snprintf(out, size, "%s%s", root, path);

	if (n < 0 || (size_t)n >= size) {
		lr_err("%s%s: path too long", root, path);
		return false;
	}
	return true;
}
