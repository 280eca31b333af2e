/* SPDX-License-Identifier: MIT */
/*
 * The daemon's byte accounting on counted paths (metered, or named by a
 * budget) and the budgets it enforces; the decisions are the planner's
 * (planner/budget.h), the kernel-facing side is here:
 *  - each subflow on a counted path is sampled (tcp_info through an exact
 *    sock_diag request, pathd/diag.h) at the cadence pl_sample_interval says,
 *    and once more when it closes (SUB_CLOSED, CLOSED), its growth since the
 *    last sample counted for its program and its path: nothing twice;
 *  - the counts, and the open subflows' counts already counted, are kept in
 *    the usage file (pathd/usage_file.h) every 10 s, when a budget is spent
 *    and at exit: a daemon started again goes on from there;
 *  - before each plan, what a connection may do on each path (pl_conn.no_data,
 *    no_path):
 *    a spent budget makes its subflows backup, then closes them, or keeps
 *    them as a backup where the program's over_budget says "stay"; one log
 *    line when a budget is spent, one when a program is left with no other
 *    usable path.
 */
#ifndef MPTCP_RUN_PATHD_USAGE_H
#define MPTCP_RUN_PATHD_USAGE_H

#include <stdbool.h>

#include "planner/budget.h"

#define PD_USAGE_FILE     MR_STATEDIR "/pathd-usage.json"
#define PD_USAGE_WRITE_MS 10000.   /* the usage file is written at most this often */
#define PD_DRAIN_MS       500      /* a subflow leaving a spent path is backup this long first */
#define PD_PERIOD_TICK_MS 60000.   /* while a budget is spent, how often its period is looked at */
#define PD_PRUNE_MS       3600000. /* counters of ended periods are dropped this often */

struct pd_daemon;
struct pl_conn;
struct pl_sub;

/* Its state is the daemon's (struct pd_usage, pathd/daemon.h). */

/* Sets the accounting up (the usage file read back); false with a message on a refusal. */
bool pd_usage_start(struct pd_daemon *d);
/* After adoption: the open subflows take their counted bytes from the file. */
void pd_usage_adopted(struct pd_daemon *d);
/* Writes the usage file one last time and frees everything. */
void pd_usage_stop(struct pd_daemon *d, double now);

/* Adds to c->no_data (over_budget stay) and c->no_path (leave) the paths whose budget is
 * spent for c's program. */
void pd_usage_uses(struct pd_daemon *d, struct pl_conn *c);
/* Samples c's counted subflows when due, and says when next (0: none counted). */
double pd_usage_sample(struct pd_daemon *d, struct pl_conn *c, double now);
/* The last count of subflow s (NULL: all of c's), which is closing or closed. */
void pd_usage_last(struct pd_daemon *d, struct pl_conn *c, struct pl_sub *s, double now);
/* When the usage file or a period is due (0: nothing). */
double pd_usage_next(const struct pd_daemon *d);
/* The usage file written when due; periods of spent budgets looked at. Whether every
 * connection must be planned again (a budget was spent or renewed). */
bool pd_usage_tick(struct pd_daemon *d, double now);

#endif
