/* SPDX-License-Identifier: MIT */
/* connect(): the connect-role verdict, taken before the first SYN; live once it started. */
#include <errno.h>

#include "core/lifecycle.h"
#include "core/pathd_client.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct mr_fd *e = mr_pending(fd);
	struct sockaddr_storage copy;
	socklen_t clen;
	if (!e || !mr_copy_sockaddr(sa, len, &copy, &clen))
		return real_connect(fd, sa, len);
	bool inet = mr_before_connect(fd, e, (struct sockaddr *)&copy, clen);
	mr_pathd_before_connect(fd, e, (struct sockaddr *)&copy, clen);
	int rc = real_connect(fd, sa, len);
	mr_after_connect(fd, e, inet, rc);
	mr_pathd_after_connect(fd, e, rc);
	return rc;
}
