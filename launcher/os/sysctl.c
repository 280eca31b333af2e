/* SPDX-License-Identifier: MIT */
/* Reading a /proc/sys value (os/sysctl.h). */
#include "os/sysctl.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kernel/read_full.h"

bool lr_read_sysctl(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = mr_read_full(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	n = (ssize_t)strcspn(buf, "\n");
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return true;
}
