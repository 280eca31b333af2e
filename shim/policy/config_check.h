/* SPDX-License-Identifier: MIT */
/*
 * What the config loader's files share (inside shim/policy): the libconfig
 * table and the error a load reports (struct mr_config_error, also part of
 * the loader's interface, policy/config_text.h), so that a file of keys
 * (config_modes.c) reports its mistakes through the same error without
 * depending on config_text.c, which hands it its keys.
 */
#ifndef MPTCP_RUN_POLICY_CONFIG_CHECK_H
#define MPTCP_RUN_POLICY_CONFIG_CHECK_H

#include <libconfig.h>

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

#endif
