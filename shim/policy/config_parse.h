/* SPDX-License-Identifier: MIT */
/*
 * What the config loader's files share (internal to shim/policy): the parse
 * context and the checks every key goes through, so that each file of keys
 * (config_text.c, config_budget.c) reports a mistake the same way: file:line,
 * what was expected, what was found.
 */
#ifndef MPTCP_RUN_POLICY_CONFIG_PARSE_H
#define MPTCP_RUN_POLICY_CONFIG_PARSE_H

#include <libconfig.h>
#include <stdbool.h>

#include "policy/config_text.h"

struct mr_cfg {
	const char *name;
	struct mr_config_error *err;
	const struct mr_libconfig *lc;
};

/* Records the error at s's line; returns -1. */
__attribute__((format(printf, 3, 4))) int mr_cfg_fail(struct mr_cfg *c, const config_setting_t *s,
                                                      const char *fmt, ...);
/* "a group { }", "a number", ... for messages. */
const char *mr_cfg_type_name(int t);
bool mr_cfg_is_seq(const config_setting_t *s);
/* The UTF-8 string of s, or NULL with the error recorded. */
const char *mr_cfg_string(struct mr_cfg *c, const config_setting_t *s, const char *what);
int mr_cfg_bool(struct mr_cfg *c, const config_setting_t *s, const char *key, int *out);
int mr_cfg_group(struct mr_cfg *c, const config_setting_t *s, const char *what);

/* ---- config_budget.c: kinds, metered, budgets, over_budget ---- */

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
