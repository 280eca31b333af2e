/* SPDX-License-Identifier: MIT */
/*
 * The registration socket: a process hands the daemon a connected MPTCP
 * socket (SCM_RIGHTS) so the daemon learns which program owns which token.
 * Nothing in the message is trusted: the uid and pid come from SO_PEERCRED,
 * the token from the received descriptor itself (SO_PROTOCOL 262, same
 * network namespace, MPTCP_INFO), the program from /proc/PID/exe, believed
 * only while a pidfd of the sender still signals (a reused pid is not). Every
 * queue is bounded and each uid has its own budget, so one flooding user
 * cannot starve the others.
 */
#ifndef MPTCP_RUN_PATHD_REG_H
#define MPTCP_RUN_PATHD_REG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pd_registration {
	uint32_t token;
	pid_t pid;
	uid_t uid;
	char exe[256]; /* "" when /proc/PID/exe could not be read */
};

struct pd_reg;
/* Binds path (replacing a stale socket), mode 0666. NULL with errno set. */
struct pd_reg *pd_reg_open(const char *path);
void pd_reg_close(struct pd_reg *r);
int pd_reg_fd(const struct pd_reg *r);
/* Accepts and reads what is waiting; cb per verified registration. now_ms: monotonic. */
void pd_reg_handle(struct pd_reg *r, double now_ms,
                   void (*cb)(const struct pd_registration *, void *), void *arg);
/* The earliest time (monotonic ms) a silent registration is dropped; 0: none waiting. */
double pd_reg_next_deadline(const struct pd_reg *r);
/* Counters for the live view. */
void pd_reg_stats(const struct pd_reg *r, unsigned long *ok, unsigned long *refused,
                  unsigned long *limited);

#endif
