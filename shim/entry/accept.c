/* SPDX-License-Identifier: MIT */
/*
 * accept()/accept4(): the new descriptor is not one mptcp-run created. Its
 * number may still carry a stale entry (a socket closed behind our back, by
 * fclose() of an fdopen()ed socket or a raw system call): forget it.
 */
#include "entry/export.h"
#include "core/fdtable.h"
#include "core/pathd_client.h"
#include "kernel/real.h"

MR_EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int n = real_accept(fd, sa, len);
	mr_fd_forget(n);
	mr_pathd_after_accept(n);
	return n;
}

MR_EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int n = real_accept4(fd, sa, len, flags);
	mr_fd_forget(n);
	mr_pathd_after_accept(n);
	return n;
}
