/* SPDX-License-Identifier: MIT */
/*
 * The library's side of per-program paths: a program whose section lists
 * `paths` has its connected and accepted MPTCP sockets handed to the path
 * daemon over the process's channel (core/pathd_channel.h), and its sockets
 * pinned to the first usable listed path before connect(), when a daemon will
 * manage the connection. Programs without their own `paths` pay one atomic load
 * per call. Never blocks, never changes errno or the return value of the call it
 * follows.
 */
#ifndef MPTCP_RUN_CORE_PATHD_CLIENT_H
#define MPTCP_RUN_CORE_PATHD_CLIENT_H

#include <sys/socket.h>

#include "core/fdtable.h"

/* After the real connect(fd) of the library's socket e returned rc (0, or -1 with errno
 * EINPROGRESS counts). */
void mr_pathd_after_connect(int fd, const struct mr_fd *e, int rc);
/* After the real accept()/accept4() returned fd (-1: nothing to do). */
void mr_pathd_after_accept(int fd);

/*
 * Before the real connect() of a fresh socket: pins it with SO_BINDTODEVICE (and
 * the interface's address) to the first usable path the program lists
 * (mr_paths_initial), so that the initial subflow never leaves through an
 * unlisted interface. Only when the daemon's channel is live: with no daemon the
 * socket is left to routing, which moves it when an interface goes away. Nothing
 * either for a program without its own paths, a socket already bound to an
 * address, or when no listed path is usable.
 */
void mr_pathd_before_connect(int fd, const struct mr_fd *e, const struct sockaddr *sa,
                             socklen_t len);

#endif
