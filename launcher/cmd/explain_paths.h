/* SPDX-License-Identifier: MIT */
/* `mptcp-run explain`'s paths, as they are now (cmd/explain_paths.c). */
#ifndef MPTCP_RUN_CMD_EXPLAIN_PATHS_H
#define MPTCP_RUN_CMD_EXPLAIN_PATHS_H

#include "policy/policy.h"

/*
 * Prints the paths program prog (executable exe) gets, each with its interfaces now (by
 * device or kind), its budgets and their use (from the path daemon's state file at
 * state_path, when it runs), what a spent budget does, and the paths it would use now.
 * Nothing for a config without paths.
 */
void lr_explain_paths(const struct mr_policy *p, const struct mr_program *prog, const char *exe,
                      const char *state_path);

#endif
