/* SPDX-License-Identifier: MIT */
/* listen(): the listen-role verdict; after a successful listen() the socket is never replaced. */
#include <errno.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int listen(int fd, int backlog)
{
	struct mr_fd *e = mr_pending(fd);
	if (!e)
		return real_listen(fd, backlog);
	mr_before_listen(fd, e);
	int rc = real_listen(fd, backlog);
	int err = errno;
	mr_after_listen(e, rc);
	errno = err;
	return rc;
}
