/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's reach into a supervised thread (supervise/child.c): a copy
 * of one of its descriptors (pidfd_getfd), its memory (process_vm_readv and
 * writev), what /proc says of a descriptor. Every caller checks afterwards
 * that the notification is still pending when the answer depends on it: a
 * thread id can be reused once its thread is gone.
 */
#include "supervise/child.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernel/uapi.h"

static int pidfd_of(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_pidfd_open, tid, 0);
	return fd;
}

/* Is descriptor fd of the child close-on-exec? From /proc/TID/fdinfo/FD "flags:". */
bool lr_sv_child_cloexec(pid_t tid, int fd)
{
	char path[80], buf[256], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "flags:");
	return p && (strtoul(p + 6, NULL, 8) & O_CLOEXEC);
}

/* Our copy of the child's descriptor fd (pidfd_getfd), or -1. */
int lr_sv_child_fd(pid_t tid, int fd)
{
	int pidfd = pidfd_of(tid), dup;

	if (pidfd < 0)
		return -1;
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return dup;
}

bool lr_sv_is_mptcp(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);

	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_MPTCP;
}

ino_t lr_sv_inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* Copies n bytes at the child's address addr; false when it cannot. */
bool lr_sv_child_read(pid_t tid, __u64 addr, void *buf, size_t n)
{
	struct iovec local = {.iov_base = buf, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = n};

	return n == 0 || process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)n;
}

bool lr_sv_child_write(pid_t tid, __u64 addr, const void *buf, size_t n)
{
	struct iovec local = {.iov_base = (void *)buf, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = n};

	return n == 0 || process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)n;
}
