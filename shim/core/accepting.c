/* SPDX-License-Identifier: MIT */
/*
 * accept(): the new descriptor is not one mptcp-run created, and is never
 * replaced. Its number may carry a stale entry (a socket closed behind our
 * back), which is forgotten; with a report open, a connection accepted from a
 * listener the library manages is tracked so that its line is written at
 * close, like a client's.
 */
#include <errno.h>

#include "core/lifecycle.h"
#include "core/report.h"
#include "kernel/sockinfo.h"

void mr_after_accept(int lfd, int fd)
{
	if (fd < 0)
		return;
	struct mr_fd *l = __builtin_expect(mr_report_enabled, 0) ? mr_fd_get(lfd) : NULL;
	uint32_t lst = l ? mr_fd_state(l) : 0;
	struct mr_fd *e = (lst & MR_ST_MANAGED) ? mr_fd_get_or_create(fd) : NULL;
	if (!e) {
		mr_fd_forget(fd);
		return;
	}
	int err = errno;
	struct sockaddr_storage peer;
	mr_fd_claim(e, MR_ST_MANAGED | MR_ST_NOSWAP | MR_ST_LIVE | MR_ST_ACCEPTED |
	                   (lst & (MR_ST_V6 | MR_ST_MPTCP)));
	/* The client, named even if it is gone by the time the line is written. */
	if (mr_sock_name(fd, true, &peer))
		mr_endpoint_from_sockaddr((const struct sockaddr *)&peer, sizeof(peer), &e->peer);
	errno = err;
}
