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
#include "pathd/diag.h"
#include "pathd/rtnl.h"
#include "pathd/usage_file.h"
#include "pathd/wake.h"
#include "planner/budget.h"
#include "planner/model.h"

#define PD_LAT 4096 /* latency samples kept for the live view */

#define PD_ORPHAN_MS 5000. /* a registration whose CREATED never comes is forgotten */

/* The byte accounting and budgets (pathd/usage.h). */
struct pd_usage {
	bool on;          /* the config counts some path */
	const char *file; /* NULL: the counts are not kept across restarts */
	int lockfd;       /* FILE.lock, held while the daemon runs: one daemon per file */
	struct pl_ledger ledger;
	struct pd_diag *diag;
	struct pd_usage_data restored; /* the file's subflows, until adoption matched them */
	bool dirty;                    /* counts changed since the file was written */
	double written_at;
	bool replan;      /* a budget was spent or renewed: every connection is planned again */
	double next_tick; /* when the periods of spent budgets are looked at again (0: none) */
	double pruned_at; /* counters of ended periods were last dropped */
	bool full_said;
	double shown_at; /* the live view was last told the counts changed */
};

struct pd_daemon {
	const struct pd_options *o;
	struct pd_genl *ev; /* mptcp_pm_events */
	struct pd_rtnl *rt;
	struct pd_reg *reg;
	int sigfd, lockfd;
	struct pl_ifaces ifs;
	bool kinds;            /* the config names kinds: interfaces' kinds are read */
	struct pl_world world; /* the config and ifs, as the planner reads them */
	struct pd_conns conns;
	struct pd_wakes wakes;
	struct pd_pm pm;       /* the planner's operations, and the command socket */
	struct pd_usage usage; /* byte counts and budgets */
	double sample_at;      /* the next subflow measurement (pathd/samples.h), 0: none wanted */
	bool sample_warned;    /* sock_diag failed once: said */
	unsigned long n_samples; /* measurements taken */
	struct pd_live_view {
		bool dirty; /* something the live view shows changed since it was written */
		double last_write;
		double lat[PD_LAT]; /* ESTABLISHED -> first added SUB_ESTABLISHED, ms */
		size_t n_lat;       /* samples ever taken; the last PD_LAT are in lat */
	} live;
};

#endif
