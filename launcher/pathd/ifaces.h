/* SPDX-License-Identifier: MIT */
/*
 * The interfaces as the planner sees them (struct pl_ifaces), kept from
 * rtnetlink's dump and notifications: name, up (IFF_UP and IFF_LOWER_UP),
 * usable addresses (global scope, not tentative) and, for a config that
 * names kinds, the kind the kernel gives it (kernel/ifkind.h), read again at
 * every change of the link (a rename, a new alias).
 */
#ifndef MPTCP_RUN_PATHD_IFACES_H
#define MPTCP_RUN_PATHD_IFACES_H

#include "pathd/rtnl.h"
#include "planner/model.h"

/* Applies one link or address change; kinds: read the link's kind. */
void pd_ifaces_apply(struct pl_ifaces *ifs, const struct pd_link_ev *e, bool kinds);

#endif
