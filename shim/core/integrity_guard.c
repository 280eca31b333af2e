/* SPDX-License-Identifier: MIT */
/* The listener guard against the kernel's multi-path data fault (core/integrity_guard.h). */
#include "core/integrity_guard.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/pathd_channel.h"
#include "kernel/clock.h"
#include "kernel/integrity_file.h"

/* A record written by `check` while a server runs is seen by its next listen() after this. */
#define RECHECK_S 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t expiry_s;
static enum mr_kernel_integrity state;
static struct mr_integrity_record rec;
static char ignored[160]; /* why no record applies */

bool mr_listener_may_be_mptcp(const struct mr_runtime *rt, char *why, size_t wsize)
{
	if (mr_integrity_listener_may_be_mptcp(rt->prog.integrity, MR_KI_UNKNOWN, false))
		return true; /* accept-risk: no need to read the record */
	pthread_mutex_lock(&lock);
	int64_t now = mr_coarse_s();
	if (!expiry_s || now >= expiry_s) {
		state = mr_kernel_integrity_read(MR_INTEGRITY_FILE, &rec, ignored, sizeof(ignored));
		expiry_s = now + RECHECK_S;
	}
	enum mr_kernel_integrity s = state;
	if (s == MR_KI_MISORDERS)
		snprintf(why, wsize,
		         "kernel %s misorders data received on joined subflows (%d of %d transfers "
		         "in mptcp-run check); integrity = \"accept-risk\" allows it",
		         rec.release, rec.misordered, rec.runs);
	else if (s == MR_KI_UNKNOWN)
		snprintf(why, wsize,
		         "this kernel has not been checked for the multi-path data fault (%s): run "
		         "`mptcp-run check` as root (it says how to take joins safely), or "
		         "integrity = \"accept-risk\"",
		         ignored);
	pthread_mutex_unlock(&lock);
	if (s == MR_KI_INTACT)
		return true;
	/* Peers may join only what the path daemon announces, and it is there: protected. */
	return mr_integrity_listener_may_be_mptcp(
	    rt->prog.integrity, s, mr_kernel_joins_announced_only() && mr_pathd_chan_ready());
}
