/* SPDX-License-Identifier: MIT */
/*
 * close(), close_range(), closefrom(): forget the descriptor first, so that a
 * socket() in another thread that gets the same number is not forgotten after.
 * Async-signal-safe: an atomic store and the real call.
 */
#include <linux/close_range.h>
#include <unistd.h>

#include "export.h"
#include "fdtable.h"
#include "real.h"

MR_EXPORT int close(int fd)
{
	mr_fd_forget(fd);
	return real_close(fd);
}

MR_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int rc = real_close_range(first, last, flags);
	if (rc == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
		mr_fd_forget_range(first, last);
	return rc;
}

MR_EXPORT void closefrom(int lowfd)
{
	real_closefrom(lowfd);
	if (lowfd >= 0)
		mr_fd_forget_range((unsigned int)lowfd, ~0U);
}
