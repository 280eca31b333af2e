/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run --timeline FILE CMD`: the launcher forks; the child goes on to
 * run the command as usual (preload library or supervisor), the parent
 * samples the command's MPTCP connections from the outside every interval
 * and writes them to FILE (live/timeline.h), then exits as the command did.
 * Nothing runs inside the program.
 */
#ifndef MPTCP_RUN_LAUNCHER_CMD_TIMELINE_H
#define MPTCP_RUN_LAUNCHER_CMD_TIMELINE_H

#include <stdbool.h>

/*
 * Creates FILE (truncated) and forks. Returns 0 in the child, which runs the
 * command; in the parent does not return. A negative exit status (-2: FILE
 * cannot be written, -1: fork failed) when nothing was started.
 */
int lr_timeline_start(const char *file, double interval, char **cmd_argv);

/* "0.2" -> 0.2 s, within 0.01..60; false when not. */
bool lr_timeline_interval(const char *s, double *out);

#endif
