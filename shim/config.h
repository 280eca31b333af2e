/* SPDX-License-Identifier: MIT */
/*
 * The config loader: libconfig text -> struct mr_policy.
 *
 * mr_config_parse() is pure (text in, policy out) so it can be unit-tested and
 * fuzzed; mr_config_load() adds the one file read and the trust checks.
 */
#ifndef MPTCP_RUN_CONFIG_H
#define MPTCP_RUN_CONFIG_H

#include "policy.h"

#define MR_SYSTEM_CONF   "/etc/mptcp-run.conf"
#define MR_CONF_MAX_SIZE (1024 * 1024) /* larger files are refused, not truncated */

struct mr_config_error {
	char file[256];
	int line; /* 0 when the error is about the file as a whole */
	char text[256];
};

/*
 * Parses config text. `name` is the file name used in messages. Returns 0 and
 * fills *out, or -1 and fills *err (and *out is left empty).
 */
int mr_config_parse(const char *text, size_t len, const char *name, struct mr_policy *out,
                    struct mr_config_error *err);

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
enum mr_load_result mr_config_load(const char *path, unsigned flags, struct mr_policy *out,
                                   struct mr_config_error *err);

/* "file:line: text" or "file: text" into buf. */
size_t mr_config_format_error(const struct mr_config_error *err, char *buf, size_t size);

#endif
