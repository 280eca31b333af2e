/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of launcher/unit.c: unit name validation, reading the
 * Environment= assignments a unit already makes, and the drop-in text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/unit_text.h"

#define LIB "/usr/lib/mptcp-run/libmptcp-run.so"

static void expect_name(const char *in, const char *want)
{
	char out[LR_UNIT_NAME_MAX];
	const char *why = lr_unit_name_check(in, out, sizeof(out));

	if (why)
		fail_msg("\"%s\" rejected: %s", in, why);
	assert_string_equal(out, want);
}

static void expect_bad_name(const char *in)
{
	char out[LR_UNIT_NAME_MAX];

	if (!lr_unit_name_check(in, out, sizeof(out)))
		fail_msg("\"%s\" accepted as \"%s\"", in, out);
}

static void test_unit_names(void **state)
{
	char long_name[400];

	(void)state;
	expect_name("nginx", "nginx.service");
	expect_name("nginx.service", "nginx.service");
	expect_name("getty@tty1.service", "getty@tty1.service");
	expect_name("getty@tty1", "getty@tty1.service");
	expect_name("foo@.service", "foo@.service");
	expect_name("dbus-org.freedesktop.x", "dbus-org.freedesktop.x.service");
	expect_name("a:b_c-d", "a:b_c-d.service");

	expect_bad_name("");
	expect_bad_name("-nginx");
	expect_bad_name(".service");
	expect_bad_name(".hidden");
	expect_bad_name("foo.");
	expect_bad_name("../etc/passwd");
	expect_bad_name("a/b");
	expect_bad_name("foo;rm -rf");
	expect_bad_name("foo bar");
	expect_bad_name("$(id)");
	expect_bad_name("`id`");
	expect_bad_name("a|b");
	expect_bad_name("a\nb");
	expect_bad_name("naïve");
	expect_bad_name("@foo.service");
	expect_bad_name("a@b@c.service");
	/* Environment= belongs to services only. */
	expect_bad_name("sshd.socket");
	expect_bad_name("multi-user.target");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	expect_bad_name(long_name);
}

static void test_unit_template(void **state)
{
	char out[LR_UNIT_NAME_MAX];

	(void)state;
	assert_true(lr_unit_template("getty@tty1.service", out, sizeof(out)));
	assert_string_equal(out, "getty@.service");
	assert_false(lr_unit_template("nginx.service", out, sizeof(out)));
	assert_false(lr_unit_template("foo@.service", out, sizeof(out)));
}

/* Scans one or more texts in order and returns the LD_PRELOAD value ("<unset>" if none). */
static char *scan(const char *a, const char *b)
{
	struct lr_env_value v = {0};
	char *r;

	assert_true(lr_unit_env_scan(a, strlen(a), "LD_PRELOAD", &v));
	if (b)
		assert_true(lr_unit_env_scan(b, strlen(b), "LD_PRELOAD", &v));
	r = strdup(v.set ? v.value : "<unset>");
	lr_env_value_free(&v);
	return r;
}

static void expect_scan(const char *a, const char *b, const char *want)
{
	char *v = scan(a, b);

	assert_string_equal(v, want);
	free(v);
}

static void test_env_scan(void **state)
{
	(void)state;
	expect_scan("[Service]\nExecStart=/bin/x\n", NULL, "<unset>");
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=/a.so\n", NULL, "/a.so");
	expect_scan("[Service]\nEnvironment = LD_PRELOAD=/a.so\n", NULL, "/a.so");
	/* Several assignments per line, quoting anywhere in the word, C escapes. */
	expect_scan("[Service]\nEnvironment=FOO=1 \"LD_PRELOAD=/a.so /b.so\" BAR=2\n", NULL,
	            "/a.so /b.so");
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=\"/a.so /b.so\"\n", NULL, "/a.so /b.so");
	expect_scan("[Service]\nEnvironment='LD_PRELOAD=/a\\\\b.so'\n", NULL, "/a\\b.so");
	/* Later wins; an empty Environment= clears. */
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=/a.so\nEnvironment=LD_PRELOAD=/b.so\n", NULL,
	            "/b.so");
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=/a.so\nEnvironment=\n", NULL, "<unset>");
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=/a.so\n", "[Service]\nEnvironment=\n",
	            "<unset>");
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=/a.so\n",
	            "[Service]\nEnvironment=LD_PRELOAD=/c.so\n", "/c.so");
	/* Only [Service]; comments ignored; other variables ignored. */
	expect_scan("[Unit]\nEnvironment=LD_PRELOAD=/u.so\n", NULL, "<unset>");
	expect_scan("[Service]\n#Environment=LD_PRELOAD=/c.so\n;Environment=LD_PRELOAD=/d.so\n",
	            NULL, "<unset>");
	expect_scan("[Service]\nEnvironment=LD_PRELOADX=/x.so XLD_PRELOAD=/y.so\n", NULL,
	            "<unset>");
	expect_scan("[Service]\nEnvironmentFile=/etc/default/x\n", NULL, "<unset>");
	/* Continuation lines. */
	expect_scan("[Service]\nEnvironment=FOO=1 \\\n  LD_PRELOAD=/a.so\n", NULL, "/a.so");
	/* CRLF and no final newline. */
	expect_scan("[Service]\r\nEnvironment=LD_PRELOAD=/a.so\r\n", NULL, "/a.so");
	expect_scan("[Service]\nEnvironment=LD_PRELOAD=/a.so", NULL, "/a.so");
}

static char *exec_of(const char *a, const char *b)
{
	struct lr_env_value v = {0};
	char *r;

	assert_true(lr_unit_exec_scan(a, strlen(a), &v));
	if (b)
		assert_true(lr_unit_exec_scan(b, strlen(b), &v));
	r = strdup(v.set ? v.value : "<unset>");
	lr_env_value_free(&v);
	return r;
}

static void expect_exec(const char *a, const char *b, const char *want)
{
	char *v = exec_of(a, b);

	assert_string_equal(v, want);
	free(v);
}

static void test_exec_scan(void **state)
{
	(void)state;
	expect_exec("[Service]\nExecStart=/usr/bin/foo -d\n", NULL, "/usr/bin/foo");
	expect_exec("[Service]\nExecStart=-@/usr/bin/foo foo\n", NULL, "/usr/bin/foo");
	expect_exec("[Service]\nExecStart=+\"/opt/my app/x\" a\n", NULL, "/opt/my app/x");
	expect_exec("[Service]\nExecStartPre=/bin/pre\nExecStart=/bin/a\nExecStart=/bin/b\n", NULL,
	            "/bin/a");
	/* A drop-in that resets and sets ExecStart replaces the unit's. */
	expect_exec("[Service]\nExecStart=/bin/a\n", "[Service]\nExecStart=\nExecStart=/bin/c\n",
	            "/bin/c");
	expect_exec("[Unit]\nExecStart=/bin/a\n", NULL, "<unset>");
}

static void test_dropin_text(void **state)
{
	char *t;

	(void)state;
	t = lr_dropin_text(LIB, NULL, NULL);
	assert_non_null(t);
	assert_non_null(strstr(t, "\n[Service]\n"));
	assert_non_null(strstr(t, "\nEnvironment=LD_PRELOAD=" LIB "\n"));
	assert_non_null(strstr(t, "\nEnvironment=MPTCP_RUN_FORCE=1\n"));
	assert_null(strstr(t, "GODEBUG"));
	free(t);

	/* Go services get GODEBUG, quoted like any value. */
	t = lr_dropin_text(LIB, NULL, "x=1,multipathtcp=1");
	assert_non_null(strstr(t, "\nEnvironment=GODEBUG=x=1,multipathtcp=1\n"));
	free(t);

	/* Their entries kept after ours; quoted because of the space. */
	t = lr_dropin_text(LIB, "/a.so /b.so", NULL);
	assert_non_null(strstr(t, "\nEnvironment=\"LD_PRELOAD=" LIB ":/a.so /b.so\"\n"));
	free(t);
	t = lr_dropin_text(LIB, "/a.so", NULL);
	assert_non_null(strstr(t, "\nEnvironment=LD_PRELOAD=" LIB ":/a.so\n"));
	free(t);

	/* Ours only once, wherever they had it. */
	t = lr_dropin_text(LIB, "/a.so:" LIB, NULL);
	assert_non_null(strstr(t, "\nEnvironment=LD_PRELOAD=/a.so:" LIB "\n"));
	free(t);

	/* '%' in our path is escaped for systemd; quotes and backslashes too. */
	t = lr_dropin_text("/opt/100%/libmptcp-run.so", NULL, NULL);
	assert_non_null(strstr(t, "Environment=LD_PRELOAD=/opt/100%%/libmptcp-run.so\n"));
	free(t);
	t = lr_dropin_text(LIB, "/we\"ird.so", NULL);
	assert_non_null(strstr(t, "Environment=\"LD_PRELOAD=" LIB ":/we\\\"ird.so\"\n"));
	free(t);
}

/* What we write, systemd (our scanner) reads back as the value we meant. */
static void test_dropin_roundtrip(void **state)
{
	const char *theirs[] = {NULL, "/a.so", "/a.so /b.so", "/q\"uote.so", "/back\\slash.so"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		char *t = lr_dropin_text(LIB, theirs[i], NULL);
		char *v = scan(t, NULL);
		char want[256];

		snprintf(want, sizeof(want), "%s%s%s", LIB, theirs[i] ? ":" : "",
		         theirs[i] ? theirs[i] : "");
		assert_string_equal(v, want);
		free(v);
		free(t);
	}
}

/* The supervised drop-in: ExecStart= reset, the line kept, prefixes in front; '@' refused. */
static void test_dropin_supervise(void **state)
{
	const char *unit = "[Service]\nExecStart=/bin/old\n", *drop =
	                                                          "[Service]\nExecStart=\n"
	                                                          "ExecStart=-+/bin/go x \"a b\"\n";
	struct lr_env_value v = {0};
	const char *why;
	int count = 0;
	char *t;

	(void)state;
	assert_true(lr_unit_exec_line_scan(unit, strlen(unit), &v, &count));
	assert_true(lr_unit_exec_line_scan(drop, strlen(drop), &v, &count));
	assert_int_equal(count, 1);
	assert_string_equal(v.value, "-+/bin/go x \"a b\"");
	t = lr_dropin_supervise_text("/usr/bin/mptcp-run", v.value, count, &why);
	assert_non_null(t);
	assert_non_null(strstr(t, "\n[Service]\nExecStart=\nExecStart=-+/usr/bin/mptcp-run "
	                          "--supervise /bin/go x \"a b\"\n"));
	assert_null(strstr(t, "LD_PRELOAD"));
	free(t);
	lr_env_value_free(&v);
	assert_null(lr_dropin_supervise_text("/usr/bin/mptcp-run", "@/bin/go argv0", 1, &why));
	assert_non_null(why);
	assert_null(lr_dropin_supervise_text("/usr/bin/mptcp-run", "/bin/a", 2, &why));
	assert_non_null(strstr(why, "several"));
	t = lr_dropin_supervise_text("/opt/100%/mptcp-run", "/bin/a", 1, &why);
	assert_non_null(strstr(t, "ExecStart=/opt/100%%/mptcp-run --supervise /bin/a\n"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unit_names),       cmocka_unit_test(test_unit_template),
	    cmocka_unit_test(test_env_scan),         cmocka_unit_test(test_exec_scan),
	    cmocka_unit_test(test_dropin_text),      cmocka_unit_test(test_dropin_roundtrip),
	    cmocka_unit_test(test_dropin_supervise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
