/* SPDX-License-Identifier: MIT */
/*
 * The policy tests' fixtures: a file of tests/unit/policy/fixtures/ by name,
 * and loading one as mptcp-run would (world-writable refused), failing the
 * test with the loader's message when it does not load. Tests run from the
 * repository's root (tests/run-unit.sh); elsewhere the path is found from
 * this header's own.
 */
#ifndef MPTCP_RUN_TESTS_POLICY_FIXTURE_H
#define MPTCP_RUN_TESTS_POLICY_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/config_file.h"
#include "kernel/libconfig_linked.h"
#include "policy/config_text.h"
#include "policy/policy.h"

static const char *fixture(const char *name)
{
	static char buf[4][1400];
	static int i;
	char *p = buf[i++ % 4];
	const char *self = __FILE__, *suffix = "tests/unit/policy/fixture.h";
	size_t n = strlen(self), m = strlen(suffix);
	if (access("tests/unit/policy/fixtures", R_OK) == 0 || n < m)
		snprintf(p, sizeof(buf[0]), "tests/unit/policy/fixtures/%s", name);
	else
		snprintf(p, sizeof(buf[0]), "%.*stests/unit/policy/fixtures/%s", (int)(n - m), self,
		         name);
	return p;
}

static void load(const char *name, struct mr_policy *p)
{
	struct mr_config_error err;
	char msg[600];
	enum mr_load_result r = mr_config_load(mr_libconfig_linked, fixture(name),
	                                       MR_CONF_REFUSE_WORLD_WRITABLE, p, &err);
	if (r != MR_LOAD_OK) {
		mr_config_format_error(&err, msg, sizeof(msg));
		fail_msg("%s: %s", name, msg);
	}
}

#endif
