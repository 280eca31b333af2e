/* SPDX-License-Identifier: MIT */
/* Where the preload library is: next to the launcher (build tree) or MR_LIBDIR. */
#ifndef MPTCP_RUN_LAUNCHER_LIBPATH_H
#define MPTCP_RUN_LAUNCHER_LIBPATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Absolute path of libmptcp-run.so into out. A copy in the directory of
 * /proc/self/exe wins, so a build tree's launcher uses the build tree's
 * library. Returns whether the file exists.
 */
bool lr_lib_path(char *out, size_t size);

#endif
