/* SPDX-License-Identifier: MIT */
/*
 * What was open before the daemon saw it start (a restart, or events lost):
 * the connections of the userspace path manager from sock_diag with their
 * subflows and ports, and each one's program from the process holding its
 * socket's inode (/proc/PID/fd), so the planner applies the config to them
 * as to new ones.
 */
#ifndef MPTCP_RUN_PATHD_ADOPT_H
#define MPTCP_RUN_PATHD_ADOPT_H

struct pd_daemon;

/* Adopts what sock_diag shows; a failed dump is a warning (managed partly). */
void pd_adopt(struct pd_daemon *d);

#endif
