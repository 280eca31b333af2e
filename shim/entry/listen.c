/* SPDX-License-Identifier: MIT */
/* listen(): after it the socket is live and never replaced. */
#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int listen(int fd, int backlog)
{
	struct mr_fd *e = mr_pending(fd);
	if (e)
		mr_before_listen(fd, e);
	return real_listen(fd, backlog);
}
