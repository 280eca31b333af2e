/* SPDX-License-Identifier: MIT */
/*
 * Closing: a managed descriptor is reported (when a report is open), checked
 * for a late fallback, and forgotten before the real close, so that a socket()
 * in another thread that gets the same number is not forgotten after it.
 * Async-signal-safe: close() may run in a signal handler.
 */
#include <errno.h>
#include <linux/close_range.h>
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "core/pathd_channel.h"
#include "core/pathsnap.h"
#include "core/process.h"
#include "core/report.h"
#include "core/runtime.h"
#include "kernel/real.h"

static void report(int fd, struct mr_fd *e, const char *at)
{
	const struct mr_runtime *rt = mr_runtime();
	mr_report_socket(fd, e, at, rt ? &rt->prog : NULL, rt ? rt->exe : NULL);
}

static void report_if_managed(int fd)
{
	struct mr_fd *e = mr_fd_get(fd);
	if (e && (mr_fd_state(e) & MR_ST_MANAGED))
		report(fd, e, "close");
}

/* A connection whose paths a report may lose: managed, live, and the writing side ending. */
static bool snapshot_due(int fd, int how)
{
	struct mr_fd *e;
	return __builtin_expect(mr_report_enabled, 0) && how != SHUT_RD && (e = mr_fd_get(fd)) &&
	       (mr_fd_state(e) & (MR_ST_MANAGED | MR_ST_LIVE)) == (MR_ST_MANAGED | MR_ST_LIVE) &&
	       !mr_in_vfork_child();
}

/*
 * Before the DATA_FIN leaves: when the peer has closed its side already, the kernel ends
 * the connection and resets its subflows as soon as the DATA_FIN is acknowledged, which
 * on a fast path is before shutdown() has even returned. The report then has these
 * figures (taken again after the call if the subflows are still there).
 */
void mr_before_shutdown(int fd, int how)
{
	int err = errno;
	if (snapshot_due(fd, how))
		mr_pathsnap_take(fd);
	errno = err;
}

void mr_after_shutdown(int fd, int how, int rc)
{
	int err = errno;
	struct mr_fd *e = mr_fd_get(fd);
	uint32_t st = e ? mr_fd_state(e) : 0;
	if (!(st & MR_ST_MANAGED) || mr_in_vfork_child()) {
		errno = err;
		return;
	}
	if (!(st & (MR_ST_LIVE | MR_ST_CONNECTING)))
		mr_note_shutdown(e, how, rc);
	/* Later figures when the subflows are still there (pathsnap keeps the earlier ones
	 * when they are gone). */
	else if (rc == 0 && snapshot_due(fd, how))
		mr_pathsnap_take(fd);
	errno = err;
}

void mr_before_close(int fd)
{
	struct mr_fd *e = mr_fd_get(fd);
	if (!e || !mr_fd_state(e) || mr_in_vfork_child())
		return;
	if (__builtin_expect(mr_report_enabled, 0))
		report_if_managed(fd);
	if (mr_fd_state(e) & MR_ST_CHECK_FB)
		mr_check_fallback_at_close(fd, e);
	mr_fd_forget(fd);
}

/*
 * A program closing "everything" (daemons do at start) means its own
 * descriptors, not the library's: the report file and the path daemon's
 * channel are kept, and both are O_CLOEXEC, so an exec still drops them.
 */
static int close_range_keeping(unsigned int first, unsigned int last, int flags)
{
	int keep[2] = {mr_report_enabled && !(flags & CLOSE_RANGE_CLOEXEC) ? mr_report_fd() : -1,
	               flags & CLOSE_RANGE_CLOEXEC ? -1 : mr_pathd_chan_fd()};
	if (keep[0] > keep[1]) {
		int t = keep[0];
		keep[0] = keep[1];
		keep[1] = t;
	}
	int rc = 0;
	unsigned int from = first;
	for (int i = 0; i < 2 && rc == 0; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from || (unsigned int)keep[i] > last)
			continue;
		if ((unsigned int)keep[i] > from)
			rc = real_close_range(from, (unsigned int)keep[i] - 1, flags);
		if ((unsigned int)keep[i] == last)
			return rc;
		from = (unsigned int)keep[i] + 1;
	}
	return rc == 0 ? real_close_range(from, last, flags) : rc;
}

/* What close() does before the real call, for each descriptor of a range. */
static void before_close_range(unsigned int first, unsigned int last, int flags)
{
	if (__builtin_expect(mr_report_enabled, 0) && !(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned int fd = first; fd <= last && fd < MR_FD_MAX; fd++)
			report_if_managed((int)fd);
	/* Forget first, as close() does: a socket() racing in another thread that gets one of
	 * these numbers must not be forgotten after it was set up. */
	if (first <= last && !(flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)) &&
	    !(flags & CLOSE_RANGE_CLOEXEC) && !mr_in_vfork_child())
		mr_fd_forget_range(first, last);
}

int mr_close_range(unsigned int first, unsigned int last, int flags)
{
	before_close_range(first, last, flags);
	return close_range_keeping(first, last, flags);
}

/* closefrom(n) is close_range(n, ~0U, 0) that cannot fail. */
void mr_closefrom(int lowfd)
{
	if (lowfd < 0) {
		real_closefrom(lowfd);
		return;
	}
	before_close_range((unsigned int)lowfd, ~0U, 0);
	if ((__builtin_expect(mr_report_enabled, 0) && mr_report_fd() >= lowfd) ||
	    mr_pathd_chan_fd() >= lowfd)
		close_range_keeping((unsigned int)lowfd, ~0U, 0);
	else
		real_closefrom(lowfd);
}

void mr_report_at_exit(void)
{
	int saved = errno;
	if (!mr_report_enabled)
		return;
	for (int fd = 0; fd < MR_FD_MAX; fd++) {
		struct mr_fd *e = mr_fd_get(fd);
		if (!e) {
			fd |= 1023; /* a chunk that was never allocated holds no entry */
			continue;
		}
		if (mr_fd_state(e) & MR_ST_MANAGED) {
			report(fd, e, "exit");
			mr_fd_forget(fd);
		}
	}
	errno = saved;
}
