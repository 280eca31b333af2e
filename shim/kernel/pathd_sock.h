/* SPDX-License-Identifier: MIT */
/*
 * Handing one connected socket to the path daemon (`mptcp-run pathd`) over its
 * registration socket: one non-blocking SOCK_SEQPACKET connection, the
 * daemon's kernel-verified uid checked with SO_PEERCRED BEFORE the descriptor
 * is sent, one message with SCM_RIGHTS, closed. Never blocks, never raises
 * SIGPIPE, keeps errno.
 */
#ifndef MPTCP_RUN_KERNEL_PATHD_SOCK_H
#define MPTCP_RUN_KERNEL_PATHD_SOCK_H

#include <sys/types.h>

#define MR_PATHD_SOCKET "/run/mptcp-run/pathd.sock"

enum mr_handover {
	MR_HANDOVER_SENT = 0,
	MR_HANDOVER_ABSENT = -1,    /* no daemon listens there: do not try again */
	MR_HANDOVER_UNTRUSTED = -2, /* something else listens there: do not try again */
	MR_HANDOVER_BUSY = -3,      /* the daemon's queue is full: this one is skipped */
};

/* Sends fd to the daemon at path if the peer's uid is 0 or allowed_uid. *peer_uid: who it was. */
enum mr_handover mr_pathd_hand_over(const char *path, int fd, uid_t allowed_uid, uid_t *peer_uid);

#endif
