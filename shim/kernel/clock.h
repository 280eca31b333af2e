/* SPDX-License-Identifier: MIT */
/* The library's one clock for its caches: coarse monotonic time, read in the vDSO. */
#ifndef MPTCP_RUN_KERNEL_CLOCK_H
#define MPTCP_RUN_KERNEL_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * CLOCK_MONOTONIC_COARSE: no system call on the connect() path, and a few
 * milliseconds of resolution, which is all a cache expiring in seconds needs.
 */
static inline int64_t mr_coarse_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t mr_coarse_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec;
}

#endif
