/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the sub-commands' number options (launcher/cmd/options.c):
 * a value in a range, the whole text, or a usage error with *out untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cmd/options.h"

static void test_integer(void **state)
{
	long v = -7;

	(void)state;
	assert_true(lr_opt_integer("50", 50, 60000, &v));
	assert_int_equal(v, 50);
	assert_true(lr_opt_integer("60000", 50, 60000, &v));
	assert_int_equal(v, 60000);
	assert_true(lr_opt_integer("0", 0, 10, &v));
	assert_int_equal(v, 0);
	/* As strtol takes them. */
	assert_true(lr_opt_integer(" +7", 0, 10, &v));
	assert_int_equal(v, 7);

	v = -7;
	assert_false(lr_opt_integer("49", 50, 60000, &v));
	assert_false(lr_opt_integer("60001", 50, 60000, &v));
	assert_false(lr_opt_integer("-1", 0, 10, &v));
	assert_false(lr_opt_integer("", 0, 10, &v));
	assert_false(lr_opt_integer("5ms", 0, 10, &v));
	assert_false(lr_opt_integer("5 ", 0, 10, &v));
	assert_false(lr_opt_integer("0x5", 0, 10, &v));
	assert_false(lr_opt_integer("1.5", 0, 10, &v));
	/* Past LONG_MAX: strtol's ERANGE, not its clamped value. */
	assert_false(lr_opt_integer("99999999999999999999", 0, 0x7fffffffffffffffL, &v));
	assert_int_equal(v, -7);
}

static void test_decimal(void **state)
{
	double v = -7;

	(void)state;
	assert_true(lr_opt_decimal("0.2", 0.01, 60, &v));
	assert_true(v > 0.199 && v < 0.201);
	assert_true(lr_opt_decimal("0.01", 0.01, 60, &v));
	assert_true(lr_opt_decimal("60", 0.01, 60, &v));
	assert_true(v == 60);
	assert_true(lr_opt_decimal("1e1", 0.1, 3600, &v));
	assert_true(v == 10);

	v = -7;
	assert_false(lr_opt_decimal("0.009", 0.01, 60, &v));
	assert_false(lr_opt_decimal("60.5", 0.01, 60, &v));
	assert_false(lr_opt_decimal("", 0.01, 60, &v));
	assert_false(lr_opt_decimal("1s", 0.01, 60, &v));
	assert_false(lr_opt_decimal("nan", 0.01, 60, &v));
	assert_false(lr_opt_decimal("inf", 0.01, 60, &v));
	assert_false(lr_opt_decimal("1e999", 0.1, 3600, &v));
	assert_true(v == -7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integer),
	    cmocka_unit_test(test_decimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
