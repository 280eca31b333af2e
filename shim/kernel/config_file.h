/* SPDX-License-Identifier: MIT */
/*
 * Reading the policy file: one open/fstat/read, with the trust checks made on
 * the opened descriptor, then the pure parser (policy/config_text.h).
 * Shared by the preload library and every front-end, so that all of them
 * accept and refuse the same files.
 */
#ifndef MPTCP_RUN_KERNEL_CONFIG_FILE_H
#define MPTCP_RUN_KERNEL_CONFIG_FILE_H

#include "policy/config_text.h"

#define MR_SYSTEM_CONF   "/etc/mptcp-run.conf"
#define MR_CONF_MAX_SIZE (1024 * 1024) /* larger files are refused, not truncated */

enum {
	/* Refuse a file not owned by root (secure-execution mode). */
	MR_CONF_REQUIRE_ROOT = 1 << 0,
	/* Refuse a file anyone may write (the system config, always). */
	MR_CONF_REFUSE_WORLD_WRITABLE = 1 << 1,
};

enum mr_load_result {
	MR_LOAD_OK = 0,
	MR_LOAD_MISSING = 1, /* ENOENT: the caller uses the built-in policy */
	MR_LOAD_ERROR = -1,  /* *err says why (file:line for syntax and value errors) */
};

/* Reads and parses a config file with open/fstat/read (no stdio, no locks held). */
enum mr_load_result mr_config_load(mr_libconfig_get get, const char *path, unsigned flags,
                                   struct mr_policy *out, struct mr_config_error *err);

#endif
