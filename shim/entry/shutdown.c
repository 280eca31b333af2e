/* SPDX-License-Identifier: MIT */
/*
 * shutdown(): before connect it fails with ENOTCONN, but the kernel records it
 * (a send() after connect then fails with EPIPE), so a replacement repeats it;
 * on a connection, with a report open, its paths are recorded before the
 * call, while they surely exist, and again after it if they still do
 * (core/closing.c).
 */
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int shutdown(int fd, int how)
{
	mr_before_shutdown(fd, how);
	int rc = real_shutdown(fd, how);
	mr_after_shutdown(fd, how, rc);
	return rc;
}
