/* SPDX-License-Identifier: MIT */
/*
 * shutdown(): before connect it fails with ENOTCONN, but the kernel records it
 * (a send() after connect then fails with EPIPE); a replacement must repeat it.
 */
#include <errno.h>
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int shutdown(int fd, int how)
{
	int rc = real_shutdown(fd, how);
	struct mr_fd *e = mr_pending(fd);
	if (e) {
		int err = errno;
		mr_note_shutdown(e, how, rc);
		errno = err;
	}
	return rc;
}
