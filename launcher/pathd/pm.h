/* SPDX-License-Identifier: MIT */
/*
 * The planner's path-manager operations (planner/planner.h, struct pl_ops)
 * done with the mptcp_pm generic netlink commands: a stable local address id
 * per address (the userspace path manager wants one), a listener on a port
 * of ours for each announced address (joins to it reach the connection even
 * when the program closed its own listener), counters and the time spent in
 * commands for the live view, and a log line per operation.
 */
#ifndef MPTCP_RUN_PATHD_PM_H
#define MPTCP_RUN_PATHD_PM_H

#include <stdint.h>

#include "pathd/diag.h"
#include "pathd/genl.h"
#include "planner/planner.h"

#define PD_LISTENERS 16

struct pd_pm {
	struct pd_genl *cmd;
	const struct mr_policy *policy;
	const struct pl_ifaces *ifs; /* the interfaces' names, for the log */
	struct pd_diag *diag;        /* subflow resets (SOCK_DESTROY); NULL: closed instead */
	struct pl_addr ids[255];     /* local address id - 1 -> address */
	int n_ids;
	struct {
		struct pl_addr addr;
		int fd;
		uint16_t port;
	} ls[PD_LISTENERS];
	int n_ls;
	unsigned long n_create, n_destroy, n_set_flags, n_announce, n_errors;
	double cmd_ms; /* time inside SUBFLOW_CREATE/DESTROY: the kernel's work, in our context */
};

/* The table to hand the planner with a struct pd_pm as its context: with a debug line per
 * decision when lr_debug is set, without their formatting otherwise. */
const struct pl_ops *pd_pm_ops(void);
/* Closes the announce listeners. */
void pd_pm_close(struct pd_pm *pm);

#endif
