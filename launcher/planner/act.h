/* SPDX-License-Identifier: MIT */
/*
 * The planner's acts on one connection, shared by its rules (planner.c) and
 * its modes (modes.c): each calls the path-manager operation and records in
 * the connection what it asked for, whatever the answer, so that nothing is
 * asked twice. Pure, like the rest of the planner.
 */
#ifndef MPTCP_RUN_PLANNER_ACT_H
#define MPTCP_RUN_PLANNER_ACT_H

#include "planner/model.h"
#include "planner/ops.h"

/* A line for the debug log (ops->debug), formatted only when there is one. */
__attribute__((format(printf, 3, 4))) void pl_say(const struct pl_ops *ops, void *ctx,
                                                  const char *fmt, ...);
/* A line for the log at info level (ops->info): retries, handovers, switches. */
__attribute__((format(printf, 3, 4))) void pl_note(const struct pl_ops *ops, void *ctx,
                                                   const char *fmt, ...);

/*
 * A subflow on path (the usable address of an interface of it without a subflow yet, the
 * connection's family; none on a path in no_path), created with the backup
 * flag or not; with promote, re-flagged active promote_ms after its SUB_ESTABLISHED. A path
 * waiting for a retry is logged as retried. A refusal counts as a failure of the path.
 * Returns the new entry, NULL when nothing was created.
 */
struct pl_sub *pl_create(const struct pl_world *w, struct pl_conn *c, int path, bool backup,
                         bool promote, double now, const struct pl_ops *ops, void *ctx);
/* A reset once (subflow_reset, else SUBFLOW_DESTROY): what the subflow holds is not sent. */
bool pl_reset(struct pl_conn *c, struct pl_sub *s, const char *why, const struct pl_ops *ops,
              void *ctx);
/* The first interface of path with an address of c's family and no subflow of c yet, or NULL:
 * a path of a kind may have several. */
const struct pl_iface *pl_free_iface(const struct pl_world *w, const struct pl_conn *c, int path);
/* SUBFLOW_DESTROY once (a subflow whose port is not known yet cannot be closed: false). */
bool pl_destroy(struct pl_conn *c, struct pl_sub *s, const char *why, const struct pl_ops *ops,
                void *ctx);
/* SET_FLAGS backup on or off; the flag is recorded when the kernel took it. */
bool pl_flag(struct pl_conn *c, struct pl_sub *s, bool backup, const struct pl_ops *ops, void *ctx);
/* The path's name, "(unlisted)" for -1. */
const char *pl_path_name(const struct pl_world *w, int path);
/* Whether s's path is listed and still has s's address. */
bool pl_sub_usable(const struct pl_world *w, const struct pl_conn *c, const struct pl_sub *s);
/* s carries data or may at now: established, not closing, on a usable listed path, not
 * waiting for its promotion, not judged bad, and (protected connections) a join established
 * promote_ms ago or more, so that the receiver has surely finished it. */
bool pl_sub_carrier(const struct pl_world *w, const struct pl_conn *c, const struct pl_sub *s,
                    double now);
/* When s (established) may carry data by the protection's clock: now or later. */
double pl_sub_ready_at(const struct pl_conn *c, const struct pl_sub *s, double now);
/* Whether path may carry data now (the no_data and no_path inputs). */
bool pl_path_data_ok(const struct pl_conn *c, int path);

double pl_earliest(double a, double b);

#endif
