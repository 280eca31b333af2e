/* SPDX-License-Identifier: MIT */
/*
 * The live view: the state file rewritten at most every PD_STATE_MS while
 * something changed, from the daemon's tables (pathd/state_file.h for its
 * format), and the delay from a client connection's ESTABLISHED to its first
 * added subflow's SUB_ESTABLISHED.
 */
#ifndef MPTCP_RUN_PATHD_LIVE_H
#define MPTCP_RUN_PATHD_LIVE_H

#include <stdbool.h>

#define PD_STATE_MS 200. /* the state file is rewritten at most this often */

struct pd_daemon;

void pd_live_latency(struct pd_daemon *d, double ms);
/* When the next write is due (0: nothing to write). */
double pd_live_next(const struct pd_daemon *d);
/* Writes the state file when due (force: now, whatever changed). */
void pd_live_write(struct pd_daemon *d, double now, bool force);

#endif
