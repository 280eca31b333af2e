/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of metered paths, budgets and kinds as the config states them:
 * the fixture parsed (kinds, metered, path and program budgets, over_budget,
 * with their inheritance), byte counts and budget text both ways, the
 * interface-to-path mapping by name and by kind, and the catalogue of bad
 * configs, each refused with its line and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/config_file.h"
#include "kernel/libconfig_linked.h"
#include "policy/config_text.h"
#include "policy/policy.h"

#include "fixture.h"

enum { WIRED, WIFI, CELL, TETHER };

/* The budget prog (an executable path) has on path, formatted, and where it comes from. */
static void assert_budget(const struct mr_policy *p, const char *exe, int path, const char *want,
                          enum mr_origin want_origin)
{
	struct mr_program prog;
	struct mr_budget b;
	enum mr_origin o;
	char buf[96] = "";
	mr_resolve(p, exe, false, &prog);
	mr_program_budget(p, &prog, path, &b, &o);
	if (b.bytes)
		mr_format_budget(&b, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(o, want_origin);
}

static void test_fixture(void **state)
{
	(void)state;
	struct mr_policy p;
	char buf[96];
	load("valid-budgets.conf", &p);
	assert_int_equal(p.n_paths, 4);
	assert_string_equal(p.paths[WIFI].dev, "");
	assert_int_equal(p.paths[WIFI].kind, MR_KIND_WIFI);
	assert_int_equal(p.paths[CELL].kind, MR_KIND_CELLULAR); /* "wwan" */
	assert_true(p.paths[CELL].metered);
	assert_false(p.paths[WIFI].metered);
	mr_format_budget(&p.paths[CELL].budget, buf, sizeof(buf));
	assert_string_equal(buf, "5.00 GB per month from day 15");
	assert_int_equal(p.paths[CELL].budget.line, 6);
	mr_format_budget(&p.paths[TETHER].budget, buf, sizeof(buf));
	assert_string_equal(buf, "2.14 GB per month from day 1");
	assert_int_equal(p.paths[TETHER].budget.bytes, 2147483648ULL);

	/* Counted: metered, a path budget, or a program's budget (wifi: rsync's). */
	assert_false(mr_path_counted(&p, WIRED));
	assert_true(mr_path_counted(&p, WIFI));
	assert_true(mr_path_counted(&p, CELL));
	assert_true(mr_path_counted(&p, TETHER));
	assert_false(mr_path_counted(&p, 9));

	/* A section's budgets replace the defaults' whole; an empty one means none. */
	assert_budget(&p, "/usr/bin/rsync", CELL, "500 MB per day from 00:00", MR_FROM_SECTION);
	assert_budget(&p, "/usr/bin/rsync", WIFI, "1.00 MB per day from 06:00", MR_FROM_SECTION);
	assert_budget(&p, "/usr/bin/rsync", WIRED, "", MR_FROM_BUILTIN);
	assert_budget(&p, "/usr/bin/ssh", CELL, "50.0 MB per day from 00:00", MR_FROM_DEFAULTS);
	assert_budget(&p, "/usr/bin/wget", CELL, "50.0 MB per day from 00:00", MR_FROM_DEFAULTS);
	assert_budget(&p, "/usr/bin/curl", CELL, "", MR_FROM_BUILTIN);

	struct mr_program prog;
	enum mr_origin o;
	mr_resolve(&p, "/usr/bin/ssh", false, &prog);
	assert_int_equal(mr_program_over(&p, &prog, &o), MR_OVER_STAY);
	assert_int_equal(o, MR_FROM_SECTION);
	mr_resolve(&p, "/usr/bin/wget", false, &prog);
	assert_int_equal(mr_program_over(&p, &prog, &o), MR_OVER_LEAVE);
	assert_int_equal(o, MR_FROM_DEFAULTS);
	assert_string_equal(mr_over_name(MR_OVER_STAY), "stay");
	mr_policy_free(&p);

	/* No over_budget anywhere: leave, built in. */
	mr_policy_builtin(&p);
	mr_resolve(&p, "/usr/bin/wget", false, &prog);
	assert_int_equal(mr_program_over(&p, &prog, &o), MR_OVER_LEAVE);
	assert_int_equal(o, MR_FROM_BUILTIN);
}

static void test_kinds(void **state)
{
	(void)state;
	struct mr_policy p;
	load("valid-budgets.conf", &p);
	assert_true(mr_policy_has_kinds(&p));
	/* A device named by a path wins over any kind; then the kind; else nothing. */
	assert_int_equal(mr_path_of_iface(&p, "eth0", MR_KIND_ETHERNET), WIRED);
	assert_int_equal(mr_path_of_iface(&p, "usb0", MR_KIND_ETHERNET), TETHER);
	assert_int_equal(mr_path_of_iface(&p, "wlp2s0", MR_KIND_WIFI), WIFI);
	assert_int_equal(mr_path_of_iface(&p, "wwan0", MR_KIND_CELLULAR), CELL);
	assert_int_equal(mr_path_of_iface(&p, "enx00e04c", MR_KIND_ETHERNET), -1);
	assert_int_equal(mr_path_of_iface(&p, "veth0", MR_KIND_NONE), -1);
	assert_int_equal(mr_path_by_dev(&p, "eth0"), WIRED);
	mr_policy_free(&p);

	assert_int_equal(mr_kind_parse("wifi"), MR_KIND_WIFI);
	assert_int_equal(mr_kind_parse("wwan"), MR_KIND_CELLULAR);
	assert_int_equal(mr_kind_parse("cellular"), MR_KIND_CELLULAR);
	assert_int_equal(mr_kind_parse("ethernet"), MR_KIND_ETHERNET);
	assert_int_equal(mr_kind_parse("wlan"), MR_KIND_NONE);
	assert_string_equal(mr_kind_name(MR_KIND_CELLULAR), "cellular");
	assert_string_equal(mr_kind_name(MR_KIND_NONE), "");
	assert_string_equal(mr_kind_name((enum mr_kind)77), "");
}

/* The kernel's facts about an interface, and the administrator's word in its alias. */
static void test_classify(void **state)
{
	(void)state;
	struct mr_iface_facts f;
	memset(&f, 0, sizeof(f));
	f.type = 1;
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE); /* a veth: virtual, no DEVTYPE */
	f.physical = true;
	assert_int_equal(mr_kind_classify(&f), MR_KIND_ETHERNET); /* eth0, enx00e04c... */
	f.wireless = true;
	assert_int_equal(mr_kind_classify(&f), MR_KIND_WIFI);
	f.wireless = false;
	snprintf(f.devtype, sizeof(f.devtype), "wlan");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_WIFI);
	snprintf(f.devtype, sizeof(f.devtype), "wwan");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_CELLULAR);
	snprintf(f.devtype, sizeof(f.devtype), "bridge");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE);
	snprintf(f.devtype, sizeof(f.devtype), "vlan");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE);
	f.devtype[0] = '\0';
	f.type = 776; /* ARPHRD_SIT: a tunnel on no bus */
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE);

	/* The alias names the kind as one of its words; anything else in it is left alone. */
	memset(&f, 0, sizeof(f));
	f.type = 1;
	f.physical = true;
	snprintf(f.alias, sizeof(f.alias), "phone over USB mptcp-run-kind=cellular");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_CELLULAR);
	snprintf(f.alias, sizeof(f.alias), "mptcp-run-kind=wwan,uplink");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_CELLULAR);
	snprintf(f.alias, sizeof(f.alias), "mptcp-run-kind=wifi");
	f.physical = false;
	assert_int_equal(mr_kind_classify(&f), MR_KIND_WIFI); /* a veth given a kind */
	snprintf(f.alias, sizeof(f.alias), "mptcp-run-kind=satellite");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE); /* unknown: the kernel's facts */
	snprintf(f.alias, sizeof(f.alias), "xmptcp-run-kind=wifi");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE);
	snprintf(f.alias, sizeof(f.alias), "mptcp-run-kind=");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE);
	snprintf(f.alias, sizeof(f.alias), "mptcp-run-kind=wifiwifiwifiwifiwifi");
	assert_int_equal(mr_kind_classify(&f), MR_KIND_NONE);
}

static void test_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t want;
	} good[] = {
	    {"1", 1},
	    {"800B", 800},
	    {"12k", 12000},
	    {"500M", 500000000},
	    {"500 MB", 500000000},
	    {"5G", 5000000000ULL},
	    {"1.5G", 1500000000ULL},
	    {"5GiB", 5368709120ULL},
	    {"2T", 2000000000000ULL},
	};
	static const char *const bad_text[] = {"",     "M",    "5X",         "-5M",
	                                       "0",    "0.0G", "5.M",        "99999999999999999999",
	                                       "5G/d", "5 G ", "2000000000T"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint64_t v = 0;
		const char *why = mr_bytes_parse(good[i].text, &v);
		if (why)
			fail_msg("\"%s\": %s", good[i].text, why);
		assert_int_equal(v, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		uint64_t v = 0;
		if (!mr_bytes_parse(bad_text[i], &v))
			fail_msg("\"%s\" was accepted as %llu", bad_text[i], (unsigned long long)v);
	}

	char buf[32];
	static const struct {
		uint64_t bytes;
		const char *want;
	} fmt[] = {
	    {0, "0 B"},
	    {999, "999 B"},
	    {1000, "1.00 kB"},
	    {4990000, "4.99 MB"},
	    {52400000, "52.4 MB"},
	    {500000000, "500 MB"},
	    {5000000000ULL, "5.00 GB"},
	    {999999999999999999ULL, "999 PB"},
	};
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		mr_format_bytes(fmt[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, fmt[i].want);
	}
	/* Truncated, never overflowing. */
	assert_int_equal(mr_format_bytes(5000000000ULL, buf, 4), 3);
	assert_string_equal(buf, "5.0");

	struct mr_budget b;
	assert_null(mr_budget_parse("500M/day", &b));
	assert_int_equal(b.per, MR_PER_DAY);
	assert_int_equal(b.start, 0);
	assert_null(mr_budget_parse("5G/month", &b));
	assert_int_equal(b.per, MR_PER_MONTH);
	assert_int_equal(b.start, 1);
	assert_non_null(mr_budget_parse("5G", &b));
	assert_non_null(mr_budget_parse("5G/week", &b));
	assert_non_null(mr_budget_parse("/day", &b));
}

struct bad {
	const char *name;
	int line;
	const char *text;
};

static const struct bad bad[] = {
    {"paths-budget-unit.conf", 3, "path \"cellular\": budget \"5X/month\" has an unknown unit"},
    {"paths-budget-period.conf", 3, "has an unknown period (expected /day or /month)"},
    {"paths-budget-start.conf", 4, "start must be a day of the month (1-31)"},
    {"paths-budget-hour.conf", 4, "budgets.cellular: start must be an hour of the day (0-23)"},
    {"paths-budget-zero.conf", 3, "is zero (to keep a program off a path"},
    {"paths-budget-unknown-path.conf", 4, "budgets: unknown path \"celular\""},
    {"paths-budget-type.conf", 3, "budget must be a string like \"500M/day\" or a group"},
    {"paths-budget-no-bytes.conf", 3, "path \"cellular\": budget without bytes"},
    {"paths-kind-unknown.conf", 3, "kind must be \"wifi\", \"cellular\" (or \"wwan\") or"},
    {"paths-kind-twice.conf", 4, "paths \"wifi\" and \"wifi2\" both use kind \"wifi\""},
    {"paths-over-budget.conf", 4, "over_budget must be \"leave\" or \"stay\", not \"keep\""},
    {"paths-metered-type.conf", 3, "metered must be true or false, not a string"},
};

static void test_bad(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mr_policy p;
		struct mr_config_error err;
		enum mr_load_result r = mr_config_load(mr_libconfig_linked, fixture(bad[i].name),
		                                       MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err);
		if (r != MR_LOAD_ERROR || err.line != bad[i].line ||
		    !strstr(err.text, bad[i].text)) {
			char msg[600];
			mr_config_format_error(&err, msg, sizeof(msg));
			print_error("%s: got %d \"%s\", want line %d \"%s\"\n", bad[i].name, r, msg,
			            bad[i].line, bad[i].text);
			failed++;
		}
		if (p.n_paths || p.n_sections || p.default_budgets.set) {
			print_error("%s: a failed load left paths behind\n", bad[i].name);
			failed++;
		}
		mr_policy_free(&p);
	}
	if (failed)
		fail_msg("%d bad fixture(s) not refused as expected", failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),  cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_classify), cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
