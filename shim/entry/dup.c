/* SPDX-License-Identifier: MIT */
/*
 * dup(), dup2(), dup3() (fcntl(F_DUPFD*) in fcntl.c): two descriptors on one socket
 * must never diverge, so a duplicated socket is no longer replaced; the target
 * number, if it was ours, is forgotten (dup2 closed it), and if it was the path
 * daemon's channel, the library stops using it.
 */
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/pathd_channel.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int dup(int fd)
{
	mr_before_dup(fd);
	int n = real_dup(fd);
	if (n >= 0)
		mr_note_dup(fd, n);
	return n;
}

MR_EXPORT int dup2(int fd, int fd2)
{
	if (fd != fd2) {
		mr_before_dup(fd);
		mr_pathd_chan_release(fd2);
	}
	int n = real_dup2(fd, fd2);
	if (n >= 0 && fd != fd2)
		mr_note_dup(fd, n);
	return n;
}

MR_EXPORT int dup3(int fd, int fd2, int flags)
{
	mr_before_dup(fd);
	if (fd != fd2)
		mr_pathd_chan_release(fd2);
	int n = real_dup3(fd, fd2, flags);
	if (n >= 0)
		mr_note_dup(fd, n);
	return n;
}
