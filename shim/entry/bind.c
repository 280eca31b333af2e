/* SPDX-License-Identifier: MIT */
/* bind(): the address is recorded, so a replacement can take the same one. */
#include <errno.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct mr_fd *e = mr_pending(fd);
	struct sockaddr_storage copy;
	socklen_t clen;
	if (!e || !mr_copy_sockaddr(sa, len, &copy, &clen))
		return real_bind(fd, sa, len);
	int rc = real_bind(fd, sa, len);
	int err = errno;
	mr_after_bind(e, (struct sockaddr *)&copy, clen, rc);
	errno = err;
	return rc;
}
