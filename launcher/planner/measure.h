/* SPDX-License-Identifier: MIT */
/*
 * What the planner makes of a subflow's samples (struct pl_sample, tcp_info
 * as plain data): progress, RTT, loss, whether it stalled or is beyond the
 * handover thresholds, its score for the interactive mode, and how often a
 * connection wants samples at all. Pure.
 */
#ifndef MPTCP_RUN_PLANNER_MEASURE_H
#define MPTCP_RUN_PLANNER_MEASURE_H

#include "planner/model.h"

#define PL_LOSS_WINDOW   20   /* segments sent before a loss ratio is computed */
#define PL_RETRY_SAMPLE  1000 /* ms: sampling while a path retries or a join is pending */
#define PL_SAMPLE_MIN_MS 50   /* the fastest handover sampling */
#define PL_SAMPLE_MAX_MS 1000 /* the slowest handover sampling */

/* A sample of a subflow (sock_diag at now). lport is its local port; connecting: still in
 * SYN-SENT, so a join of ours whose port is not known yet learns it (it can then be closed). */
void pl_sub_sampled(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                    const struct pl_addr *rem, uint16_t rport, bool connecting,
                    const struct pl_sample *x, double now);
/* Applies sample x taken at now to s (t_live: when s was established, 0 unknown). */
void pl_health_update(const struct pl_conn *c, struct pl_sub *s, const struct pl_sample *x,
                      double now);
/* Handover: data in flight (or held back with the peer's window open) and no ACK progress
 * for stall_ms. */
bool pl_stalled(const struct pl_conn *c, const struct pl_sub *s, double now);
/* Handover: RTT or loss beyond the thresholds for stall_ms (1 s when stall_ms is 0). */
bool pl_too_slow(const struct pl_conn *c, const struct pl_sub *s, double now);
/* Interactive: the expected delay of a packet on s in ms (RTT + loss x RTO), < 0 unknown. */
double pl_score(const struct pl_sub *s);
/* The sampling period c wants (ms), 0 for none: handover stall_ms / 4 (50 ms to 1 s),
 * interactive every_ms, else PL_RETRY_SAMPLE while one of its paths retries. */
int pl_sample_every(const struct pl_conn *c);

#endif
