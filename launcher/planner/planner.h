/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's decisions, pure: given the configuration and the
 * interfaces (struct pl_world), one connection with its subflows, and the
 * time, which subflows to create, close or re-flag, which addresses to
 * announce, and when to look at the connection again. No system calls and
 * no clock (tests/structure checks its objects): it acts through a table of
 * path-manager operations, which the daemon implements with generic netlink
 * (pathd/pm.c) and the unit tests with a recorder (tests/unit/pathd).
 *
 * What it guarantees for a connection whose program lists paths:
 *  - the owner decides the paths (mr_program_paths); a connection nobody
 *    registered waits grace_ms when some program lists its own paths, then
 *    gets the defaults; a later registration corrects it;
 *  - the owner's path mode (mr_program_path_mode) says which listed paths get
 *    a subflow and which one carries data: aggregate, every other listed path
 *    with a usable address gets one, created with the interface index (routing
 *    cannot move it) and the path's backup flag; handover and interactive, see
 *    planner/modes.h;
 *  - a subflow that failed (refused, never established, reset, closed by the
 *    peer, judged stalled) while its path still has its address is made again
 *    after a backoff (planner/retry.h), in every mode; each retry is logged;
 *  - a subflow whose path lost its interface or address is closed once another
 *    subflow carries data, and a new one is made when the path comes back;
 *  - a subflow on an unlisted interface (the initial one, when routing picked
 *    it) is closed once a listed subflow is established and active;
 *  - an initial subflow started on a backup path (nothing else was usable)
 *    is flagged backup;
 *  - protected connections (pl_conn.prot): a join on a path that is not a
 *    backup path is created backup, so the scheduler puts no data on it while
 *    the receiver may still be finishing it, and is re-flagged active
 *    promote_ms after its SUB_ESTABLISHED; one that closes first is forgotten;
 *    no subflow that was a join is made the one carrying data (a handover, an
 *    interactive switch) before promote_ms after its SUB_ESTABLISHED, and a
 *    subflow is closed for another only once that one may carry data;
 *  - paths the daemon says may not carry data now (pl_conn.no_data) have their
 *    subflows flagged backup, and no mode picks them to carry data;
 *  - paths the daemon says the connection may not use at all now
 *    (pl_conn.no_path: a spent data budget) get no subflow, and those they have
 *    are flagged backup while another subflow carries the data (drain_ms), then
 *    reset (subflow_reset): what their sockets hold is not sent;
 *  - a path of a kind (every interface of that kind) has, in aggregate mode, a
 *    subflow per interface;
 *  - on the server side, the listed addresses are announced, once each.
 */
#ifndef MPTCP_RUN_PLANNER_PLANNER_H
#define MPTCP_RUN_PLANNER_PLANNER_H

#include "planner/model.h"
#include "planner/ops.h"

/*
 * Brings connection c to what its paths say at time now (monotonic ms).
 * Idempotent: called after every change that concerns it, and after each of
 * its samples (pl_sub_sampled; pl_sample_every says how often it wants them).
 * Returns when it wants to be called again although nothing changes (the
 * grace period's end, a promotion, a retry or a hold due), 0 for never.
 */
/*
 * Decides c's paths (its owner's, or the defaults once the grace period is over) if not done
 * yet; pl_plan does it first. Whether they are decided: the daemon sets inputs that depend
 * on the owner (no_data, no_path for its budgets) after it and before pl_plan.
 */
bool pl_decide(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx);

double pl_plan(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx);

#endif
