/* SPDX-License-Identifier: MIT */
/*
 * What one registration message proves (the channels: pathd/reg.h): read from a channel with
 * recvmmsg(), each message checked on its own. Nothing in it is trusted.
 */
#ifndef MPTCP_RUN_PATHD_REG_MSG_H
#define MPTCP_RUN_PATHD_REG_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What a registration proves: this token is owned by that process. */
struct pd_registration {
	uint32_t token;
	pid_t pid;
	uid_t uid;
	char exe[256]; /* "" when /proc/PID/exe could not be read */
};

#define PD_BATCH 16 /* messages per recvmmsg(): one channel's turn */

/* The process at the other end of a channel, as the kernel named it at accept(). */
struct pd_reg_sender {
	uid_t uid;
	pid_t pid;
	int pidfd; /* pins that process; -1: none (kernels before 6.5) */
};

struct pd_reg_tally {
	unsigned read;    /* messages read */
	unsigned long ok; /* of which registered (cb called) */
	unsigned long refused;
};

/*
 * Reads up to max (<= PD_BATCH) messages from channel fd, sent by who; cb per
 * registration that holds: one descriptor, an MPTCP socket of the network
 * namespace netns_cookie (0: not checked) with a token, sent by who itself
 * (SCM_CREDENTIALS). Every descriptor received is closed. False when the channel
 * is closed at the other end (or failed): its owner let it go.
 */
bool pd_reg_read(int fd, unsigned max, uint64_t netns_cookie, const struct pd_reg_sender *who,
                 struct pd_reg_tally *t, void (*cb)(const struct pd_registration *, void *),
                 void *arg);

#endif
