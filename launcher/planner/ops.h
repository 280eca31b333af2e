/* SPDX-License-Identifier: MIT */
/*
 * The table of path-manager operations the planner acts through (its one
 * contract with whoever carries them out: pathd/pm.c with generic netlink,
 * the unit tests with a recorder). Apart from planner.h so that the
 * planner's own modules (act, modes) can use it without including the
 * planner's entry point.
 */
#ifndef MPTCP_RUN_PLANNER_OPS_H
#define MPTCP_RUN_PLANNER_OPS_H

#include <stdbool.h>

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
	 * subflows). For a path the connection may not use (pl_conn.no_path), whose queue may
	 * hold seconds of data. NULL: subflow_destroy. */
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
	/* A line worth the log at info level: a retry and its reason, a handover, an
	 * interactive switch; NULL: none are formatted. */
	void (*info)(void *ctx, const char *line);
};

#endif
