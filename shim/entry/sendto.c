/* SPDX-License-Identifier: MIT */
/*
 * sendto() with MSG_FASTOPEN and an address connects without connect(): the
 * connect-role verdict is taken here. Every other call costs one flag test.
 */
#include <errno.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
                         socklen_t salen)
{
	struct mr_fd *e;
	bool inet;
	if (__builtin_expect(!((flags & MSG_FASTOPEN) && sa), 1) ||
	    !(e = mr_before_fastopen(fd, sa, salen, &inet)))
		return real_sendto(fd, buf, len, flags, sa, salen);
	ssize_t rc = real_sendto(fd, buf, len, flags, sa, salen);
	mr_after_connect(fd, e, inet, rc < 0 ? -1 : 0);
	return rc;
}
