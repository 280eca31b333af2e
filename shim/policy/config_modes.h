/* SPDX-License-Identifier: MIT */
/*
 * The path-mode keys of the config (path_mode, handover = { }, interactive =
 * { }, in defaults or a program section), parsed and checked: config_text.c
 * hands each key of those two levels here first. Pure, like the rest of the
 * loader: libconfig's functions come in as its table.
 */
#ifndef MPTCP_RUN_POLICY_CONFIG_MODES_H
#define MPTCP_RUN_POLICY_CONFIG_MODES_H

#include <stdbool.h>

#include "policy/config_check.h"
#include "policy/policy.h"

/*
 * One key m of defaults or of a program section. *handled false: not a path-mode key, nothing
 * done. Returns 0, or -1 with err's line and text set (a wrong type, an unknown mode or key, a
 * value out of range).
 */
int mr_config_mode_key(const struct mr_libconfig *lc, const config_setting_t *m,
                       struct mr_mode_keys *k, bool *handled, struct mr_config_error *err);

#endif
