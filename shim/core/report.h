/* SPDX-License-Identifier: MIT */
/*
 * Connection report (MPTCP_RUN_REPORT=FILE, `mptcp-run --report FILE`): one
 * JSON line per handled socket, appended when it is closed or at exit.
 * Reporting never costs the program anything but time: every failure is
 * swallowed.
 */
#ifndef MPTCP_RUN_REPORT_H
#define MPTCP_RUN_REPORT_H

#include <stdbool.h>

#include "core/fdtable.h"

/* True once mr_report_init() opened the report file. Read on every close(). */
extern bool mr_report_enabled;

/* Called once from the runtime's initialisation with $MPTCP_RUN_REPORT (never in
 * secure-execution mode). */
void mr_report_init(const char *path);

/* The report's descriptor, or -1: close_range()/closefrom() should leave it open. */
int mr_report_fd(void);

/* Called by close() (and close_range/closefrom) for a managed entry before it is forgotten. */
void mr_report_close(int fd, struct mr_fd *e);

#endif
