/* SPDX-License-Identifier: MIT */
/* The daemon's time: monotonic milliseconds, as the planner and the wake-ups count it; and the
 * local calendar hour, which budget periods are made of. */
#ifndef MPTCP_RUN_PATHD_CLOCK_H
#define MPTCP_RUN_PATHD_CLOCK_H

#include "planner/budget.h"

double pd_now_ms(void);
struct pl_date pd_local_date(void);

#endif
