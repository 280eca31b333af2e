/* SPDX-License-Identifier: MIT */
/*
 * The running daemon's state, shared by its modules: the loop (loop.c) owns
 * it; events.c applies what the kernel and the programs report and plans the
 * connections it concerns; adopt.c finds what was open at start; live.c
 * writes the state file from it. Modules below it (conns, wake, pm, genl,
 * rtnl, diag, takeover) do not see it.
 */
#ifndef MPTCP_RUN_PATHD_DAEMON_H
#define MPTCP_RUN_PATHD_DAEMON_H

#include <stdbool.h>

#include "pathd/conns.h"
#include "pathd/genl.h"
#include "pathd/pathd.h"
#include "pathd/pm.h"
#include "pathd/reg.h"
#include "pathd/rtnl.h"
#include "pathd/wake.h"
#include "planner/model.h"

#define PD_LAT 4096 /* latency samples kept for the live view */

#define PD_ORPHAN_MS 5000. /* a registration whose CREATED never comes is forgotten */

struct pd_daemon {
	const struct pd_options *o;
	struct pd_genl *ev; /* mptcp_pm_events */
	struct pd_rtnl *rt;
	struct pd_reg *reg;
	int sigfd, lockfd;
	struct pl_ifaces ifs;
	struct pl_world world; /* the config and ifs, as the planner reads them */
	struct pd_conns conns;
	struct pd_wakes wakes;
	struct pd_pm pm;    /* the planner's operations, and the command socket */
	double sample_at;   /* the next subflow measurement (pathd/samples.h), 0: none wanted */
	bool sample_warned; /* sock_diag failed once: said */
	unsigned long n_samples; /* measurements taken */
	struct pd_live_view {
		bool dirty; /* something the live view shows changed since it was written */
		double last_write;
		double lat[PD_LAT]; /* ESTABLISHED -> first added SUB_ESTABLISHED, ms */
		size_t n_lat;       /* samples ever taken; the last PD_LAT are in lat */
	} live;
};

#endif
