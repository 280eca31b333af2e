/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's decisions, pure: given the configuration and the
 * interfaces (struct pl_world), one connection with its subflows, and the
 * time, which subflows to create, close or re-flag, which addresses to
 * announce, and when to look at the connection again. No system calls and
 * no clock (tests/structure checks its objects): it acts through a table of
 * path-manager operations, which the daemon implements with generic netlink
 * (pathd/pm.c) and the unit tests with a recorder (tests/unit/pathd).
 *
 * What it guarantees for a connection whose program lists paths:
 *  - the owner decides the paths (mr_program_paths); a connection nobody
 *    registered waits grace_ms when some program lists its own paths, then
 *    gets the defaults; a later registration corrects it;
 *  - every other listed path with a usable address gets one subflow, created
 *    with the interface index (routing cannot move it) and the path's backup
 *    flag; a create that fails is not tried again before pl_retry();
 *  - a subflow whose path lost its interface or address is closed (when the
 *    connection has another), and a new one is made when the path comes back;
 *  - a subflow on an unlisted interface (the initial one, when routing picked
 *    it) is closed once a listed subflow is established and active;
 *  - an initial subflow started on a backup path (nothing else was usable)
 *    is flagged backup;
 *  - protected connections (pl_conn.prot): a join on a path that is not a
 *    backup path is created backup, so the scheduler puts no data on it while
 *    the receiver may still be finishing it, and is re-flagged active
 *    promote_ms after its SUB_ESTABLISHED; one that closes first is forgotten;
 *  - on the server side, the listed addresses are announced, once each;
 *  - pl_conn.use, the daemon's input per path: subflows flagged backup or
 *    active to match, the config's flag back when the use ends; a path the
 *    connection may not use gets no subflow, and those it has are flagged
 *    backup while another subflow carries the data (drain_ms) and then reset.
 */
#ifndef MPTCP_RUN_PLANNER_PLANNER_H
#define MPTCP_RUN_PLANNER_PLANNER_H

#include "planner/model.h"

/*
 * The path-manager operations the planner acts through (as mptcpd's
 * path-manager command table). Each returns 0 or a negative errno; ctx is the
 * implementer's. The planner records what it asked for in the connection
 * (a subflow entry, a flag, a failed path) whatever the implementation does
 * besides, so a recorder is enough to test it.
 */
struct pl_ops {
	/* A subflow from loc (on interface ifindex, path `path`) to the connection's remote
	 * address and port, with the backup flag or not. */
	int (*subflow_create)(void *ctx, const struct pl_conn *c, int path,
	                      const struct pl_addr *loc, int ifindex, bool backup);
	/* Closes subflow s (its local port is known); why: for the log. */
	int (*subflow_destroy)(void *ctx, const struct pl_conn *c, const struct pl_sub *s,
	                       const char *why);
	/* Resets subflow s (an RST): what its socket holds unsent is dropped rather than sent
	 * before a FIN, as subflow_destroy would (the connection sends it again on its other
	 * subflows). For a path the connection may not use (PL_USE_NONE), whose queue may hold
	 * seconds of data. NULL: subflow_destroy. */
	int (*subflow_reset)(void *ctx, const struct pl_conn *c, const struct pl_sub *s,
	                     const char *why);
	/* SET_FLAGS on subflow s (token, local address and port, remote address and port):
	 * backup on or off; the kernel tells the peer with MP_PRIO. */
	int (*set_backup)(void *ctx, const struct pl_conn *c, const struct pl_sub *s, bool backup);
	/* Server side: ANNOUNCE loc (the address of path `path`) to the peer; with backup, joins
	 * to it are asked (MP_JOIN SYN/ACK) to carry no data until re-flagged. */
	int (*announce)(void *ctx, const struct pl_conn *c, int path, const struct pl_addr *loc,
	                bool backup);
	/* A line about a decision, for the debug log; NULL: none are formatted. */
	void (*debug)(void *ctx, const char *line);
};

/*
 * Brings connection c to what its paths say at time now (monotonic ms).
 * Idempotent: called after every change that concerns it. Returns when it
 * wants to be called again although nothing changes (the grace period's end,
 * a promotion due), 0 for never.
 */
double pl_plan(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx);

/*
 * Decides c's paths (its owner's, or the defaults once the grace period is over) if not done
 * yet; pl_plan does it first. Whether they are decided: the daemon sets inputs that depend
 * on the owner (pl_conn.use) after it and before pl_plan.
 */
bool pl_decide(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx);

/* A link or address changed: paths whose create failed are tried again by the next plan. */
void pl_retry(struct pl_conn *c);

#endif
