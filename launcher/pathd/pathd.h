/* SPDX-License-Identifier: MIT */
/*
 * The path daemon (`mptcp-run pathd`): the userspace MPTCP path manager that
 * gives each connection exactly the paths its program lists (issue 13).
 * It owns the network namespace's path manager while it runs (switching
 * net.mptcp.path_manager to "userspace" and back on every exit it can see),
 * refuses to start next to another userspace path manager, and learns which
 * program owns a connection from the library's registration (pathd/reg.h).
 */
#ifndef MPTCP_RUN_PATHD_PATHD_H
#define MPTCP_RUN_PATHD_PATHD_H

#include <stdbool.h>

#include "kernel/pathd_sock.h"
#include "policy/policy.h"

/* The registration socket has one definition, shared with the library. */
#define PD_DEFAULT_SOCKET MR_PATHD_SOCKET
#define PD_DEFAULT_STATE  "/run/mptcp-run/pathd.json"

struct pd_options {
	const char *conf_path; /* for messages */
	const struct mr_policy *policy;
	const char *socket_path; /* registration socket */
	const char *state_path;  /* live view for `mptcp-run paths`; NULL: none */
	const char *usage_path;  /* byte counts across restarts (pathd/usage.h); NULL: none */
	bool debug;
	int grace_ms;   /* how long an unregistered connection waits before the defaults apply */
	int promote_ms; /* a protected join is made active this long after it is established */
	int ready_fd;   /* written to once running (-1: none) */
};

/* Runs until SIGINT/SIGTERM/SIGHUP. Returns the exit status (0, 1 on failure to start). */
int pd_run(const struct pd_options *o);

#endif
