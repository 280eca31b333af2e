/* SPDX-License-Identifier: MIT */
/* listen(): after it the socket is live and never replaced. */
#include "decide.h"
#include "export.h"
#include "real.h"

MR_EXPORT int listen(int fd, int backlog)
{
	struct mr_fd *e = mr_pending(fd);
	if (e)
		mr_before_listen(fd, e);
	return real_listen(fd, backlog);
}
