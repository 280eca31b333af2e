/* SPDX-License-Identifier: MIT */
/*
 * What one registration message proves (the channels: pathd/reg.h; the wire
 * format: kernel/pathd_sock.h): read from a channel with recvmmsg(), each
 * message checked on its own. Nothing in it is trusted.
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

/* What to do with what a channel's messages prove. */
struct pd_reg_sink {
	void (*registered)(const struct pd_registration *, void *arg);
	/* A socket whose owner is proven but whose connection has no token yet (sent before
	 * its connect() ran): true when it is kept (fd is the sink's now) to be read again. */
	bool (*keep)(int fd, const struct pd_registration *owner, void *arg);
	void *arg;
};

struct pd_reg_tally {
	unsigned read;    /* messages read */
	unsigned long ok; /* of which registered */
	unsigned long refused;
};

/*
 * Reads up to max (<= PD_BATCH) messages from channel fd, sent by who. A message
 * holds when who itself sent it (SCM_CREDENTIALS) with an MPTCP socket of the
 * network namespace netns_cookie (0: not checked), owned by who (one byte), or by
 * the process of the pidfd that comes with it, which holds that very socket as
 * the number the message says (pidfd_getfd): its owner's pid and /proc/PID/exe,
 * believed while the owner's pidfd still names a live process. Every descriptor
 * received is closed or kept. False when the channel is closed at the other end
 * (or failed): its owner let it go.
 */
bool pd_reg_read(int fd, unsigned max, uint64_t netns_cookie, const struct pd_reg_sender *who,
                 struct pd_reg_tally *t, const struct pd_reg_sink *sink);

/* The token of socket fd: -1 unless it is an MPTCP socket of the network namespace
 * netns_cookie (0: not checked), 0 while its connection has none yet. */
int64_t pd_reg_token(uint64_t netns_cookie, int fd);

#endif
