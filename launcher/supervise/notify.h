/* SPDX-License-Identifier: MIT */
/* The supervisor's half: answering the child's notifications (supervise/notify.c). */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_NOTIFY_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_NOTIFY_H

#include "supervise/options.h"
#include "supervise/plan.h"
#include "supervise/sockets.h"
#include "supervise/track.h"

#include <linux/seccomp.h>
#include <stdbool.h>
#include <sys/types.h>

#define LR_SV_OOB_SLOTS 64

struct lr_sv {
	int listener;
	const struct lr_supervise *opt;
	struct lr_sv_plan plan;     /* which calls the filter sends */
	struct lr_sv_sockets socks; /* where our sockets are made */
	/* The program the last notification came from (readlink /proc/TID/exe). */
	char exe[4096];
	struct mr_program prog;
	bool prog_ok;
	unsigned long n_socket, n_mptcp, n_tcp_kept, n_replaced, n_continue;
	unsigned long n_oob, n_optfallback, n_nswatch;
	/* The emulated SO_OOBINLINE values, by socket inode. */
	struct {
		ino_t ino;
		int value;
	} oob[LR_SV_OOB_SLOTS];
	size_t oob_next;
	struct lr_sv_track *track; /* the report, or NULL */
	/* The kernel integrity record, read again every few seconds (listen() only). */
	enum mr_kernel_integrity kernel;
	double kernel_expiry;
};

/* Handles one notification and answers it (always: continue when in doubt). */
void lr_sv_handle(struct lr_sv *sv, const struct seccomp_notif *req,
                  struct seccomp_notif_resp *resp);

/* Shared by the handlers (notify.c, sockopt.c); in answer.c. */
bool lr_sv_still_valid(const struct lr_sv *sv, __u64 id);
/* The kernel's recorded integrity, at most a few seconds old (supervise.c). */
enum mr_kernel_integrity lr_sv_kernel_integrity(struct lr_sv *sv);
/* The policy for the program that thread tid runs now. */
const struct mr_program *lr_sv_program_of(struct lr_sv *sv, pid_t tid);
/*
 * Puts a TCP socket under the child's descriptor number fd in place of the
 * MPTCP socket dup (our copy, closed here). 0; -errno when the swap was made
 * but the local address could not be taken over; 1: nothing done.
 */
int lr_sv_replace_with_tcp(struct lr_sv *sv, const struct seccomp_notif *req, int fd, int dup,
                           bool pinned);
void lr_sv_on_setsockopt(struct lr_sv *sv, const struct seccomp_notif *req,
                         struct seccomp_notif_resp *resp);
void lr_sv_on_getsockopt(struct lr_sv *sv, const struct seccomp_notif *req,
                         struct seccomp_notif_resp *resp);

#endif
