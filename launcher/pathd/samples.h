/* SPDX-License-Identifier: MIT */
/*
 * The measurements the planner asks for (pl_sample_every: connections in
 * handover or interactive mode, or with a path waiting for a retry): one
 * sock_diag dump of the namespace's MPTCP subflows with their tcp_info when
 * the earliest connection is due, each subflow's sample handed to its
 * connection (pl_sub_sampled), and those connections planned again. No
 * connection asks: no dump at all. pd_plan (pathd/events.h) schedules the
 * next one (pd_daemon.sample_at) as it plans a connection that asks.
 */
#ifndef MPTCP_RUN_PATHD_SAMPLES_H
#define MPTCP_RUN_PATHD_SAMPLES_H

struct pd_daemon;

/* When the next dump is due, 0 for none. */
double pd_samples_next(const struct pd_daemon *d);
/* The dump, if it is due at now. */
void pd_samples_take(struct pd_daemon *d, double now);

#endif
