/* SPDX-License-Identifier: MIT */
/*
 * The registration channel to the path daemon (`mptcp-run pathd`), as system
 * calls: one SOCK_SEQPACKET connection per process, non-blocking and
 * close-on-exec, whose peer's kernel-verified uid is checked with SO_PEERCRED
 * BEFORE any descriptor is sent; then one message per connection, one byte
 * and the socket itself (SCM_RIGHTS). Nothing here blocks, raises SIGPIPE or
 * changes errno. The state (which descriptor, when to try again) is
 * core/pathd_channel.c's.
 */
#ifndef MPTCP_RUN_KERNEL_PATHD_SOCK_H
#define MPTCP_RUN_KERNEL_PATHD_SOCK_H

#include <stdbool.h>
#include <sys/types.h>

#define MR_PATHD_SOCKET "/run/mptcp-run/pathd.sock"

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
int mr_pathd_chan_connect(const char *path, uid_t allowed_uid, uid_t *peer_uid,
                          enum mr_chan_open *why);

enum mr_chan_send {
	MR_CHAN_SENT,
	MR_CHAN_FULL, /* the daemon has not read what is queued yet: this one is dropped */
	MR_CHAN_GONE, /* the daemon's end is closed (it exited, or let this channel go) */
};

/* Sends fd over the channel chan. */
enum mr_chan_send mr_pathd_chan_send(int chan, int fd);

/* Whether the daemon's end of chan is still open; reads nothing. */
bool mr_pathd_chan_alive(int chan);

#endif
