/* SPDX-License-Identifier: MIT */
/* --root DIR handling: every system path is built under it, with bounded joins. */
#ifndef MPTCP_RUN_LAUNCHER_ROOTDIR_H
#define MPTCP_RUN_LAUNCHER_ROOTDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Resolves a --root argument (must be an existing directory) into out, "" for "/". */
bool lr_root_resolve(const char *arg, char *out, size_t size);

/* root + path into out; false (with a message) when it does not fit. */
bool lr_join(char *out, size_t size, const char *root, const char *path);

#endif
