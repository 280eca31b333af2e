/* SPDX-License-Identifier: MIT */
/*
 * The path modes, as the planner applies them to a client connection whose
 * paths are decided (its general rules, planner.c, have run: promotions,
 * closes of gone or unlisted subflows). Pure.
 *
 *  - aggregate: every listed path with a usable address has a subflow, with
 *    the path's backup flag (protected joins: backup, then made active).
 *  - handover: one subflow carries data, on the first listed path that may
 *    (non-backup paths first, in the order listed; usable; not waiting for a
 *    retry; not in no_data). Another path gets a subflow only when that one
 *    fails: its interface or address goes, it stalls (data in flight, no ACK
 *    progress for stall_ms), or its RTT or loss stays beyond rtt_ms/loss_pct
 *    for stall_ms; the failed path waits for its retry (planner/retry.h). When
 *    an earlier path may carry data again, it gets a subflow, and once that
 *    one carries data (promoted, when protected) every other subflow is
 *    closed: an idle handover path has no subflow at all.
 *  - interactive: every listed path has a subflow, created backup; one is
 *    active. Each is measured (pl_score: RTT + loss x RTO) and the active flag
 *    moves to another when it has been better by better_pct, and by
 *    PL_MIN_GAIN_MS, for hold_ms; at once when the active one's path goes, it
 *    stalls, or its path may not carry data. A join becomes active only
 *    promote_ms after it was established (protected connections). Non-backup
 *    paths are preferred to backup ones whatever their scores.
 */
#ifndef MPTCP_RUN_PLANNER_MODES_H
#define MPTCP_RUN_PLANNER_MODES_H

#include "planner/model.h"
#include "planner/ops.h"

#define PL_MIN_GAIN_MS 10. /* interactive: a switch must gain at least this much */

void pl_aggregate(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
                  void *ctx);
/* Each returns when it wants to be called again (a hold ending), 0 for none. */
double pl_handover(const struct pl_world *w, struct pl_conn *c, double now,
                   const struct pl_ops *ops, void *ctx);
double pl_interactive(const struct pl_world *w, struct pl_conn *c, double now,
                      const struct pl_ops *ops, void *ctx);

#endif
