/* SPDX-License-Identifier: MIT */
/* connect(): the connect-role verdict, taken before the first SYN. */
#include "decide.h"
#include "export.h"
#include "real.h"

MR_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct mr_fd *e = mr_pending(fd);
	if (!e)
		return real_connect(fd, sa, len);
	mr_before_connect(fd, e, sa, len);
	int rc = real_connect(fd, sa, len);
	mr_after_connect(fd, e, rc);
	return rc;
}
