/* SPDX-License-Identifier: MIT */
/* Reading a file's known size in full and closing it: the files the preload library and the
 * launcher both read (the config, the kernel integrity record). */
#ifndef MPTCP_RUN_KERNEL_READ_FULL_H
#define MPTCP_RUN_KERNEL_READ_FULL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads up to len bytes, retrying short reads and EINTR, stopping early at end
 * of file (a file that shrank). Never reads past len, so a file growing under
 * the reader is not read without bound. Returns the bytes read, or -1 (errno).
 */
ssize_t mr_read_full(int fd, void *buf, size_t len);

/*
 * close(2) as the system call: inside the preload library close() is the
 * library's own interposed function, and the library never calls itself.
 */
void mr_close_fd(int fd);

#endif
