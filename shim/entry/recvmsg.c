/* SPDX-License-Identifier: MIT */
/*
 * recvmsg(): descriptors received with SCM_RIGHTS are not ones this process
 * created. Their numbers may carry stale entries; they are forgotten, so a
 * received socket is left exactly as it came (its sender decided it).
 */
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t rc = real_recvmsg(fd, msg, flags);
	if (rc >= 0 && msg && msg->msg_controllen)
		mr_after_recv_fds(msg, rc);
	return rc;
}
