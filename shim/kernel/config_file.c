/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/config_file.h"
#include "kernel/read_full.h"

enum mr_load_result mr_config_load(mr_libconfig_get get, const char *path, unsigned flags,
                                   struct mr_policy *out, struct mr_config_error *err)
{
	struct stat st;
	char *buf;
	int fd;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	mr_policy_builtin(out);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return MR_LOAD_MISSING;
		snprintf(err->text, sizeof(err->text), "cannot open: %s", strerror(errno));
		return MR_LOAD_ERROR;
	}
	/* Checks on the opened file, not the path: no window for a swap in between. */
	if (fstat(fd, &st) < 0) {
		snprintf(err->text, sizeof(err->text), "cannot stat: %s", strerror(errno));
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err->text, sizeof(err->text), "not a regular file");
		goto fail_fd;
	}
	if ((flags & MR_CONF_REQUIRE_ROOT) && (st.st_mode & S_IWGRP) && st.st_gid != 0) {
		snprintf(
		    err->text, sizeof(err->text),
		    "writable by a group other than root: ignored in a setuid/setgid/capability "
		    "program");
		goto fail_fd;
	}
	if ((flags & MR_CONF_REQUIRE_ROOT) && st.st_uid != 0) {
		snprintf(err->text, sizeof(err->text),
		         "not owned by root: ignored in a setuid/setgid/capability program");
		goto fail_fd;
	}
	if ((flags & MR_CONF_REFUSE_WORLD_WRITABLE) && (st.st_mode & S_IWOTH)) {
		snprintf(err->text, sizeof(err->text), "writable by everyone: refused (chmod o-w)");
		goto fail_fd;
	}
	if (st.st_size > (off_t)MR_CONF_MAX_SIZE) {
		snprintf(err->text, sizeof(err->text), "larger than %d bytes: refused",
		         MR_CONF_MAX_SIZE);
		goto fail_fd;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		goto fail_fd;
	}
	ssize_t got = mr_read_full(fd, buf, (size_t)st.st_size);
	if (got < 0) {
		snprintf(err->text, sizeof(err->text), "read error: %s", strerror(errno));
		free(buf);
		goto fail_fd;
	}
	mr_close_fd(fd);
	int rc = mr_config_parse(get, buf, (size_t)got, path, out, err);
	free(buf);
	return rc == 0 ? MR_LOAD_OK : MR_LOAD_ERROR;
fail_fd:
	mr_close_fd(fd);
	return MR_LOAD_ERROR;
}
