/* SPDX-License-Identifier: MIT */
/*
 * Launcher messages on stderr, all prefixed with "mptcp-run: " so they can be
 * told apart from the output of the program being run.
 */
#ifndef MPTCP_RUN_LAUNCHER_MSG_H
#define MPTCP_RUN_LAUNCHER_MSG_H

#include <stdbool.h>

/* -q: warnings are dropped, errors are still printed (the exit status alone is not enough). */
extern bool lr_quiet;

void lr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
