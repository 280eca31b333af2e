/* SPDX-License-Identifier: MIT */
/*
 * Connection report (MPTCP_RUN_REPORT=FILE, `mptcp-run --report FILE`): one
 * JSON line per handled socket, appended when it is closed or at exit.
 * Reporting never costs the program anything but time: every failure is
 * swallowed.
 */
#ifndef MPTCP_RUN_CORE_REPORT_H
#define MPTCP_RUN_CORE_REPORT_H

#include <stdbool.h>

#include "core/fdtable.h"
#include "policy/policy.h"

/* True once mr_report_open() opened the report file. Read on every close(). */
extern bool mr_report_enabled;

/*
 * Opens the report file (called once by the runtime, never in secure-execution
 * mode). sample N > 1 (MPTCP_RUN_REPORT_SAMPLE): one accepted connection in N
 * gets a line, for servers whose accept loop cannot afford one per connection.
 */
void mr_report_open(const char *path, unsigned sample);

/* 1, or the N of "one accepted connection in N". */
extern unsigned mr_report_sample;

/* The report's descriptor, or -1: close_range()/closefrom() should leave it open. */
int mr_report_fd(void);

/*
 * Writes fd's line (at = "close" or "exit") for a managed entry before it is
 * forgotten. prog is the program's resolved policy (NULL when the runtime is not
 * usable), exe its path; errno is preserved.
 */
void mr_report_socket(int fd, struct mr_fd *e, const char *at, const struct mr_program *prog,
                      const char *exe);

#endif
