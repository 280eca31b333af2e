/* SPDX-License-Identifier: MIT */
/* What the loop benchmarks share: the wall clock of a batch, and the order of batch times
 * (sorted for the median and the best). */
#ifndef MPTCP_RUN_BENCH_TIME_H
#define MPTCP_RUN_BENCH_TIME_H

#include <time.h>

static inline double bench_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* qsort() order of doubles, smallest first. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#endif
