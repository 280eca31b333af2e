/* SPDX-License-Identifier: MIT */
/*
 * setsockopt(): options set before connect/listen are recorded for a
 * replacement; an option MPTCP refuses makes the socket plain TCP (see decide.c).
 * The real call comes first, so a successful option costs one table lookup.
 */
#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int rc = real_setsockopt(fd, level, name, val, len);
	struct mr_fd *e = mr_pending(fd);
	if (!e)
		return rc;
	return mr_setsockopt_managed(fd, e, level, name, val, len, rc);
}
