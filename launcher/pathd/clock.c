/* SPDX-License-Identifier: MIT */
#include "pathd/clock.h"

#include <time.h>

double pd_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct pl_date pd_local_date(void)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return (struct pl_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour};
}
