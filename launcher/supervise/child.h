/* SPDX-License-Identifier: MIT */
/* The supervisor's reach into a supervised thread (supervise/child.c). */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_CHILD_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_CHILD_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Our copy of descriptor fd of thread tid (pidfd_getfd), or -1. */
int lr_sv_child_fd(pid_t tid, int fd);
/* Is descriptor fd of thread tid close-on-exec? (/proc/TID/fdinfo/FD) */
bool lr_sv_child_cloexec(pid_t tid, int fd);
/* Copies n bytes from / to address addr of thread tid; false when it cannot. */
bool lr_sv_child_read(pid_t tid, __u64 addr, void *buf, size_t n);
bool lr_sv_child_write(pid_t tid, __u64 addr, const void *buf, size_t n);
/* Of our own descriptors: an MPTCP socket? its inode (0 when unknown)? */
bool lr_sv_is_mptcp(int fd);
ino_t lr_sv_inode_of(int fd);

#endif
