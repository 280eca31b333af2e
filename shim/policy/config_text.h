/* SPDX-License-Identifier: MIT */
/*
 * Config text -> struct mr_policy, strictly validated: unknown keys and wrong
 * types are errors with file:line, because a typo that silently changes which
 * program gets MPTCP is worse than a refusal.
 *
 * Pure, like the rest of the policy engine: the text comes in as bytes, and the
 * libconfig functions come in as a table from the caller, linked
 * (shim/kernel/libconfig_linked.c) or opened on demand inside the preload
 * library (shim/kernel/libconfig_dl.c). Reading a file is
 * shim/kernel/config_file.c's job.
 */
#ifndef MPTCP_RUN_POLICY_CONFIG_TEXT_H
#define MPTCP_RUN_POLICY_CONFIG_TEXT_H

#include <libconfig.h>

/* The libconfig table (struct mr_libconfig) and the error (struct mr_config_error). */
#include "policy/config_check.h"
#include "policy/policy.h"

/*
 * Hands out the table, or NULL with *why set (static text). Called at most once
 * per parse, and only once the text passed the checks that need no libconfig.
 */
typedef const struct mr_libconfig *(*mr_libconfig_get)(const char **why);

/*
 * Parses config text. `name` is the file name used in messages. Returns 0 and
 * fills *out, or -1 and fills *err (and *out is the built-in policy).
 */
int mr_config_parse(mr_libconfig_get get, const char *text, size_t len, const char *name,
                    struct mr_policy *out, struct mr_config_error *err);

/* "file:line: text" or "file: text" into buf. */
size_t mr_config_format_error(const struct mr_config_error *err, char *buf, size_t size);

#endif
