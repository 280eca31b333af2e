/* SPDX-License-Identifier: MIT */
/*
 * The registration channel to the path daemon (`mptcp-run pathd`): its wire
 * format, read by the daemon (pathd/reg_msg.c), and its system calls, made by
 * the library (core/pathd_channel.c) and the supervisor (supervise/paths.c).
 *
 * One SOCK_SEQPACKET connection per process, non-blocking and close-on-exec,
 * whose peer's kernel-verified uid is checked with SO_PEERCRED BEFORE any
 * descriptor is sent; then one message per connection:
 *   - MR_PATHD_MSG_OWN, one byte, with the socket (SCM_RIGHTS): the sender owns it;
 *   - struct mr_pathd_msg_for, with the socket and a pidfd of its owner: a
 *     process that made the socket for another (the supervisor) names that one,
 *     and where the owner holds it; the daemon checks it in the owner's
 *     descriptor table (pidfd_getfd) before it believes it.
 * Nothing here blocks, raises SIGPIPE or changes errno. The calls go through a
 * table: the library's are its real_*() (never its own interposers).
 */
#ifndef MPTCP_RUN_KERNEL_PATHD_SOCK_H
#define MPTCP_RUN_KERNEL_PATHD_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define MR_PATHD_SOCKET "/run/mptcp-run/pathd.sock"

#define MR_PATHD_MSG_OWN 1
#define MR_PATHD_MSG_FOR 2
struct mr_pathd_msg_for {
	uint8_t kind; /* MR_PATHD_MSG_FOR */
	uint8_t pad[3];
	int32_t fd; /* the socket's number in its owner's descriptor table */
};

/* The socket calls the channel and the pinning make. */
struct mr_sockcalls {
	int (*socket)(int domain, int type, int protocol);
	int (*connect)(int fd, const struct sockaddr *sa, socklen_t len);
	int (*bind)(int fd, const struct sockaddr *sa, socklen_t len);
	int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);
	int (*getsockopt)(int fd, int level, int name, void *val, socklen_t *len);
	ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
	int (*close)(int fd);
};

enum mr_chan_open {
	MR_CHAN_OPENED = 0,
	MR_CHAN_ABSENT = -1,    /* no daemon listens there */
	MR_CHAN_UNTRUSTED = -2, /* something else listens there: nothing is sent to it */
	MR_CHAN_BUSY = -3,      /* the daemon's backlog is full */
};

/*
 * Connects to the daemon at path and checks that it runs as root or as allowed_uid.
 * Returns the channel's descriptor (MR_CHAN_OPENED in *why) or -1 and why not;
 * *peer_uid: whom it reached ((uid_t)-1 when nobody).
 */
int mr_pathd_chan_connect(const struct mr_sockcalls *k, const char *path, uid_t allowed_uid,
                          uid_t *peer_uid, enum mr_chan_open *why);

enum mr_chan_send {
	MR_CHAN_SENT,
	MR_CHAN_FULL, /* the daemon has not read what is queued yet: this one is dropped */
	MR_CHAN_GONE, /* the daemon's end is closed (it exited, or let this channel go) */
};

/* Sends the sender's own socket fd over the channel chan. */
enum mr_chan_send mr_pathd_chan_send(const struct mr_sockcalls *k, int chan, int fd);
/* Sends socket fd on behalf of the process pidfd names, which holds it as its owner_fd. */
enum mr_chan_send mr_pathd_chan_send_for(const struct mr_sockcalls *k, int chan, int fd, int pidfd,
                                         int owner_fd);

/* Whether the daemon's end of chan is still open; reads nothing. */
bool mr_pathd_chan_alive(int chan);

#endif
