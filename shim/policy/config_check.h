/* SPDX-License-Identifier: MIT */
/*
 * What the config loader's files share (inside shim/policy): the libconfig
 * table and the error a load reports (struct mr_config_error, also part of
 * the loader's interface, policy/config_text.h), the parse context, and the
 * checks every key goes through, so that each file of keys (config_text.c,
 * config_budget.c, config_modes.c) reports a mistake the same way: file:line,
 * what was expected, what was found, without depending on config_text.c,
 * which hands it its keys.
 */
#ifndef MPTCP_RUN_POLICY_CONFIG_CHECK_H
#define MPTCP_RUN_POLICY_CONFIG_CHECK_H

#include <libconfig.h>
#include <stdbool.h>

#include "policy/policy.h"

struct mr_config_error {
	char file[256];
	int line; /* 0 when the error is about the file as a whole */
	char text[256];
};

/* The libconfig functions the parser calls (its macros only read fields). */
struct mr_libconfig {
	void (*init)(config_t *);
	void (*destroy)(config_t *);
	int (*read_string)(config_t *, const char *);
	long long (*get_int64)(const config_setting_t *);
	int (*get_bool)(const config_setting_t *);
	const char *(*get_string)(const config_setting_t *);
	int (*length)(const config_setting_t *);
	config_setting_t *(*get_elem)(const config_setting_t *, unsigned int);
};

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

#endif
