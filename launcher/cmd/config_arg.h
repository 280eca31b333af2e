/* SPDX-License-Identifier: MIT */
/* Config loading for the sub-commands, with the library's own loader (shim/kernel/config_file.h).
 */
#ifndef MPTCP_RUN_LAUNCHER_CONF_H
#define MPTCP_RUN_LAUNCHER_CONF_H

#include "kernel/config_file.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Makes a -c argument absolute (the program may chdir; the library reads the
 * path later) into out. Returns false with a message printed when the file
 * does not exist.
 */
bool lr_conf_abs_path(const char *arg, char *out, size_t size);

/*
 * Loads a config as the library does. A named file (-c, MPTCP_RUN_CONF) must
 * exist; the system config may be missing, then *p is the built-in policy and
 * *builtin is set. On error the
 * message (file:line: text) is in msg and the return value is false.
 */
/* The config the library will read when no -c is given: MPTCP_RUN_CONF or the system one. */
const char *lr_conf_default(bool *named);

bool lr_conf_load(const char *path, bool named, struct mr_policy *p, bool *builtin, char *msg,
                  size_t size);

/*
 * The policy a sub-command works on: the -c argument (made absolute) or the
 * library's default, loaded. The file's path goes to path (size bytes). On
 * error the message is printed and the return value is false (exit 2).
 */
bool lr_conf_open(const char *conf_arg, struct mr_policy *p, bool *builtin, char *path,
                  size_t size);

#endif
