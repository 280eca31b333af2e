/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of per-program paths (issue 13): the contract fixture parsed and
 * resolved for each program, the initial-path and pin-device decisions for
 * every combination of usable interfaces, and the catalogue of bad configs
 * (each refused with its line and message, leaving no policy behind).
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

static void paths_of(const struct mr_policy *p, const char *exe, struct mr_program_paths *pp)
{
	struct mr_program prog;
	mr_resolve(p, exe, false, &prog);
	mr_program_paths(p, &prog, pp);
}

static void assert_paths(const struct mr_policy *p, const char *exe, enum mr_paths_origin o,
                         const char *want)
{
	struct mr_program_paths pp;
	char buf[256];
	paths_of(p, exe, &pp);
	mr_format_paths(p, &pp.list, buf, sizeof(buf));
	assert_int_equal(pp.origin, o);
	assert_string_equal(buf, want);
}

static void test_contract(void **state)
{
	(void)state;
	struct mr_policy p;
	load("valid-paths.conf", &p);
	assert_int_equal(p.n_paths, 3);
	assert_string_equal(p.paths[0].name, "wired");
	assert_string_equal(p.paths[0].dev, "eth0");
	assert_false(p.paths[0].backup);
	assert_string_equal(p.paths[2].name, "cellular");
	assert_string_equal(p.paths[2].dev, "wwan0");
	assert_true(p.paths[2].backup);
	assert_int_equal(p.paths[2].line, 5);
	assert_int_equal(mr_path_by_dev(&p, "wlan0"), 1);
	assert_int_equal(mr_path_by_dev(&p, "lo"), -1);

	assert_paths(&p, "/usr/bin/ssh", MR_PATHS_SECTION, "wifi, cellular (backup)");
	assert_paths(&p, "/usr/bin/rsync", MR_PATHS_SECTION, "wired, wifi");
	assert_paths(&p, "/usr/bin/curl", MR_PATHS_SECTION, "wifi");
	/* A section without paths, and no section: defaults.paths. */
	assert_paths(&p, "/usr/bin/wget", MR_PATHS_DEFAULTS, "wired, wifi, cellular (backup)");
	assert_paths(&p, "/usr/bin/ncat", MR_PATHS_DEFAULTS, "wired, wifi, cellular (backup)");

	struct mr_program_paths pp;
	paths_of(&p, "/usr/bin/rsync", &pp);
	assert_true(mr_paths_lists(&pp, 0));
	assert_true(mr_paths_lists(&pp, 1));
	assert_false(mr_paths_lists(&pp, 2)); /* never cellular */
	mr_policy_free(&p);
	assert_int_equal(p.n_paths, 0);
}

/* No defaults.paths: every defined path; no paths at all: nothing. */
static void test_origins(void **state)
{
	(void)state;
	static const char text[] =
	    "paths = { a = { dev = \"c1\"; }; b = { dev = \"c2\"; backup = "
	    "true; }; };\nprograms = ( { match = \"x\"; paths = \"b\"; } );\n";
	struct mr_policy p;
	struct mr_config_error err;
	assert_int_equal(mr_config_parse(mr_libconfig_linked, text, strlen(text), "t", &p, &err),
	                 0);
	assert_paths(&p, "/bin/y", MR_PATHS_ALL, "a, b (backup)");
	assert_paths(&p, "/bin/x", MR_PATHS_SECTION, "b (backup)");
	mr_policy_free(&p);

	load("valid-contract.conf", &p);
	assert_paths(&p, "/usr/bin/curl", MR_PATHS_NONE, "");
	mr_policy_free(&p);
}

static void test_initial_and_pin(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_program_paths ssh, curl, rsync;
	bool up[MR_PATHS_MAX] = {true, true, true};
	load("valid-paths.conf", &p);
	paths_of(&p, "ssh", &ssh);
	paths_of(&p, "curl", &curl);
	paths_of(&p, "rsync", &rsync);

	/* ssh starts on wifi; routing via wired (0) means a pin to wlan0. */
	assert_int_equal(mr_paths_initial(&p, &ssh, up), 1);
	assert_string_equal(mr_paths_pin_device(&p, &ssh, up, 0), "wlan0");
	assert_null(mr_paths_pin_device(&p, &ssh, up, 1)); /* routing already picks wifi */
	assert_string_equal(mr_paths_pin_device(&p, &ssh, up, -1), "wlan0");
	/* wifi gone: the backup carries the initial subflow. */
	up[1] = false;
	assert_int_equal(mr_paths_initial(&p, &ssh, up), 2);
	assert_string_equal(mr_paths_pin_device(&p, &ssh, up, 0), "wwan0");
	/* curl is wifi-only: nothing usable, left to routing (never broken). */
	assert_int_equal(mr_paths_initial(&p, &curl, up), -1);
	assert_null(mr_paths_pin_device(&p, &curl, up, 0));
	assert_int_equal(mr_paths_initial(&p, &rsync, up), 0);
	up[0] = false;
	up[1] = true;
	assert_int_equal(mr_paths_initial(&p, &rsync, up), 1);

	/* A policy without paths never pins. */
	struct mr_policy none;
	struct mr_program_paths np;
	mr_policy_builtin(&none);
	paths_of(&none, "ssh", &np);
	assert_null(mr_paths_pin_device(&none, &np, up, 0));
	mr_policy_free(&p);
}

struct bad {
	const char *name;
	int line;
	const char *text;
};

static const struct bad bad[] = {
    {"paths-unknown-name.conf", 4, "unknown path \"wfii\" (defined: wifi)"},
    {"paths-empty-list.conf", 4, "paths is empty: name at least one path"},
    {"paths-missing-dev.conf", 3, "path \"wifi\" without dev"},
    {"paths-duplicate-name.conf", 4, "duplicate setting name"},
    {"paths-duplicate-dev.conf", 4, "paths \"wifi\" and \"wlan\" both use dev \"wlan0\""},
    {"paths-listed-twice.conf", 4, "path \"wifi\" is listed twice"},
    {"paths-none-defined.conf", 3, "none are defined"},
    {"paths-unknown-key.conf", 3, "unknown key \"bakup\" in path \"wifi\""},
    {"paths-dev-too-long.conf", 3, "longer than 15 bytes"},
    {"paths-type-backup.conf", 3, "backup must be true or false, not a string"},
    {"paths-empty-group.conf", 2, "paths is empty: define at least one"},
    {"paths-type-def.conf", 3, "path \"wifi\" must be a group"},
    {"paths-type-list.conf", 3, "paths entry must be a string, not a number"},
};

static void test_bad(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mr_policy p;
		struct mr_config_error err;
		const char *path = fixture(bad[i].name);
		enum mr_load_result r = mr_config_load(mr_libconfig_linked, path,
		                                       MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err);
		if (r != MR_LOAD_ERROR || err.line != bad[i].line ||
		    !strstr(err.text, bad[i].text)) {
			char msg[600];
			mr_config_format_error(&err, msg, sizeof(msg));
			print_error("%s: got %d \"%s\", want line %d \"%s\"\n", bad[i].name, r, msg,
			            bad[i].line, bad[i].text);
			failed++;
		}
		if (p.n_paths || p.n_sections || p.default_paths.set) {
			print_error("%s: a failed load left paths behind\n", bad[i].name);
			failed++;
		}
		mr_policy_free(&p);
	}
	if (failed)
		fail_msg("%d bad fixture(s) not refused as expected", failed);
}

/* More paths than MR_PATHS_MAX, and a truncating formatter. */
static void test_limits(void **state)
{
	(void)state;
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), "paths = {\n");
	for (int i = 0; i <= MR_PATHS_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		                        "p%d = { dev = \"d%d\"; };\n", i, i);
	snprintf(text + off, sizeof(text) - off, "};\n");
	struct mr_policy p;
	struct mr_config_error err;
	assert_int_equal(mr_config_parse(mr_libconfig_linked, text, strlen(text), "t", &p, &err),
	                 -1);
	assert_non_null(strstr(err.text, "more than 32 paths"));
	assert_int_equal(err.line, MR_PATHS_MAX + 2);
	mr_policy_free(&p);

	load("valid-paths.conf", &p);
	struct mr_program_paths pp;
	char small[8];
	paths_of(&p, "wget", &pp);
	assert_int_equal(mr_format_paths(&p, &pp.list, small, sizeof(small)), 7);
	assert_string_equal(small, "wired, ");
	mr_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contract),        cmocka_unit_test(test_origins),
	    cmocka_unit_test(test_initial_and_pin), cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests_name("paths", tests, NULL, NULL);
}
