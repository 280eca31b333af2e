/* SPDX-License-Identifier: MIT */
/* Reading the kernel integrity record (kernel/integrity_file.h). */
#include "kernel/integrity_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel/read_full.h"

bool mr_kernel_identity(char release[MR_KI_FIELD], char version[MR_KI_FIELD],
                        char boot_id[MR_KI_FIELD])
{
	struct utsname u;
	char b[MR_KI_FIELD];
	if (uname(&u) < 0)
		return false;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = mr_read_full(fd, b, sizeof(b) - 1);
	mr_close_fd(fd);
	if (n <= 0)
		return false;
	b[n] = '\0';
	b[strcspn(b, "\n")] = '\0';
	snprintf(release, MR_KI_FIELD, "%s", u.release);
	snprintf(version, MR_KI_FIELD, "%s", u.version);
	snprintf(boot_id, MR_KI_FIELD, "%s", b);
	return true;
}

/* A small /proc/sys value, trimmed; "" when it cannot be read. */
static void sysctl_value(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? mr_read_full(fd, buf, size - 1) : -1;
	if (fd >= 0)
		mr_close_fd(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

bool mr_kernel_joins_announced_only(void)
{
	char v[32], pm[32];
	int saved = errno;
	sysctl_value("/proc/sys/net/mptcp/allow_join_initial_addr_port", v, sizeof(v));
	sysctl_value("/proc/sys/net/mptcp/path_manager", pm, sizeof(pm));
	if (!pm[0]) { /* before 6.15 */
		sysctl_value("/proc/sys/net/mptcp/pm_type", pm, sizeof(pm));
		if (strcmp(pm, "1") == 0)
			snprintf(pm, sizeof(pm), "userspace");
	}
	errno = saved;
	return strcmp(v, "0") == 0 && strcmp(pm, "userspace") == 0;
}

enum mr_kernel_integrity mr_kernel_integrity_read(const char *path, struct mr_integrity_record *rec,
                                                  char *why, size_t wsize)
{
	char text[MR_INTEGRITY_MAX], release[MR_KI_FIELD], version[MR_KI_FIELD], boot[MR_KI_FIELD];
	struct stat st;
	int saved = errno;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	enum mr_kernel_integrity v = MR_KI_UNKNOWN;
	const char *bad = NULL;

	if (fd < 0) {
		snprintf(why, wsize, errno == ENOENT ? "not probed yet (no %s)" : "%s unreadable",
		         path);
		errno = saved;
		return MR_KI_UNKNOWN;
	}
	ssize_t n = -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		bad = "not a regular file";
	else if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		bad = "not owned by root, or writable by others";
	else if (st.st_size > MR_INTEGRITY_MAX || (n = mr_read_full(fd, text, sizeof(text))) < 0)
		bad = "too large or unreadable";
	mr_close_fd(fd);
	if (!bad && !(bad = mr_integrity_parse(text, (size_t)n, rec))) {
		if (!mr_kernel_identity(release, version, boot))
			bad = "the running kernel's release or boot id cannot be read";
		else if (!(bad = mr_integrity_applies(rec, release, version, boot)))
			v = rec->verdict;
	}
	if (bad)
		snprintf(why, wsize, "%s ignored: %s", path, bad);
	else
		snprintf(why, wsize, "recorded by mptcp-run check");
	errno = saved;
	return v;
}
