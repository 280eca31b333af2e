/* SPDX-License-Identifier: MIT */
/*
 * epoll_ctl(): event loops (nginx upstreams) register a socket before
 * connect(); a replacement must carry the registration over.
 */
#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int rc = real_epoll_ctl(epfd, op, fd, ev);
	struct mr_fd *e;
	if (rc == 0 && (e = mr_pending(fd)))
		mr_note_epoll(e, epfd, op, ev);
	return rc;
}
