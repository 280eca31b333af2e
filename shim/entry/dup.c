/* SPDX-License-Identifier: MIT */
/*
 * dup(), dup2(), dup3() and fcntl(F_DUPFD*): two descriptors on one socket
 * must never diverge, so a duplicated socket is no longer replaced; the target
 * number, if it was ours, is forgotten (dup2 closed it).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int dup(int fd)
{
	mr_before_dup(fd);
	int n = real_dup(fd);
	if (n >= 0)
		mr_note_dup(fd, n);
	return n;
}

MR_EXPORT int dup2(int fd, int fd2)
{
	if (fd != fd2)
		mr_before_dup(fd);
	int n = real_dup2(fd, fd2);
	if (n >= 0 && fd != fd2)
		mr_note_dup(fd, n);
	return n;
}

MR_EXPORT int dup3(int fd, int fd2, int flags)
{
	mr_before_dup(fd);
	int n = real_dup3(fd, fd2, flags);
	if (n >= 0)
		mr_note_dup(fd, n);
	return n;
}

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
