/* SPDX-License-Identifier: MIT */
/* Knowledge about socket options: emulation, defaults, replay, names (core/option_rules.c). */
#ifndef MPTCP_RUN_CORE_OPTION_RULES_H
#define MPTCP_RUN_CORE_OPTION_RULES_H

#include <stdbool.h>
#include <sys/socket.h>

#include "core/fdtable.h"

/* An option MPTCP refuses whose effect no program can observe on an MPTCP connection. */
bool mr_option_emulable(int level, int name);
/*
 * The replay of a recorded option on a new socket: 0 when set, emulated, or not
 * needed because the value is what a fresh socket has anyway; -1 when the new
 * socket refuses a value that matters (errno set).
 */
int mr_option_replay(int nfd, struct mr_fd *e, bool v6, bool to_mptcp, struct mr_opt *o);
/* A human name for an option, for log lines ("TCP_USER_TIMEOUT"), or NULL. */
const char *mr_option_name(int level, int name);

#endif
