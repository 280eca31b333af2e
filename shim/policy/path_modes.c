/* SPDX-License-Identifier: MIT */
/*
 * A program's path mode and its tuning, resolved key by key from its section,
 * defaults and the built-in values. Pure, like the rest of the engine: the
 * daemon's planner and `mptcp-run explain` share it, so a mode means the same
 * thing in both.
 */
#include <string.h>

#include "policy/policy.h"

const struct mr_path_tuning mr_path_tuning_builtin = {.v = {
                                                          [MR_MK_MODE] = MR_PATH_AGGREGATE,
                                                          [MR_MK_STALL] = 1000,
                                                          [MR_MK_RTT] = 0,
                                                          [MR_MK_LOSS] = 0,
                                                          [MR_MK_EVERY] = 1000,
                                                          [MR_MK_BETTER] = 20,
                                                          [MR_MK_HOLD] = 3000,
                                                      }};

void mr_program_path_mode(const struct mr_policy *p, const struct mr_program *prog,
                          struct mr_path_tuning *out, struct mr_path_tuning_source *src)
{
	const struct mr_mode_keys *sec = prog && prog->section ? &prog->section->path_modes : NULL;
	const struct mr_mode_keys *def = &p->default_path_modes;
	for (int k = 0; k < MR_MK_COUNT; k++) {
		enum mr_origin o = MR_FROM_BUILTIN;
		int line = 0, v = mr_path_tuning_builtin.v[k];
		if (sec && sec->line[k] > 0) {
			o = MR_FROM_SECTION;
			line = sec->line[k];
			v = sec->v[k];
		} else if (def->line[k] > 0) {
			o = MR_FROM_DEFAULTS;
			line = def->line[k];
			v = def->v[k];
		}
		out->v[k] = v;
		if (src) {
			src->origin[k] = o;
			src->line[k] = line;
		}
	}
}

const char *mr_path_mode_name(enum mr_path_mode m)
{
	switch (m) {
	case MR_PATH_HANDOVER:
		return "handover";
	case MR_PATH_INTERACTIVE:
		return "interactive";
	default:
		return "aggregate";
	}
}

const char *mr_mode_key_name(enum mr_mode_key k)
{
	static const char *const names[MR_MK_COUNT] = {
	    "path_mode",           "handover.stall_ms",    "handover.rtt_ms",
	    "handover.loss_pct",   "interactive.every_ms", "interactive.better_pct",
	    "interactive.hold_ms",
	};
	return (int)k >= 0 && k < MR_MK_COUNT ? names[k] : "?";
}
