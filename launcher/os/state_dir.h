/* SPDX-License-Identifier: MIT */
/*
 * The folders root keeps mptcp-run's state in (/var/lib/mptcp-run,
 * /run/mptcp-run): created when missing, and refused when something else is
 * there that another user could have made or could change (a symlink, a
 * folder not owned by root, or one that group or others may write), so that a
 * file written there can be trusted by every process that reads it.
 */
#ifndef MPTCP_RUN_LAUNCHER_STATE_DIR_H
#define MPTCP_RUN_LAUNCHER_STATE_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* Creates path (mode 0755, its parent must exist) or checks the one there. false with why. */
bool lr_state_dir(const char *path, char *why, size_t wsize);

/* Checks the folder at path if there is one, creating nothing: a program that can still refuse
 * to start asks this first and creates the folder once it is sure to run, so that a refusal
 * leaves no folder behind. true when path is missing. */
bool lr_state_dir_usable(const char *path, char *why, size_t wsize);

/* The same for the folder that holds file ("." for a bare name, "/" for one at the root):
 * made when make (lr_state_dir), else only checked (lr_state_dir_usable). */
bool lr_state_dir_of(const char *file, bool make, char *why, size_t wsize);

#endif
