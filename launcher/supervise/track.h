/* SPDX-License-Identifier: MIT */
/*
 * The report under the supervisor (supervise/track.c): the sockets the
 * supervisor handled, sampled while they live, one report line each (the
 * library's format, format/report_line.h) once they are gone.
 */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_TRACK_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_TRACK_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "policy/policy.h"

struct lr_sv_track;

/* Opens the report (O_APPEND); NULL when path is NULL or it cannot be opened (said once). */
struct lr_sv_track *lr_sv_track_open(const char *path);
void lr_sv_track_close(struct lr_sv_track *t);

/* How often the sockets are sampled, and a gone one found (milliseconds). */
#define LR_SV_SAMPLE_MS 200

/* A socket the supervisor installed (MPTCP) or put in place (TCP) under fd of thread tid. */
void lr_sv_track_add(struct lr_sv_track *t, pid_t tid, int fd, int ours, const char *program,
                     bool pinned);
/*
 * What the policy said at connect()/listen() for the socket under fd, with the
 * rule in words; ep is the endpoint judged.
 */
void lr_sv_track_judged(struct lr_sv_track *t, pid_t tid, int fd, enum mr_role role,
                        const struct mr_program *prog, const struct mr_decision *d,
                        const struct sockaddr_storage *remote);
/*
 * Samples every tracked socket and writes the line of each one that is gone
 * (at "close"); with at_exit, the lines of all of them (at "exit"), as the
 * last process using the filter is gone. Returns how many are still tracked.
 */
size_t lr_sv_track_sweep(struct lr_sv_track *t, bool at_exit);

#endif
