/* SPDX-License-Identifier: MIT */
/* The daemon's time: monotonic milliseconds, as the planner and the wake-ups count it. */
#ifndef MPTCP_RUN_PATHD_CLOCK_H
#define MPTCP_RUN_PATHD_CLOCK_H

double pd_now_ms(void);

#endif
