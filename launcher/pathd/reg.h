/* SPDX-License-Identifier: MIT */
/*
 * The registration channels: each process of a program with paths keeps one
 * SOCK_SEQPACKET connection to the daemon and sends one message per connection,
 * carrying the connected MPTCP socket (SCM_RIGHTS), so the daemon learns which
 * program owns which token. Nothing in a message is trusted: the uid and pid are
 * the channel's SO_PEERCRED, and every message's sender is checked against that
 * pid (SCM_CREDENTIALS, stamped by the kernel); the token comes from the received
 * descriptor itself (an MPTCP socket of this network namespace, MPTCP_INFO); the
 * program from /proc/PID/exe, believed only while a pidfd of the sender, taken
 * when its channel was accepted, still signals (a reused pid is not). Every
 * queue is bounded and each uid has its own budget (channels, and a rate shared
 * by its new channels and its messages), so one flooding user cannot starve the
 * others.
 *
 * The loop polls pd_reg_fd() and calls pd_reg_handle() after every wake-up,
 * whatever woke it, after the events it read, and at pd_reg_next_deadline(). A
 * message wakes the loop only while the daemon waits for one (pd_reg_expect())
 * or has had none for seconds: the wake-up of a daemon asleep on another CPU is
 * most of what a registration would cost the connect() that sends it.
 */
#ifndef MPTCP_RUN_PATHD_REG_H
#define MPTCP_RUN_PATHD_REG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pathd/reg_msg.h" /* struct pd_registration */

struct pd_reg;
/* Binds path (replacing a stale socket), mode 0666. NULL with errno set. */
struct pd_reg *pd_reg_open(const char *path);
void pd_reg_close(struct pd_reg *r);
int pd_reg_fd(const struct pd_reg *r);
/* Accepts and reads what is waiting; cb per verified registration. now_ms: monotonic.
 * Cheap when nothing waits (one or two epoll_wait()): call it after every wake-up. */
void pd_reg_handle(struct pd_reg *r, double now_ms,
                   void (*cb)(const struct pd_registration *, void *), void *arg);
/* The daemon waits for a registration (a connection established without one) until
 * until_ms: one that comes wakes the loop. */
void pd_reg_expect(struct pd_reg *r, double until_ms);
/* When pd_reg_handle() must run again without a wake-up of pd_reg_fd() (monotonic ms);
 * 0: none. */
double pd_reg_next_deadline(const struct pd_reg *r);
/* Counters for the live view. */
void pd_reg_stats(const struct pd_reg *r, unsigned long *ok, unsigned long *refused,
                  unsigned long *limited);

#endif
