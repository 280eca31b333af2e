/* SPDX-License-Identifier: MIT */
/*
 * What happens to the daemon, applied to its state: path-manager events
 * (CREATED, ESTABLISHED, CLOSED, SUB_ESTABLISHED, SUB_CLOSED, SUB_PRIORITY,
 * in any order with the registrations), link and address changes, verified
 * registrations, and wake-ups. Each one plans the connections it concerns.
 */
#ifndef MPTCP_RUN_PATHD_EVENTS_H
#define MPTCP_RUN_PATHD_EVENTS_H

#include "pathd/genl.h"
#include "pathd/reg.h"
#include "pathd/rtnl.h"

struct pd_daemon;
struct pl_conn;

/* Plans c now (its protection computed first) and schedules its next look. */
void pd_plan(struct pd_daemon *d, struct pl_conn *c, double now);
/* Every connection, after a link or address change. */
void pd_plan_all(struct pd_daemon *d, double now);

/* Callbacks for pd_genl_read, pd_rtnl_read/dump and pd_reg_handle; arg: the daemon. */
void pd_on_event(const struct pd_event *e, void *arg);
void pd_on_link(const struct pd_link_ev *e, void *arg);
void pd_on_registration(const struct pd_registration *r, void *arg);
/* The connections whose wake-up is due: grace periods over, promotions, orphans. */
void pd_on_wakeups(struct pd_daemon *d, double now);

#endif
