/* SPDX-License-Identifier: MIT */
/*
 * accept(): the new descriptor is not one mptcp-run created, and is never
 * replaced. Its number may carry a stale entry (a socket closed behind our
 * back), which is forgotten; with a report open, a connection accepted from a
 * listener the library manages is tracked so that its line is written at
 * close, like a client's.
 */
#include <stdatomic.h>

#include "core/lifecycle.h"
#include "core/report.h"

void mr_after_accept(int lfd, int fd)
{
	if (fd < 0)
		return;
	struct mr_fd *l = __builtin_expect(mr_report_enabled, 0) ? mr_fd_get(lfd) : NULL;
	uint32_t lst = l ? mr_fd_state(l) : 0;
	/* Sampling (MPTCP_RUN_REPORT_SAMPLE): the other connections are not tracked at all. */
	static _Atomic unsigned long accepted;
	if ((lst & MR_ST_MANAGED) && mr_report_sample > 1 &&
	    atomic_fetch_add_explicit(&accepted, 1, memory_order_relaxed) % mr_report_sample != 0)
		lst = 0;
	struct mr_fd *e = (lst & MR_ST_MANAGED) ? mr_fd_get_or_create(fd) : NULL;
	if (!e) {
		mr_fd_forget(fd);
		return;
	}
	/* The client is named at close (getpeername, or the first subflow's remote end once
	 * both ends closed): no system call here, in the accept loop. */
	mr_fd_claim(e, MR_ST_MANAGED | MR_ST_NOSWAP | MR_ST_LIVE | MR_ST_ACCEPTED |
	                   (lst & (MR_ST_V6 | MR_ST_MPTCP)));
}
