/* SPDX-License-Identifier: MIT */
/* Runs a helper (ip, systemctl) with a fixed argv: no shell ever sees our input. */
#ifndef MPTCP_RUN_LAUNCHER_SPAWN_H
#define MPTCP_RUN_LAUNCHER_SPAWN_H

#include <stddef.h>

/*
 * posix_spawnp(argv[0]) with stdout captured (at most max bytes, the rest is
 * drained) and stderr sent to /dev/null. Returns the exit status (0..255),
 * -1 when it could not run or died of a signal. *out is malloc'd.
 */
int lr_spawn_capture(char *const argv[], size_t max, char **out);

#endif
