/* SPDX-License-Identifier: MIT */
/*
 * When the daemon looks at a connection again although nothing happened to
 * it: the end of its grace period, a promotion due, a registration whose
 * connection never came. A binary heap of (time, token), earliest first,
 * so a wake-up costs O(log n) and the loop sleeps until the first one
 * instead of walking every connection. Entries are never removed early: a
 * popped entry whose connection is gone, or was rescheduled, is skipped
 * (pl_conn.wake_at says which entry is current).
 */
#ifndef MPTCP_RUN_PATHD_WAKE_H
#define MPTCP_RUN_PATHD_WAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pathd/conns.h"

#define PD_WAKES ((size_t)2 * PD_CONNS)

struct pd_wake_entry {
	double t;
	uint32_t token;
};

struct pd_wakes {
	struct pd_wake_entry *h; /* PD_WAKES entries, n in use */
	size_t n;
};

bool pd_wakes_init(struct pd_wakes *w);
void pd_wakes_free(struct pd_wakes *w);
/* Schedules c at t (0: nothing), unless it is scheduled earlier already. When the heap is
 * full it is rebuilt from the table's wake_at, one entry per connection. */
void pd_wake_at(struct pd_wakes *w, struct pd_conns *t, struct pl_conn *c, double t_at, double now);
/* The earliest time scheduled, 0 for none. */
double pd_wake_next(const struct pd_wakes *w);
/* The next connection due at now (its wake_at cleared), NULL when none is. */
struct pl_conn *pd_wake_pop(struct pd_wakes *w, struct pd_conns *t, double now);

#endif
