/* SPDX-License-Identifier: MIT */
/*
 * Data budgets, decided: the periods they count in, the bytes counted per
 * program and path (the ledger), which paths a connection may still use, and
 * how soon its subflows must be sampled again. Pure like the planner: the
 * daemon brings the local time (struct pl_date, from localtime_r), the
 * counts (sock_diag's tcp_info, launcher/pathd/usage.c) and the config; what
 * comes out is, per path, whether the connection may use it for data
 * (pl_conn.no_data) or at all (pl_conn.no_path) in pl_plan.
 *
 * Counting: every delta of a subflow on a counted path (mr_path_counted)
 * goes to two counters, the path's total for all programs and the program's
 * own, each in the period its budget defines (a calendar month from day 1
 * when it has none, for `mptcp-run paths`). A counter whose period has
 * ended starts again from 0.
 */
#ifndef MPTCP_RUN_PLANNER_BUDGET_H
#define MPTCP_RUN_PLANNER_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/model.h"
#include "policy/policy.h"

/* A local calendar hour: what a period's start and end are made of. */
struct pl_date {
	int year, mon, mday, hour; /* mon 1-12, mday 1-31, hour 0-23 */
};

/* The start of the period of budget b (its per and start) that contains now. */
struct pl_date pl_period_start(const struct mr_budget *b, struct pl_date now);
/* The start of the period after the one starting at start: when the budget resets. */
struct pl_date pl_period_next(const struct mr_budget *b, struct pl_date start);
/* "2025-06-15T00": a period's key in the ledger and its files. */
void pl_date_key(struct pl_date d, char out[16]);
/* The period of a counter without a budget: a calendar month from day 1. */
extern const struct mr_budget pl_month;

/* ---- the ledger ---- */

#define PL_LEDGER_MAX  4096 /* counters; a full ledger counts path totals only */
#define PL_PROGRAM_ALL ""   /* a path's total, all programs together */

struct pl_count {
	char program[PL_EXE_MAX]; /* the executable, PL_PROGRAM_ALL for the path's total */
	int path;
	uint8_t per, start; /* the period's definition (mr_budget) */
	char period[16];    /* the current period's start (pl_date_key) */
	uint64_t bytes;     /* counted in that period */
	uint64_t limit;     /* the budget it was last counted against, 0: none */
	double win_start;   /* the rate's window: since when (ms), bytes in it */
	uint64_t win_bytes;
	double rate; /* bytes per ms over the last full window */
	bool over;   /* bytes >= limit, as of the last count */
	bool told;   /* its "only usable path" line was logged in this period */
};

struct pl_ledger {
	struct pl_count *v; /* PL_LEDGER_MAX entries, n in use */
	size_t n;
	uint32_t *hash; /* 2 * PL_LEDGER_MAX slots: index + 1, 0 empty */
};

bool pl_ledger_init(struct pl_ledger *l);
void pl_ledger_free(struct pl_ledger *l);
/* The counter of (program, path, period definition b), added when new; NULL when full. */
struct pl_count *pl_ledger_get(struct pl_ledger *l, const char *program, int path,
                               const struct mr_budget *b);
/* The counter if it exists, NULL otherwise. */
struct pl_count *pl_ledger_find(const struct pl_ledger *l, const char *program, int path,
                                const struct mr_budget *b);

/*
 * bytes counted in k at local time date and monotonic now (ms), against limit (0: none); a
 * period that ended starts k again from 0. Returns true when k went over its limit with this
 * addition (or with a limit lowered below what it holds): the moment to say so.
 */
bool pl_count_add(struct pl_count *k, uint64_t bytes, uint64_t limit, struct pl_date date,
                  double now);
/* Whether k is over limit in the period containing date (a period that ended: not). */
bool pl_count_over(const struct pl_count *k, uint64_t limit, struct pl_date date);
/* Bytes k holds in the period containing date (0 when its period ended). */
uint64_t pl_count_bytes(const struct pl_count *k, struct pl_date date);
/* Drops counters whose period is not the one containing date. */
void pl_ledger_prune(struct pl_ledger *l, struct pl_date date);

/* ---- decisions ---- */

/* A program's budget view of one path: its counters, limits and what to do over them. */
struct pl_budget_state {
	struct mr_budget path_budget, prog_budget; /* bytes 0: none */
	struct pl_count *total, *own;              /* NULL when not counted (or ledger full) */
	bool over_path, over_prog;
	enum mr_over over;
};

/* The budget state of program exe (section: its section index, -1 none) on path. */
void pl_budget_state(const struct mr_policy *p, struct pl_ledger *l, const char *exe, int section,
                     int path, struct pl_date date, struct pl_budget_state *out);
/* What a spent budget leaves a connection on a path. */
enum pl_spent {
	PL_SPENT_NOT = 0, /* within its budgets */
	PL_SPENT_STAY,    /* over_budget "stay": backup only (pl_conn.no_data) */
	PL_SPENT_LEAVE,   /* "leave": no subflow there (pl_conn.no_path) */
};
/* What a connection of that program may do on the path, from its state. */
enum pl_spent pl_budget_spent(const struct pl_budget_state *st);

#define PL_COUNT_MIN_MS 50.   /* the fastest a counted subflow is sampled */
#define PL_COUNT_MAX_MS 1000. /* the slowest */
#define PL_RATE_FLOOR                                                                              \
	12500. /* bytes per ms (100 Mbit/s) a budget is assumed to fill at                         \
	        * at least: a transfer that starts is seen in time */
/*
 * When to sample again a subflow counted against a budget with `remaining` bytes left,
 * filling at `rate` bytes per ms (PL_RATE_FLOOR at least): soon enough that four times that
 * rate would not spend what is left before the next look, within [PL_COUNT_MIN_MS,
 * PL_COUNT_MAX_MS]. remaining UINT64_MAX (no budget) or 0 (spent): the slowest.
 */
double pl_sample_interval(uint64_t remaining, double rate);

#endif
