/* SPDX-License-Identifier: MIT */
/*
 * accept()/accept4(): the new descriptor is looked after by core/accepting.c
 * (stale entries forgotten, tracked for the report) and, for programs with
 * paths, registered with the path daemon.
 */
#include "entry/export.h"
#include "core/lifecycle.h"
#include "core/pathd_client.h"
#include "kernel/real.h"

MR_EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int n = real_accept(fd, sa, len);
	mr_after_accept(fd, n);
	mr_pathd_after_accept(n);
	return n;
}

MR_EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int n = real_accept4(fd, sa, len, flags);
	mr_after_accept(fd, n);
	mr_pathd_after_accept(n);
	return n;
}
