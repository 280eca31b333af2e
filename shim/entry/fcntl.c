/* SPDX-License-Identifier: MIT */
/* fcntl(), fcntl64(): F_DUPFD and F_DUPFD_CLOEXEC duplicate a descriptor, as dup() does. */
#include <fcntl.h>
#include <stdarg.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

/* fcntl's third argument is an int, a long or a pointer; all travel in one register. */
static int fcntl_common(int fd, int cmd, void *arg)
{
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		mr_before_dup(fd);
	int n = real_fcntl(fd, cmd, arg);
	if (n >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		mr_note_dup(fd, n);
	return n;
}

MR_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(fd, cmd, arg);
}

MR_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(fd, cmd, arg);
}
