/* SPDX-License-Identifier: MIT */
/*
 * The budget decisions (launcher/planner/budget.h): the periods budgets count
 * in (months that start on a day the month may not have, years that end,
 * days that start at an hour), the ledger of bytes per program and path
 * (periods that end, a full ledger, crossing a limit once), what a connection
 * may do on a spent path (over_budget stay or leave, the path's budget or its
 * program's), and how soon its subflows are sampled again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/libconfig_linked.h"
#include "planner/budget.h"
#include "policy/config_text.h"

static const char conf[] = "paths = {\n"
                           "  wifi     = { kind = \"wifi\"; };\n"
                           "  cellular = { kind = \"cellular\"; budget = \"5M/month\"; };\n"
                           "  tether   = { dev = \"usb0\"; metered = true; };\n"
                           "};\n"
                           "programs = (\n"
                           "  { match = \"ssh\"; over_budget = \"stay\"; },\n"
                           "  { match = \"rsync\"; budgets = { cellular = \"1M/day\"; }; }\n"
                           ");\n";
enum { WIFI, CELL, TETHER };
enum { SSH, RSYNC };

static char *key(struct pl_date d)
{
	static char buf[4][16];
	static int i;
	char *b = buf[i++ % 4];
	pl_date_key(d, b);
	return b;
}

static struct pl_date D(int y, int m, int d, int h) {
	return (struct pl_date){y, m, d, h};
}

static void
test_periods(void **state)
{
	(void)state;
	struct mr_budget month15 = {.bytes = 1, .per = MR_PER_MONTH, .start = 15};
	struct mr_budget month31 = {.bytes = 1, .per = MR_PER_MONTH, .start = 31};
	struct mr_budget day6 = {.bytes = 1, .per = MR_PER_DAY, .start = 6};
	assert_string_equal(key(pl_period_start(&month15, D(2025, 6, 20, 9))), "2025-06-15T00");
	assert_string_equal(key(pl_period_start(&month15, D(2025, 6, 15, 0))), "2025-06-15T00");
	assert_string_equal(key(pl_period_start(&month15, D(2025, 6, 14, 23))), "2025-05-15T00");
	assert_string_equal(key(pl_period_start(&month15, D(2025, 1, 3, 0))), "2024-12-15T00");
	assert_string_equal(key(pl_period_next(&month15, D(2024, 12, 15, 0))), "2025-01-15T00");
	/* Day 31 of a month that has 30 (or February's 28 and 29): its last day. */
	assert_string_equal(key(pl_period_start(&month31, D(2025, 4, 30, 1))), "2025-04-30T00");
	assert_string_equal(key(pl_period_start(&month31, D(2025, 4, 29, 1))), "2025-03-31T00");
	assert_string_equal(key(pl_period_next(&month31, D(2025, 1, 31, 0))), "2025-02-28T00");
	assert_string_equal(key(pl_period_next(&month31, D(2024, 1, 31, 0))), "2024-02-29T00");
	assert_string_equal(key(pl_period_next(&month31, D(2100, 1, 31, 0))), "2100-02-28T00");
	assert_string_equal(key(pl_period_next(&month31, D(2000, 1, 31, 0))), "2000-02-29T00");
	assert_string_equal(key(pl_period_start(&pl_month, D(2025, 3, 1, 0))), "2025-03-01T00");
	/* A day from 06:00: before six it is yesterday's, across months and years. */
	assert_string_equal(key(pl_period_start(&day6, D(2025, 6, 20, 6))), "2025-06-20T06");
	assert_string_equal(key(pl_period_start(&day6, D(2025, 6, 20, 5))), "2025-06-19T06");
	assert_string_equal(key(pl_period_start(&day6, D(2025, 3, 1, 0))), "2025-02-28T06");
	assert_string_equal(key(pl_period_start(&day6, D(2024, 3, 1, 0))), "2024-02-29T06");
	assert_string_equal(key(pl_period_start(&day6, D(2025, 1, 1, 5))), "2024-12-31T06");
	assert_string_equal(key(pl_period_next(&day6, D(2024, 12, 31, 6))), "2025-01-01T06");
	assert_string_equal(key(pl_period_next(&day6, D(2024, 2, 28, 6))), "2024-02-29T06");
}

static void test_ledger(void **state)
{
	(void)state;
	struct pl_ledger l;
	struct mr_budget day = {.per = MR_PER_DAY, .start = 0};
	assert_true(pl_ledger_init(&l));
	struct pl_count *k = pl_ledger_get(&l, "/usr/bin/rsync", CELL, &day);
	assert_non_null(k);
	assert_ptr_equal(pl_ledger_get(&l, "/usr/bin/rsync", CELL, &day), k);
	assert_ptr_equal(pl_ledger_find(&l, "/usr/bin/rsync", CELL, &day), k);
	assert_null(pl_ledger_find(&l, "/usr/bin/rsync", CELL, &pl_month));
	assert_null(pl_ledger_find(&l, "/usr/bin/rsync", WIFI, &day));
	assert_null(pl_ledger_find(&l, PL_PROGRAM_ALL, CELL, &day));

	/* Crossing the limit is said once; a new day starts from 0. */
	assert_false(pl_count_add(k, 600000, 1000000, D(2025, 6, 20, 9), 0));
	assert_true(pl_count_add(k, 600000, 1000000, D(2025, 6, 20, 10), 100));
	assert_false(pl_count_add(k, 1, 1000000, D(2025, 6, 20, 11), 200));
	assert_true(pl_count_over(k, 1000000, D(2025, 6, 20, 23)));
	assert_int_equal(pl_count_bytes(k, D(2025, 6, 20, 23)), 1200001);
	assert_false(pl_count_over(k, 1000000, D(2025, 6, 21, 0)));
	assert_int_equal(pl_count_bytes(k, D(2025, 6, 21, 0)), 0);
	assert_false(pl_count_over(k, 0, D(2025, 6, 20, 23))); /* no limit: never over */
	assert_false(pl_count_add(k, 5, 1000000, D(2025, 6, 21, 1), 300));
	assert_int_equal(k->bytes, 5);
	assert_string_equal(k->period, "2025-06-21T00");
	/* A limit lowered below what it holds: over now, said once. */
	assert_true(pl_count_add(k, 0, 4, D(2025, 6, 21, 1), 301));
	/* The rate over a window of 250 ms: 1,000 bytes in 250 ms. */
	struct pl_count *r = pl_ledger_get(&l, PL_PROGRAM_ALL, CELL, &day);
	pl_count_add(r, 500, 0, D(2025, 6, 21, 1), 1000);
	pl_count_add(r, 500, 0, D(2025, 6, 21, 1), 1250);
	assert_true(r->rate > 3.99 && r->rate < 4.01);

	/* Pruned: counters of ended periods go, the others stay findable. */
	struct pl_count *old = pl_ledger_get(&l, "/usr/bin/ssh", CELL, &pl_month);
	pl_count_add(old, 7, 0, D(2025, 5, 3, 0), 0);
	pl_ledger_prune(&l, D(2025, 6, 21, 2));
	assert_int_equal(l.n, 2);
	assert_null(pl_ledger_find(&l, "/usr/bin/ssh", CELL, &pl_month));
	k = pl_ledger_find(&l, "/usr/bin/rsync", CELL, &day);
	assert_non_null(k);
	assert_int_equal(k->bytes, 5);

	/* Full: no counter for a new program, the others still counted. */
	for (int i = 0; l.n < PL_LEDGER_MAX; i++) {
		char name[32];
		snprintf(name, sizeof(name), "/bin/p%d", i);
		assert_non_null(pl_ledger_get(&l, name, WIFI, &pl_month));
	}
	assert_null(pl_ledger_get(&l, "/bin/one-too-many", WIFI, &pl_month));
	assert_non_null(pl_ledger_get(&l, "/usr/bin/rsync", CELL, &day));
	assert_non_null(pl_ledger_find(&l, "/bin/p4000", WIFI, &pl_month));
	pl_ledger_free(&l);
}

/* Counts the way the daemon does: the path's total and the program's own counter. */
static void count(const struct mr_policy *p, struct pl_ledger *l, const char *exe, int section,
                  int path, uint64_t bytes, struct pl_date d)
{
	struct pl_budget_state st;
	pl_budget_state(p, l, exe, section, path, d, &st);
	const struct mr_budget *pb = st.path_budget.bytes ? &st.path_budget : &pl_month;
	const struct mr_budget *ob = st.prog_budget.bytes ? &st.prog_budget : &pl_month;
	pl_count_add(pl_ledger_get(l, PL_PROGRAM_ALL, path, pb), bytes, st.path_budget.bytes, d, 0);
	pl_count_add(pl_ledger_get(l, exe, path, ob), bytes, st.prog_budget.bytes, d, 0);
}

static enum pl_spent use(const struct mr_policy *p, struct pl_ledger *l, const char *exe,
                         int section, int path, struct pl_date d)
{
	struct pl_budget_state st;
	pl_budget_state(p, l, exe, section, path, d, &st);
	return pl_budget_spent(&st);
}

static void test_decisions(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	struct pl_ledger l;
	struct pl_date d = D(2025, 6, 20, 9);
	assert_int_equal(mr_config_parse(mr_libconfig_linked, conf, strlen(conf), "t", &p, &err),
	                 0);
	assert_true(pl_ledger_init(&l));
	/* rsync's own 1M per day on cellular: spent by rsync, not by ssh. */
	count(&p, &l, "/usr/bin/rsync", RSYNC, CELL, 999999, d);
	assert_int_equal(use(&p, &l, "/usr/bin/rsync", RSYNC, CELL, d), PL_SPENT_NOT);
	count(&p, &l, "/usr/bin/rsync", RSYNC, CELL, 1, d);
	assert_int_equal(use(&p, &l, "/usr/bin/rsync", RSYNC, CELL, d), PL_SPENT_LEAVE);
	assert_int_equal(use(&p, &l, "/usr/bin/ssh", SSH, CELL, d), PL_SPENT_NOT);
	assert_int_equal(use(&p, &l, "/usr/bin/rsync", RSYNC, WIFI, d), PL_SPENT_NOT);
	/* The next day, rsync may use cellular again. */
	assert_int_equal(use(&p, &l, "/usr/bin/rsync", RSYNC, CELL, D(2025, 6, 21, 0)),
	                 PL_SPENT_NOT);
	/* The path's 5M per month, all programs together: spent for everyone; ssh stays (as a
	 * backup), the others leave. */
	count(&p, &l, "/usr/bin/ssh", SSH, CELL, 2000000, d);
	count(&p, &l, "/usr/bin/curl", -1, CELL, 1999999, d);
	assert_int_equal(use(&p, &l, "/usr/bin/curl", -1, CELL, d), PL_SPENT_NOT);
	count(&p, &l, "/usr/bin/curl", -1, CELL, 1, d);
	assert_int_equal(use(&p, &l, "/usr/bin/curl", -1, CELL, d), PL_SPENT_LEAVE);
	assert_int_equal(use(&p, &l, "/usr/bin/ssh", SSH, CELL, d), PL_SPENT_STAY);
	assert_int_equal(use(&p, &l, "/usr/bin/wget", -1, CELL, d), PL_SPENT_LEAVE);
	struct pl_budget_state st;
	pl_budget_state(&p, &l, "/usr/bin/ssh", SSH, CELL, d, &st);
	assert_true(st.over_path);
	assert_false(st.over_prog);
	assert_int_equal(pl_count_bytes(st.total, d), 5000000);
	assert_int_equal(pl_count_bytes(st.own, d), 2000000);
	/* Metered without a budget: counted, never over. */
	count(&p, &l, "/usr/bin/ssh", SSH, TETHER, 9000000000ULL, d);
	assert_int_equal(use(&p, &l, "/usr/bin/ssh", SSH, TETHER, d), PL_SPENT_NOT);
	pl_budget_state(&p, &l, "/usr/bin/ssh", SSH, TETHER, d, &st);
	assert_int_equal(pl_count_bytes(st.total, d), 9000000000ULL);
	/* The month the path's budget counts in begins on the 1st: July is free again. */
	assert_int_equal(use(&p, &l, "/usr/bin/curl", -1, CELL, D(2025, 7, 1, 0)), PL_SPENT_NOT);
	pl_ledger_free(&l);
	mr_policy_free(&p);
}

static void test_sample_interval(void **state)
{
	(void)state;
	assert_true(pl_sample_interval(UINT64_MAX, 100) == PL_COUNT_MAX_MS);
	assert_true(pl_sample_interval(0, 100) == PL_COUNT_MAX_MS);
	/* 5 MB left at the assumed floor of 12.5 kB/ms: 100 ms. */
	assert_true(pl_sample_interval(5000000, 0) == 100);
	/* Faster than the floor: sooner; little left: the fastest. */
	assert_true(pl_sample_interval(5000000, 25000) == 50);
	assert_true(pl_sample_interval(1000, 1) == PL_COUNT_MIN_MS);
	/* Much left: the slowest. */
	assert_true(pl_sample_interval(5000000000ULL, 12500) == PL_COUNT_MAX_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_periods),
	    cmocka_unit_test(test_ledger),
	    cmocka_unit_test(test_decisions),
	    cmocka_unit_test(test_sample_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
