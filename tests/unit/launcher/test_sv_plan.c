/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the supervisor's plan (launcher/supervise/plan.c): the speed
 * levers named in MPTCP_RUN_SUPERVISE_OFF, and which connect()/listen() calls
 * the filter may let through without a round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "supervise/plan.h"

static void test_levers_default_all_on(void **state)
{
	struct lr_sv_levers lv;

	(void)state;
	memset(&lv, 0, sizeof(lv));
	assert_null(lr_sv_levers_parse(NULL, &lv));
	assert_true(lv.sync && lv.nswatch && lv.pool && lv.bpf);
	memset(&lv, 0, sizeof(lv));
	assert_null(lr_sv_levers_parse("", &lv));
	assert_true(lv.sync && lv.nswatch && lv.pool && lv.bpf);
}

static void test_levers_off(void **state)
{
	struct lr_sv_levers lv;

	(void)state;
	assert_null(lr_sv_levers_parse("sync", &lv));
	assert_false(lv.sync);
	assert_true(lv.nswatch && lv.pool && lv.bpf);
	assert_null(lr_sv_levers_parse(" pool, bpf ,,", &lv));
	assert_true(lv.sync && lv.nswatch);
	assert_false(lv.pool || lv.bpf);
	assert_null(lr_sv_levers_parse("sync,nswatch,pool,bpf", &lv));
	assert_false(lv.sync || lv.nswatch || lv.pool || lv.bpf);
}

static void test_levers_unknown(void **state)
{
	struct lr_sv_levers lv;
	const char *s = "pool,nosuch,bpf";

	(void)state;
	/* The unknown name is pointed at; the names before it took effect. */
	assert_ptr_equal(lr_sv_levers_parse(s, &lv), s + 5);
	assert_false(lv.pool);
	/* A prefix of a name is not that name. */
	assert_non_null(lr_sv_levers_parse("syn", &lv));
	assert_non_null(lr_sv_levers_parse("syncx", &lv));
}

static void program(struct mr_program *p, bool constant_connect, bool constant_listen,
                    enum mr_verdict v)
{
	memset(p, 0, sizeof(*p));
	p->section_index = -1;
	p->role[MR_ROLE_CONNECT].constant = constant_connect;
	p->role[MR_ROLE_CONNECT].constant_verdict = v;
	p->role[MR_ROLE_LISTEN].constant = constant_listen;
	p->role[MR_ROLE_LISTEN].constant_verdict = v;
}

static void test_plan_constant_mptcp_passes(void **state)
{
	struct mr_program p;
	struct lr_sv_levers lv;
	struct lr_sv_plan plan;

	(void)state;
	lr_sv_levers_parse(NULL, &lv);
	program(&p, true, true, MR_MPTCP);
	lr_sv_plan_make(&p, 0, false, MR_KI_INTACT, &lv, &plan);
	assert_false(plan.connect);
	assert_false(plan.listen);
	assert_true(plan.nswatch);
	/* Only the role that is constant. */
	program(&p, false, true, MR_MPTCP);
	lr_sv_plan_make(&p, 0, false, MR_KI_INTACT, &lv, &plan);
	assert_true(plan.connect);
	assert_false(plan.listen);
}

static void test_plan_sends_when_needed(void **state)
{
	struct mr_program p;
	struct lr_sv_levers lv;
	struct lr_sv_plan plan;

	(void)state;
	lr_sv_levers_parse(NULL, &lv);
	/* A constant TCP verdict may replace a socket: sent. */
	program(&p, true, true, MR_TCP);
	lr_sv_plan_make(&p, 0, false, MR_KI_INTACT, &lv, &plan);
	assert_true(plan.connect && plan.listen);
	/* A program section may say otherwise than the defaults. */
	program(&p, true, true, MR_MPTCP);
	lr_sv_plan_make(&p, 1, false, MR_KI_INTACT, &lv, &plan);
	assert_true(plan.connect && plan.listen);
	/* The report wants each verdict and the remote end. */
	lr_sv_plan_make(&p, 0, true, MR_KI_INTACT, &lv, &plan);
	assert_true(plan.connect && plan.listen);
	/* A listener the integrity guard keeps TCP (kernel not probed, or misordering). */
	lr_sv_plan_make(&p, 0, false, MR_KI_UNKNOWN, &lv, &plan);
	assert_false(plan.connect);
	assert_true(plan.listen);
	lr_sv_plan_make(&p, 0, false, MR_KI_MISORDERS, &lv, &plan);
	assert_true(plan.listen);
	p.integrity = MR_INTEGRITY_ACCEPT_RISK;
	lr_sv_plan_make(&p, 0, false, MR_KI_MISORDERS, &lv, &plan);
	assert_false(plan.listen);
	p.integrity = MR_INTEGRITY_PROTECT;
	/* The lever off. */
	lr_sv_levers_parse("bpf,nswatch", &lv);
	lr_sv_plan_make(&p, 0, false, MR_KI_INTACT, &lv, &plan);
	assert_true(plan.connect && plan.listen);
	assert_false(plan.nswatch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levers_default_all_on),
	    cmocka_unit_test(test_levers_off),
	    cmocka_unit_test(test_levers_unknown),
	    cmocka_unit_test(test_plan_constant_mptcp_passes),
	    cmocka_unit_test(test_plan_sends_when_needed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
