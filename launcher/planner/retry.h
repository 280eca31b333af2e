/* SPDX-License-Identifier: MIT */
/*
 * Subflows that come back: a path whose subflow failed (refused, never
 * established, reset, closed by the peer, stalled or too slow) while its
 * interface and address are still there is tried again after a delay that
 * doubles with each failure in a row, 1 s to 60 s, and the count starts
 * again once a subflow on it has carried data for as long as the last delay.
 * Pure: the time is an argument; the planner logs each retry with its reason.
 */
#ifndef MPTCP_RUN_PLANNER_RETRY_H
#define MPTCP_RUN_PLANNER_RETRY_H

#include <stddef.h>

#include "planner/model.h"

#define PL_RETRY_FIRST_MS    1000.
#define PL_RETRY_MAX_MS      60000.
#define PL_UNREACHABLE_FAILS 3 /* failures in a row that make a path "unreachable" */

/* The wait after `fails` failures in a row (0 for none). */
double pl_retry_delay_ms(int fails);
/* Records a failure of path (a policy index; others are ignored) at now. */
void pl_retry_fail(struct pl_conn *c, int path, enum pl_fail why, int err, double now);
/* Whether a subflow on path may be made now. */
bool pl_retry_allows(const struct pl_conn *c, int path, double now);
/* The path has no usable address: its next subflow, once it has one, is made at once. */
void pl_retry_forget(struct pl_conn *c, int path);
/* Data flowed on s at now: its path's count goes back to 0 once s has lived as long as the
 * delay that came before it. */
void pl_retry_progress(struct pl_conn *c, const struct pl_sub *s, double now);
/* SUB_CLOSED (err: the event's error, 0 for none): forgotten. One the daemon did not close,
 * on a listed path, counts as a failure of its path (struct pl_retry). */
void pl_sub_closed(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                   const struct pl_addr *rem, uint16_t rport, int err, double now);
/* PL_UNREACHABLE_FAILS failures in a row or more. */
bool pl_retry_unreachable(const struct pl_conn *c, int path);
/* "reset (ECONNRESET)", "stalled", "refused (ENETUNREACH)"... into buf. */
const char *pl_fail_text(const struct pl_retry *r, char *buf, size_t size);

#endif
