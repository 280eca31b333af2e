/* SPDX-License-Identifier: MIT */
/*
 * The library's side of per-program paths: after connect() and accept(), a
 * program whose section lists `paths` hands the connected MPTCP socket to the
 * path daemon, which then gives that connection exactly those paths.
 * Programs without their own `paths` pay one atomic load per call. With no
 * daemon, the first attempt's failed connect() is the whole cost for the
 * process: the failure is cached. Never blocks, never changes errno or the
 * return value of the call it follows.
 */
#ifndef MPTCP_RUN_CORE_PATHD_CLIENT_H
#define MPTCP_RUN_CORE_PATHD_CLIENT_H

#include <sys/socket.h>

/* After the real connect(fd) returned rc (0, or -1 with errno EINPROGRESS counts). */
void mr_pathd_after_connect(int fd, int rc);
/* After the real accept()/accept4() returned fd (-1: nothing to do). */
void mr_pathd_after_accept(int fd);

/*
 * Before the real connect() of a fresh socket: pins it with SO_BINDTODEVICE to
 * the first usable path the program lists (mr_paths_pin_device), so that the
 * initial subflow never leaves through an unlisted interface. Nothing for a
 * program without its own paths, a socket already bound to an address, or
 * when no listed path is usable (the connection is then left to routing).
 */
void mr_pathd_before_connect(int fd, const struct sockaddr *sa, socklen_t len);

#endif
