/* SPDX-License-Identifier: MIT */
/*
 * Whether a connection's joins are protected against the kernel's
 * misordered data on a passively accepted join (a receiver that finishes a
 * join while data already arrives on it can label that data with its own
 * position): the planner then creates them backup and makes them active
 * promote_ms after they are established, so no data travels on a join while
 * the receiver may still be finishing it. The one place that decides it,
 * per connection.
 */
#ifndef MPTCP_RUN_PATHD_PROTECTION_H
#define MPTCP_RUN_PATHD_PROTECTION_H

#include "planner/model.h"

#define PD_PROMOTE_MS_DEFAULT 20
#define PD_PROMOTE_MS_MAX     1000

/* promote_ms: the daemon's --promote-ms. */
struct pl_protection pd_protection_for(const struct pl_conn *c, int promote_ms);

#endif
