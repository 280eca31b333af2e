/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of path modes: path_mode, handover = { } and interactive = { }
 * parsed from defaults and program sections, resolved key by key (section,
 * then defaults, then the built-in values) with where each came from, and
 * the catalogue of bad configs (each refused with its line and message,
 * leaving no policy behind).
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

static void mode_of(const struct mr_policy *p, const char *exe, struct mr_path_tuning *t,
                    struct mr_path_tuning_source *src)
{
	struct mr_program prog;
	mr_resolve(p, exe, false, &prog);
	mr_program_path_mode(p, &prog, t, src);
}

/* Each key from where it is set: the section, else defaults, else built in. */
static void test_resolve(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_path_tuning t;
	struct mr_path_tuning_source src;
	load("valid-path-modes.conf", &p);

	mode_of(&p, "/usr/bin/ssh", &t, &src);
	assert_int_equal(t.v[MR_MK_MODE], MR_PATH_INTERACTIVE);
	assert_int_equal(src.origin[MR_MK_MODE], MR_FROM_SECTION);
	assert_int_equal(src.line[MR_MK_MODE], 12);
	assert_int_equal(t.v[MR_MK_EVERY], 200);
	assert_int_equal(t.v[MR_MK_HOLD], 0);
	assert_int_equal(t.v[MR_MK_BETTER], 30); /* defaults.interactive */
	assert_int_equal(src.origin[MR_MK_BETTER], MR_FROM_DEFAULTS);
	assert_int_equal(src.line[MR_MK_BETTER], 9);
	assert_int_equal(t.v[MR_MK_STALL], 2000);

	mode_of(&p, "/usr/bin/rsync", &t, &src);
	assert_int_equal(t.v[MR_MK_MODE], MR_PATH_AGGREGATE);
	assert_int_equal(src.origin[MR_MK_MODE], MR_FROM_SECTION);

	mode_of(&p, "/usr/bin/curl", &t, &src);
	assert_int_equal(t.v[MR_MK_MODE], MR_PATH_HANDOVER); /* defaults.path_mode */
	assert_int_equal(src.origin[MR_MK_MODE], MR_FROM_DEFAULTS);
	assert_int_equal(src.line[MR_MK_MODE], 7);
	assert_int_equal(t.v[MR_MK_STALL], 0); /* the section's 0: not used */
	assert_int_equal(src.origin[MR_MK_STALL], MR_FROM_SECTION);
	assert_int_equal(t.v[MR_MK_RTT], 300);
	assert_int_equal(t.v[MR_MK_LOSS], 5);
	assert_int_equal(t.v[MR_MK_EVERY], 1000); /* built in */
	assert_int_equal(src.origin[MR_MK_EVERY], MR_FROM_BUILTIN);
	assert_int_equal(src.line[MR_MK_EVERY], 0);
	assert_int_equal(t.v[MR_MK_HOLD], 3000);

	/* A program with no section, and no program at all: the defaults'. */
	mode_of(&p, "/usr/bin/wget", &t, NULL);
	assert_int_equal(t.v[MR_MK_MODE], MR_PATH_HANDOVER);
	mr_program_path_mode(&p, NULL, &t, &src);
	assert_int_equal(t.v[MR_MK_STALL], 2000);
	assert_int_equal(src.origin[MR_MK_STALL], MR_FROM_DEFAULTS);
	mr_policy_free(&p);
	assert_int_equal(p.default_path_modes.line[MR_MK_MODE], 0);
}

/* No key anywhere: aggregate, and the built-in tuning. */
static void test_builtin(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_path_tuning t;
	mr_policy_builtin(&p);
	mode_of(&p, "/usr/bin/ssh", &t, NULL);
	assert_memory_equal(&t, &mr_path_tuning_builtin, sizeof(t));
	assert_int_equal(t.v[MR_MK_MODE], MR_PATH_AGGREGATE);
	assert_int_equal(t.v[MR_MK_STALL], 1000);
	assert_int_equal(t.v[MR_MK_BETTER], 20);
	assert_string_equal(mr_path_mode_name(MR_PATH_HANDOVER), "handover");
	assert_string_equal(mr_path_mode_name(MR_PATH_INTERACTIVE), "interactive");
	assert_string_equal(mr_path_mode_name(MR_PATH_AGGREGATE), "aggregate");
	assert_string_equal(mr_mode_key_name(MR_MK_HOLD), "interactive.hold_ms");
	assert_string_equal(mr_mode_key_name(MR_MK_STALL), "handover.stall_ms");
	mr_policy_free(&p);
}

struct bad {
	const char *name;
	int line;
	const char *text;
};

static const struct bad bad[] = {
    {"paths-mode-unknown.conf", 3,
     "path_mode must be \"aggregate\", \"handover\" or \"interactive\", not \"fast\""},
    {"paths-mode-type.conf", 3, "path_mode must be a string"},
    {"paths-mode-handover-key.conf", 4,
     "unknown key \"stall\" in handover (expected stall_ms, rtt_ms, loss_pct)"},
    {"paths-mode-range.conf", 4, "interactive.better_pct must be 1-99, not 100"},
    {"paths-mode-group.conf", 3, "handover must be a group { ... }"},
    {"paths-mode-float.conf", 3, "handover.stall_ms must be a whole number"},
    {"paths-mode-stall-short.conf", 3,
     "handover.stall_ms must be 0 (not used) or 50-600000, not 10"},
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
		for (int k = 0; k < MR_MK_COUNT; k++)
			if (p.default_path_modes.line[k]) {
				print_error("%s: a failed load left a path mode behind\n",
				            bad[i].name);
				failed++;
				break;
			}
		mr_policy_free(&p);
	}
	if (failed)
		fail_msg("%d bad fixture(s) not refused as expected", failed);
}

/* Each group's keys in either level; unknown keys of the section named with the new ones. */
static void test_messages(void **state)
{
	(void)state;
	static const char text[] = "programs = ( { match = \"x\"; pathmode = \"handover\"; } );\n";
	struct mr_policy p;
	struct mr_config_error err;
	assert_int_equal(mr_config_parse(mr_libconfig_linked, text, strlen(text), "t", &p, &err),
	                 -1);
	assert_non_null(strstr(err.text, "path_mode, handover, interactive"));
	mr_policy_free(&p);
	static const char text2[] = "defaults = { interactive = { every_ms = 49; }; };\n";
	assert_int_equal(mr_config_parse(mr_libconfig_linked, text2, strlen(text2), "t", &p, &err),
	                 -1);
	assert_string_equal(err.text, "interactive.every_ms must be 50-600000, not 49");
	assert_int_equal(err.line, 1);
	mr_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_builtin),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
