/* SPDX-License-Identifier: MIT */
/*
 * setsockopt(): options set before connect/listen are recorded for a
 * replacement; an option MPTCP refuses is emulated when no program could tell
 * (SO_OOBINLINE), or makes a pending socket plain TCP (sockopt_fallback). The
 * real call comes first, so a successful option costs one table lookup.
 */
#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int rc = real_setsockopt(fd, level, name, val, len);
	if (__builtin_expect(rc != 0, 0) && mr_option_emulated(fd, level, name, val, len))
		return 0;
	struct mr_fd *e = mr_pending(fd);
	if (!e)
		return rc;
	return mr_setsockopt_managed(fd, e, level, name, val, len, rc);
}
