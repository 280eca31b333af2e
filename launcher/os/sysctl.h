/* SPDX-License-Identifier: MIT */
/* Reading a /proc/sys value: `mptcp-run check` and the path daemon's PM checks. */
#ifndef MPTCP_RUN_LAUNCHER_SYSCTL_H
#define MPTCP_RUN_LAUNCHER_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

/* The value's first line without trailing blanks; false (errno) when it cannot be read. */
bool lr_read_sysctl(const char *path, char *buf, size_t size);

#endif
