/* SPDX-License-Identifier: MIT */
/*
 * The registration channels' decisions, pure (pathd/reg.c acts on them; unit
 * tests in tests/unit/pathd/test_reg_budget.c): each uid's budget, which channel
 * gives its slot up to a new one, and when a message may wake the daemon.
 */
#ifndef MPTCP_RUN_PATHD_REG_BUDGET_H
#define MPTCP_RUN_PATHD_REG_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PD_UIDS  64    /* uids with a budget at once */
#define PD_RATE  4000. /* registrations and new channels per second per uid */
#define PD_BURST 8000. /* bucket size */
/* A message wakes the daemon while it waits for one, or once none came for this long. */
#define PD_ACTIVE_MS 5000.

struct pd_bucket {
	uid_t uid;
	double tokens, last;
	bool used;
};

struct pd_budgets {
	struct pd_bucket b[PD_UIDS];
};

/* Takes up to want units of uid's budget at now_ms (monotonic); how many it got. A uid
 * seen for the first time, or again after its slot went to another, starts full. */
unsigned pd_budget_take(struct pd_budgets *bs, uid_t uid, double now_ms, unsigned want);
/* Gives n units back (taken for messages that were not there). */
void pd_budget_give_back(struct pd_budgets *bs, uid_t uid, double now_ms, unsigned n);

/* A channel's slot as the choice sees it: the first member of each element of the table. */
struct pd_slot {
	bool used;
	uid_t uid;
	double last; /* accepted or last read */
};

/*
 * The slot (index) a new channel of uid takes in a table of n elements of size
 * stride, each beginning with a struct pd_slot: uid's least recently used one when
 * uid holds cap_uid already, else a free one, else the least recently used of all
 * (whose channel is then closed).
 */
int pd_slot_choose(const void *table, size_t stride, int n, uid_t uid, int cap_uid);

/* Whether a message should wake the daemon: it waits for one (until expect_until), or
 * none was read since PD_ACTIVE_MS (last_msg); otherwise it reads them at its own
 * wake-ups. */
bool pd_reg_wake_on_message(double now_ms, double expect_until, double last_msg);

#endif
