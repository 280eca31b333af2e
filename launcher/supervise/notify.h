/* SPDX-License-Identifier: MIT */
/* The supervisor's half: answering the child's notifications (supervise/notify.c). */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_NOTIFY_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_NOTIFY_H

#include "supervise/options.h"
#include "supervise/track.h"

#include <linux/seccomp.h>
#include <stdbool.h>
#include <sys/types.h>

#define LR_SV_OOB_SLOTS 64

struct lr_sv {
	int listener;
	const struct lr_supervise *opt;
	dev_t own_net_dev;
	ino_t own_net_ino;
	int own_net_fd; /* our network namespace, to come back after setns */
	/* The program the last notification came from (readlink /proc/TID/exe). */
	char exe[4096];
	struct mr_program prog;
	bool prog_ok;
	unsigned long n_socket, n_mptcp, n_tcp_kept, n_replaced, n_continue;
	unsigned long n_oob, n_optfallback;
	/* The emulated SO_OOBINLINE values, by socket inode. */
	struct {
		ino_t ino;
		int value;
	} oob[LR_SV_OOB_SLOTS];
	size_t oob_next;
	struct lr_sv_track *track; /* the report, or NULL */
	bool warned_netns;
};

/* Handles one notification and answers it (always: continue when in doubt). */
void lr_sv_handle(struct lr_sv *sv, const struct seccomp_notif *req,
                  struct seccomp_notif_resp *resp);

void lr_sv_debug(const struct lr_sv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
