/* SPDX-License-Identifier: MIT */
/* The folder a daemon keeps its socket and state in (/run/mptcp-run). */
#ifndef MPTCP_RUN_LAUNCHER_RUNDIR_H
#define MPTCP_RUN_LAUNCHER_RUNDIR_H

#include <stddef.h>

/*
 * Makes sure the folder holding `file` can be trusted with a daemon's files: created
 * (mode 0755, owned by the caller, root for the path daemon) when missing, its parent
 * existing; refused when it is a symbolic link, not a folder, owned by another user than
 * root or the caller, or writable by group or others (someone else could replace the
 * files in it). Returns 0, or a negative errno with the reason in why.
 */
int lr_run_dir(const char *file, char *why, size_t wsize);

#endif
