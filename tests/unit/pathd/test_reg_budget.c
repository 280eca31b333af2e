/* SPDX-License-Identifier: MIT */
/*
 * The registration channels' decisions (launcher/pathd/reg_budget.c): a uid's
 * budget refills at its rate and never beyond its burst, gives back what it did
 * not use, and a uid seen again after its slot went to another starts full; a new
 * channel takes a free slot, or its own uid's least recently used one at the
 * cap, or the least recently used of all; a message wakes the daemon only while
 * it waits for one or after seconds without any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pathd/reg_budget.h"

static void test_budget_burst_then_rate(void **state)
{
	(void)state;
	struct pd_budgets bs;
	memset(&bs, 0, sizeof(bs));
	/* A new uid has its whole burst. */
	assert_int_equal(pd_budget_take(&bs, 1000, 10000., 5000), 5000);
	assert_int_equal(pd_budget_take(&bs, 1000, 10000., 5000), 3000);
	assert_int_equal(pd_budget_take(&bs, 1000, 10000., 1), 0);
	/* 1 ms later: PD_RATE / 1000 units. */
	assert_int_equal(pd_budget_take(&bs, 1000, 10001., 100), 4);
	/* Another uid is not touched by the first one's flood. */
	assert_int_equal(pd_budget_take(&bs, 0, 10001., 16), 16);
	/* Refilled, but never beyond the burst. */
	assert_int_equal(pd_budget_take(&bs, 1000, 100000., 100000), (unsigned)PD_BURST);
}

static void test_budget_give_back(void **state)
{
	(void)state;
	struct pd_budgets bs;
	memset(&bs, 0, sizeof(bs));
	assert_int_equal(pd_budget_take(&bs, 7, 1., 8000), 8000);
	pd_budget_give_back(&bs, 7, 1., 10);
	assert_int_equal(pd_budget_take(&bs, 7, 1., 16), 10);
	/* Given back beyond the burst: capped. */
	pd_budget_give_back(&bs, 7, 1., 100000);
	assert_int_equal(pd_budget_take(&bs, 7, 1., 100000), (unsigned)PD_BURST);
}

static void test_budget_slots_recycled(void **state)
{
	(void)state;
	struct pd_budgets bs;
	memset(&bs, 0, sizeof(bs));
	/* uid 1 empties its bucket, then PD_UIDS other uids are seen after it. */
	assert_int_equal(pd_budget_take(&bs, 1, 0., 8000), 8000);
	for (uid_t u = 2; u < 2 + PD_UIDS; u++)
		pd_budget_take(&bs, u, 1. + u, 1);
	/* Its slot went to another: seen again, it starts full. */
	assert_int_equal(pd_budget_take(&bs, 1, 200., 8000), 8000);
}

struct chan {
	struct pd_slot s;
	int payload;
};

static void test_slot_free_first(void **state)
{
	(void)state;
	struct chan t[4] = {
	    {{true, 5, 10.}, 0}, {{false, 0, 0.}, 0}, {{true, 5, 1.}, 0}, {{false, 0, 0.}, 0}};
	assert_int_equal(pd_slot_choose(t, sizeof(t[0]), 4, 5, 3), 1);
}

static void test_slot_own_lru_at_cap(void **state)
{
	(void)state;
	/* uid 5 holds 2 (its cap): its least recently used one goes, not uid 9's older one. */
	struct chan t[4] = {
	    {{true, 5, 10.}, 0}, {{true, 9, 0.5}, 0}, {{true, 5, 3.}, 0}, {{false, 0, 0.}, 0}};
	assert_int_equal(pd_slot_choose(t, sizeof(t[0]), 4, 5, 2), 2);
	/* Under its cap, uid 9 takes the free slot. */
	assert_int_equal(pd_slot_choose(t, sizeof(t[0]), 4, 9, 2), 3);
}

static void test_slot_full_table(void **state)
{
	(void)state;
	/* No free slot, uid 7 under its cap: the least recently used of all. */
	struct chan t[3] = {{{true, 5, 10.}, 0}, {{true, 9, 0.5}, 0}, {{true, 5, 3.}, 0}};
	assert_int_equal(pd_slot_choose(t, sizeof(t[0]), 3, 7, 2), 1);
}

static void test_wake_on_message(void **state)
{
	(void)state;
	/* Waiting for a registration (an accepted connection's grace): woken. */
	assert_true(pd_reg_wake_on_message(1000., 1040., 990.));
	/* Registrations came lately: read at the daemon's own wake-ups. */
	assert_false(pd_reg_wake_on_message(1000., 0., 990.));
	assert_false(pd_reg_wake_on_message(1000., 999., 990.));
	/* Quiet for PD_ACTIVE_MS: the next one wakes it. */
	assert_true(pd_reg_wake_on_message(1000. + PD_ACTIVE_MS, 0., 1000.));
	assert_true(pd_reg_wake_on_message(1e7, 0., 0.));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_budget_burst_then_rate), cmocka_unit_test(test_budget_give_back),
	    cmocka_unit_test(test_budget_slots_recycled),  cmocka_unit_test(test_slot_free_first),
	    cmocka_unit_test(test_slot_own_lru_at_cap),    cmocka_unit_test(test_slot_full_table),
	    cmocka_unit_test(test_wake_on_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
