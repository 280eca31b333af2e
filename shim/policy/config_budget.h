/* SPDX-License-Identifier: MIT */
/*
 * The config keys of metered paths, data budgets and interface kinds (inside
 * shim/policy; config_text.c calls them for the keys they own).
 */
#ifndef MPTCP_RUN_POLICY_CONFIG_BUDGET_H
#define MPTCP_RUN_POLICY_CONFIG_BUDGET_H

#include "policy/config_check.h"

/* A key of a path definition it owns (kind, metered, budget): *handled, and 0 or -1. */
int mr_cfg_path_key(struct mr_cfg *c, const config_setting_t *m, const char *path,
                    struct mr_path *x, bool *handled);
/* A path definition once read whole: a device or a kind, a kind not used twice. */
int mr_cfg_path_done(struct mr_cfg *c, const config_setting_t *s, const struct mr_policy *p,
                     const struct mr_path *x);
/* `budgets = { PATH = "500M/day"; ... }` of a program section or of defaults. */
int mr_cfg_budgets(struct mr_cfg *c, const config_setting_t *s, const struct mr_policy *p,
                   struct mr_budgets *out);
/* `over_budget = "leave" | "stay"`. */
int mr_cfg_over_budget(struct mr_cfg *c, const config_setting_t *s, int *out, int *line);

#endif
