/* SPDX-License-Identifier: MIT */
/*
 * The interfaces as the planner sees them (struct pl_ifaces), kept from
 * rtnetlink's dump and notifications: name, up (IFF_UP and IFF_LOWER_UP)
 * and usable addresses (global scope, not tentative).
 */
#ifndef MPTCP_RUN_PATHD_IFACES_H
#define MPTCP_RUN_PATHD_IFACES_H

#include "pathd/rtnl.h"
#include "planner/model.h"

/* Applies one link or address change. */
void pd_ifaces_apply(struct pl_ifaces *ifs, const struct pd_link_ev *e);

#endif
