/* SPDX-License-Identifier: MIT */
/*
 * getsockopt(): an option the library emulates on an MPTCP socket, or one a
 * replacement skipped because the program set its default, reads back the
 * value the program set (core/options.c); everything else is the kernel's.
 */
#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (__builtin_expect(level == SOL_SOCKET && name == SO_OOBINLINE, 0) &&
	    mr_option_get_emulated(fd, level, name, val, len))
		return 0;
	int rc = real_getsockopt(fd, level, name, val, len);
	if (__builtin_expect(rc != 0, 0) && mr_option_get_skipped(fd, level, name, val, len))
		return 0;
	return rc;
}
