/* SPDX-License-Identifier: MIT */
/*
 * sendto()/sendmsg() with MSG_FASTOPEN and an address connect, without
 * connect(): the connect-role verdict is taken here. Every other call costs one
 * flag test.
 */

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

static void before_fastopen(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct mr_fd *e = mr_pending(fd);
	struct sockaddr_storage copy;
	socklen_t clen;
	if (e && mr_copy_sockaddr(sa, len, &copy, &clen))
		mr_before_connect(fd, e, (struct sockaddr *)&copy, clen);
}

MR_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
                         socklen_t salen)
{
	if (__builtin_expect((flags & MSG_FASTOPEN) && sa, 0))
		before_fastopen(fd, sa, salen);
	return real_sendto(fd, buf, len, flags, sa, salen);
}

MR_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (__builtin_expect((flags & MSG_FASTOPEN) && msg && msg->msg_name, 0))
		before_fastopen(fd, msg->msg_name, msg->msg_namelen);
	return real_sendmsg(fd, msg, flags);
}
