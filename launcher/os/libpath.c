/* SPDX-License-Identifier: MIT */
#include "os/libpath.h"

#include "text/env.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MR_LIBDIR
#define MR_LIBDIR "/usr/local/lib/mptcp-run"
#endif

static bool regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool lr_lib_path(char *out, size_t size)
{
	char self[PATH_MAX], *slash;
	ssize_t n;
	int len;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			len = snprintf(out, size, "%s/%s", self, LR_LIB_NAME);
			if (len > 0 && (size_t)len < size && regular_file(out))
				return true;
		}
	}
	/* Always absolute: ld.so would search a bare name in the library path. */
	snprintf(out, size, "%s/%s", MR_LIBDIR, LR_LIB_NAME);
	return regular_file(out);
}
