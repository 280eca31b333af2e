/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's connection table (pathd/conns.c) and its wake-ups
 * (pathd/wake.c): lookups by token through collisions and deletions, a
 * full table, the per-uid cap on registered connections (root exempt, a
 * re-registration not counted twice, counts returned when connections
 * close, a uid that cannot be counted kept out), and the wake-up heap's
 * order, rescheduling and rebuild.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pathd/conns.h"
#include "pathd/wake.h"

static struct pd_conns t;

static int setup(void **state)
{
	(void)state;
	assert_true(pd_conns_init(&t));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pd_conns_free(&t);
	return 0;
}

/* The i-th token whose home slot is that of token 1 (conns.c's hash: bits 18-31 of
 * token * 2654435761), so they share one probe run. */
static uint32_t colliding(int i)
{
	uint32_t home = (uint32_t)((1u * 2654435761u) >> 18) & (PD_HASH - 1);
	for (uint32_t tok = 1;; tok++)
		if ((((tok * 2654435761u) >> 18) & (PD_HASH - 1)) == home && i-- == 0)
			return tok;
}

static void test_lookup_and_drop(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++)
		assert_non_null(pd_conn_get(&t, colliding(i), 10));
	assert_int_equal(t.n, 4);
	assert_non_null(pd_conn_find(&t, colliding(3)));
	/* Dropping from the middle of a probe run keeps the later entries reachable. */
	pd_conn_drop(&t, pd_conn_find(&t, colliding(1)));
	assert_null(pd_conn_find(&t, colliding(1)));
	for (int i = 0; i < 4; i++)
		if (i != 1) {
			struct pl_conn *c = pd_conn_find(&t, colliding(i));
			assert_non_null(c);
			assert_int_equal(c->token, colliding(i));
		}
	/* get on a known token returns it, unchanged. */
	struct pl_conn *c = pd_conn_find(&t, colliding(2));
	c->t_seen = 99;
	assert_ptr_equal(pd_conn_get(&t, colliding(2), 500), c);
	assert_true(c->t_seen == 99);
	assert_int_equal(t.n_total, 4);
}

static void test_full(void **state)
{
	(void)state;
	for (uint32_t i = 1; i <= PD_CONNS; i++)
		assert_non_null(pd_conn_get(&t, i * 7919u, 0));
	assert_null(pd_conn_get(&t, 1, 0));
	for (uint32_t i = 1; i <= PD_CONNS; i += 2)
		pd_conn_drop(&t, pd_conn_find(&t, i * 7919u));
	for (uint32_t i = 2; i <= PD_CONNS; i += 2)
		assert_non_null(pd_conn_find(&t, i * 7919u));
	assert_non_null(pd_conn_get(&t, 1, 0));
}

static void test_uid_cap(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < PD_UID_CAP; i++)
		assert_non_null(pd_conns_register(&t, 100 + i, 1, 1000, "/usr/bin/ssh", 0));
	assert_null(pd_conns_register(&t, 99999, 1, 1000, "/usr/bin/ssh", 0));
	assert_int_equal(t.n_capped, 1);
	/* The same connection registered again by its uid is not a new one. */
	assert_non_null(pd_conns_register(&t, 100, 2, 1000, "/usr/bin/scp", 0));
	assert_string_equal(pd_conn_find(&t, 100)->exe, "/usr/bin/scp");
	/* Another uid, and root, are not held back by it. */
	assert_non_null(pd_conns_register(&t, 50000, 1, 1001, "/usr/bin/ssh", 0));
	for (uint32_t i = 0; i < PD_UID_CAP + 10; i++)
		assert_non_null(pd_conns_register(&t, 60000 + i, 1, 0, "/usr/sbin/x", 0));
	/* A closed connection gives its place back. */
	pd_conn_drop(&t, pd_conn_find(&t, 101));
	assert_non_null(pd_conns_register(&t, 99999, 1, 1000, "/usr/bin/ssh", 0));
	assert_null(pd_conns_register(&t, 99998, 1, 1000, "/usr/bin/ssh", 0));
	assert_int_equal(t.n_capped, 2);
}

/* A registration taking a connection over from another uid moves the count. */
static void test_uid_moves(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < PD_UID_CAP; i++)
		assert_non_null(pd_conns_register(&t, 100 + i, 1, 1000, "a", 0));
	assert_non_null(pd_conns_register(&t, 100, 1, 1002, "b", 0));
	assert_non_null(pd_conns_register(&t, 5, 1, 1000, "a", 0)); /* 1000 has room again */
	assert_null(pd_conns_register(&t, 6, 1, 1000, "a", 0));
}

static void test_uid_slots(void **state)
{
	(void)state;
	for (uint32_t u = 0; u < PD_UIDS; u++)
		assert_non_null(pd_conns_register(&t, 10 + u, 1, 2000 + u, "p", 0));
	/* Every slot taken: a new uid cannot be counted, so it is kept out; root is not. */
	assert_null(pd_conns_register(&t, 500, 1, 9999, "p", 0));
	assert_non_null(pd_conns_register(&t, 501, 1, 0, "p", 0));
	pd_conn_drop(&t, pd_conn_find(&t, 10));
	assert_non_null(pd_conns_register(&t, 500, 1, 9999, "p", 0));
}

/* An adopted connection's owner counts against its uid like a registration. */
static void test_adopted_owner(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < PD_UID_CAP - 1; i++)
		assert_non_null(pd_conns_register(&t, 100 + i, 1, 1000, "a", 0));
	struct pl_conn *c = pd_conn_get(&t, 7, 0);
	c->uid = 1000;
	pd_conns_set_owner(&t, c, 77, "/usr/bin/rsync");
	assert_true(c->registered);
	assert_int_equal(c->pid, 77);
	assert_null(pd_conns_register(&t, 8, 1, 1000, "a", 0));
}

static void test_wakes(void **state)
{
	(void)state;
	struct pd_wakes w;
	assert_true(pd_wakes_init(&w));
	struct pl_conn *a = pd_conn_get(&t, 1, 0), *b = pd_conn_get(&t, 2, 0),
	               *c = pd_conn_get(&t, 3, 0);
	pd_wake_at(&w, &t, a, 300, 0);
	pd_wake_at(&w, &t, b, 100, 0);
	pd_wake_at(&w, &t, c, 200, 0);
	pd_wake_at(&w, &t, a, 400, 0); /* later than its pending one: kept at 300 */
	pd_wake_at(&w, &t, c, 50, 0);  /* earlier: rescheduled, the 200 entry is stale */
	assert_true(pd_wake_next(&w) == 50);
	assert_null(pd_wake_pop(&w, &t, 49));
	assert_int_equal(pd_wake_pop(&w, &t, 500)->token, 3);
	assert_int_equal(pd_wake_pop(&w, &t, 500)->token, 2);
	assert_int_equal(pd_wake_pop(&w, &t, 500)->token, 1);
	assert_null(pd_wake_pop(&w, &t, 500)); /* c's stale 200 is skipped */
	assert_true(pd_wake_next(&w) == 0);
	/* A connection dropped before its wake-up is not returned. */
	pd_wake_at(&w, &t, b, 600, 500);
	pd_conn_drop(&t, b);
	assert_null(pd_wake_pop(&w, &t, 700));
	pd_wakes_free(&w);
}

/* A heap filled with superseded entries is rebuilt from the table, one entry per connection. */
static void test_wakes_rebuild(void **state)
{
	(void)state;
	struct pd_wakes w;
	assert_true(pd_wakes_init(&w));
	struct pl_conn *a = pd_conn_get(&t, 1, 0), *b = pd_conn_get(&t, 2, 0);
	pd_wake_at(&w, &t, b, 1e9, 0);
	for (size_t i = 0; i < PD_WAKES + 5; i++)
		pd_wake_at(&w, &t, a, 1e8 - (double)i, 0);
	assert_true(w.n <= 2 + 5);
	assert_int_equal(pd_wake_pop(&w, &t, 2e9)->token, 1);
	assert_int_equal(pd_wake_pop(&w, &t, 2e9)->token, 2);
	assert_null(pd_wake_pop(&w, &t, 2e9));
	pd_wakes_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lookup_and_drop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uid_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uid_moves, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uid_slots, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_adopted_owner, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wakes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wakes_rebuild, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
