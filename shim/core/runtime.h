/* SPDX-License-Identifier: MIT */
/*
 * Process-wide state of the library: the program's resolved policy, the log
 * level, whether MPTCP can be created at all. Initialised once, at the first
 * interposed call that needs it (most processes never create a socket and so
 * never read the config).
 */
#ifndef MPTCP_RUN_CORE_RUNTIME_H
#define MPTCP_RUN_CORE_RUNTIME_H

#include <stdbool.h>

#include "policy/policy.h"

/* What socket() does for an AF_INET/AF_INET6 stream socket of this program. */
enum mr_plan {
	MR_PLAN_PASS,   /* TCP whatever the endpoint: leave every socket alone */
	MR_PLAN_MPTCP,  /* MPTCP whatever the endpoint: upgrade at socket(), no extra call */
	MR_PLAN_DECIDE, /* endpoint-dependent: decide at bind/connect/listen */
};

struct mr_runtime {
	struct mr_policy policy;
	struct mr_program prog;
	enum mr_plan plan;
	bool force;
	bool secure;
	const char *conf_path;
	char exe[256];
};

/* The runtime, initialising it if needed; NULL while it cannot be used (re-entry, disabled). */
const struct mr_runtime *mr_runtime(void);

#endif
