/* SPDX-License-Identifier: MIT */
/* Interface kinds from sysfs (kernel/ifkind.h). */
#include "kernel/ifkind.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/read_full.h"

/* The first size - 1 bytes of /sys/class/net/name/file into buf; false when unreadable. */
static bool read_attr(const char *name, const char *file, char *buf, size_t size)
{
	char path[96];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	buf[0] = '\0';
	if (fd < 0)
		return false;
	ssize_t n = mr_read_full(fd, buf, size - 1);
	mr_close_fd(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool exists(const char *name, const char *file)
{
	char path[96];
	struct stat st;
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, file);
	return lstat(path, &st) == 0;
}

void mr_iface_facts_read(const char *name, struct mr_iface_facts *f)
{
	char buf[512];
	memset(f, 0, sizeof(*f));
	/* A name the kernel could not have given cannot leave /sys/class/net. */
	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strlen(name) >= 16)
		return;
	f->wireless = exists(name, "wireless") || exists(name, "phy80211");
	f->physical = exists(name, "device");
	if (read_attr(name, "type", buf, 16))
		f->type = (int)strtol(buf, NULL, 10);
	if (read_attr(name, "uevent", buf, sizeof(buf))) {
		for (char *line = buf; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (strncmp(line, "DEVTYPE=", 8) == 0)
				snprintf(f->devtype, sizeof(f->devtype), "%s", line + 8);
			line = nl ? nl + 1 : NULL;
		}
	}
	if (read_attr(name, "ifalias", f->alias, sizeof(f->alias))) {
		char *nl = strchr(f->alias, '\n');
		if (nl)
			*nl = '\0';
	}
}

enum mr_kind mr_iface_kind(const char *name)
{
	struct mr_iface_facts f;
	mr_iface_facts_read(name, &f);
	return mr_kind_classify(&f);
}
