/* SPDX-License-Identifier: MIT */
/* What the supervisor is run with: the policy and the launcher's options. */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_OPTIONS_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_OPTIONS_H

#include <stdbool.h>

#include "policy/policy.h"
#include "supervise/plan.h"

struct lr_supervise {
	const struct mr_policy *policy;
	bool force;         /* MPTCP_RUN_FORCE: defaults.mode becomes mptcp */
	bool debug;         /* one line per decision on stderr */
	bool warn_setid;    /* the command is set-ID: say so if no_new_privs had to be set */
	const char *report; /* MPTCP_RUN_REPORT: the report file, or NULL */
	struct lr_sv_levers levers; /* MPTCP_RUN_SUPERVISE_OFF switches them off (benchmarks) */
};

/* A debug line of the supervisor (opt->debug, -d): "mptcp-run: supervise: ..." on stderr. */
void lr_sv_debug(const struct lr_supervise *opt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
