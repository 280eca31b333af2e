/* SPDX-License-Identifier: MIT */
/*
 * sendmsg(): with MSG_FASTOPEN and an address it connects, as sendto() does;
 * with SCM_RIGHTS it may hand a socket whose verdict is still open to another
 * process, which is decided before it leaves (core/sharing.c). Every other call
 * costs two tests.
 */
#include <errno.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct mr_fd *e = NULL;
	bool inet = false;
	if (__builtin_expect(msg && msg->msg_controllen, 0))
		mr_before_send_fds(msg);
	if (__builtin_expect((flags & MSG_FASTOPEN) && msg && msg->msg_name, 0))
		e = mr_before_fastopen(fd, msg->msg_name, msg->msg_namelen, &inet);
	ssize_t rc = real_sendmsg(fd, msg, flags);
	if (e)
		mr_after_connect(fd, e, inet, rc < 0 ? -1 : 0);
	return rc;
}
