/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the launcher's pure text editing: LD_PRELOAD and GODEBUG
 * merging (launcher/env.c) and /etc/ld.so.preload lines (launcher/ldso_text.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text/env.h"
#include "text/ldso_text.h"

#define LIB "/usr/lib/mptcp-run/libmptcp-run.so"

static void expect_merge(const char *old, const char *want)
{
	char *v = lr_preload_merge(old, LIB);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void test_preload_merge(void **state)
{
	(void)state;
	expect_merge(NULL, LIB);
	expect_merge("", LIB);
	expect_merge("  : ", LIB);
	/* Kept as written, ours first. */
	expect_merge("/a.so", LIB ":/a.so");
	expect_merge("/a.so /b.so", LIB ":/a.so /b.so");
	expect_merge("/a.so:/b.so", LIB ":/a.so:/b.so");
	/* Already there, anywhere, with either separator: unchanged, not added twice. */
	expect_merge(LIB, LIB);
	expect_merge("/a.so:" LIB, "/a.so:" LIB);
	expect_merge("/a.so " LIB " /b.so", "/a.so " LIB " /b.so");
	/* Another copy of the library is replaced, the rest kept. */
	expect_merge("/build/libmptcp-run.so:/a.so", LIB ":/a.so");
	expect_merge("/a.so /old/libmptcp-run.so /b.so", LIB ":/a.so:/b.so");
	/* A different library whose name merely ends the same is not a copy. */
	expect_merge("/x/notlibmptcp-run.so", LIB ":/x/notlibmptcp-run.so");
	/* A prefix of our path is a different entry. */
	expect_merge("/usr/lib/mptcp-run/libmptcp-run.so.1",
	             LIB ":/usr/lib/mptcp-run/libmptcp-run.so.1");
}

static void test_preload_merge_idempotent(void **state)
{
	char *once, *twice;

	(void)state;
	once = lr_preload_merge("/a.so /b.so", LIB);
	twice = lr_preload_merge(once, LIB);
	assert_string_equal(once, twice);
	free(once);
	free(twice);
}

static void test_preload_has_remove(void **state)
{
	char *v;

	(void)state;
	assert_true(lr_preload_has(LIB, LIB));
	assert_true(lr_preload_has("/a.so " LIB, LIB));
	assert_false(lr_preload_has(NULL, LIB));
	assert_false(lr_preload_has(LIB "x", LIB));
	v = lr_preload_remove("/a.so:" LIB " /b.so:/c/libmptcp-run.so", LIB);
	assert_string_equal(v, "/a.so:/b.so");
	free(v);
	v = lr_preload_remove(LIB, LIB);
	assert_string_equal(v, "");
	free(v);
}

static void expect_godebug(const char *old, const char *want)
{
	char *v = lr_godebug_merge(old);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void test_godebug_merge(void **state)
{
	(void)state;
	expect_godebug(NULL, "multipathtcp=1");
	expect_godebug("", "multipathtcp=1");
	expect_godebug("http2client=0", "http2client=0,multipathtcp=1");
	expect_godebug("a=1,", "a=1,multipathtcp=1");
	/* The user's choice wins, including "off". */
	expect_godebug("multipathtcp=0", "multipathtcp=0");
	expect_godebug("a=1,multipathtcp=2,b=3", "a=1,multipathtcp=2,b=3");
	/* Not the same key to Go. */
	expect_godebug("xmultipathtcp=0", "xmultipathtcp=0,multipathtcp=1");
	expect_godebug("multipathtcp", "multipathtcp,multipathtcp=1");
	assert_true(lr_godebug_has_mptcp("x=1,multipathtcp=3"));
	assert_false(lr_godebug_has_mptcp("multipathtcpx=3"));
}

static char *ldso_add(const char *text, bool *changed)
{
	size_t len;
	char *v = lr_ldso_add(text, strlen(text), LIB, &len, changed);

	assert_non_null(v);
	assert_int_equal(len, strlen(v));
	return v;
}

static char *ldso_remove(const char *text, bool *changed)
{
	size_t len;
	char *v = lr_ldso_remove(text, strlen(text), LIB, &len, changed);

	assert_non_null(v);
	assert_int_equal(len, strlen(v));
	return v;
}

static void test_ldso_add(void **state)
{
	bool changed;
	char *v;

	(void)state;
	v = ldso_add("", &changed);
	assert_true(changed);
	assert_string_equal(v, LIB "\n");
	free(v);
	/* Other lines kept byte for byte; a missing final newline is supplied. */
	v = ldso_add("# site libs\n/opt/a.so\n/opt/b.so", &changed);
	assert_true(changed);
	assert_string_equal(v, "# site libs\n/opt/a.so\n/opt/b.so\n" LIB "\n");
	free(v);
	/* Present already (even sharing a line): unchanged. */
	v = ldso_add("/opt/a.so:" LIB "\n", &changed);
	assert_false(changed);
	assert_string_equal(v, "/opt/a.so:" LIB "\n");
	free(v);
	/* Only in a comment: not present. */
	v = ldso_add("# " LIB "\n", &changed);
	assert_true(changed);
	assert_string_equal(v, "# " LIB "\n" LIB "\n");
	free(v);
}

static void test_ldso_remove(void **state)
{
	bool changed;
	char *v;

	(void)state;
	v = ldso_remove("/opt/a.so\n" LIB "\n/opt/b.so\n", &changed);
	assert_true(changed);
	assert_string_equal(v, "/opt/a.so\n/opt/b.so\n");
	free(v);
	v = ldso_remove(LIB "\n", &changed);
	assert_true(changed);
	assert_string_equal(v, "");
	free(v);
	/* Shared line: the others stay, and a comment stays. */
	v = ldso_remove("/opt/a.so " LIB ":/opt/b.so # keep\n", &changed);
	assert_true(changed);
	assert_string_equal(v, "/opt/a.so /opt/b.so # keep\n");
	free(v);
	v = ldso_remove("\t" LIB "\t# ours\n/x.so", &changed);
	assert_true(changed);
	assert_string_equal(v, "# ours\n/x.so");
	free(v);
	/* Not there: unchanged, commented mention kept. */
	v = ldso_remove("# " LIB "\n/opt/a.so\n", &changed);
	assert_false(changed);
	assert_string_equal(v, "# " LIB "\n/opt/a.so\n");
	free(v);
	/* Every copy goes, including a last line without newline. */
	v = ldso_remove(LIB "\n/a.so\n" LIB, &changed);
	assert_true(changed);
	assert_string_equal(v, "/a.so\n");
	free(v);
}

static void test_ldso_roundtrip(void **state)
{
	const char *orig = "# comment\n/opt/a.so\n\n/opt/b.so:/opt/c.so\n";
	bool changed;
	char *added, *removed;

	(void)state;
	added = ldso_add(orig, &changed);
	assert_true(lr_ldso_has(added, strlen(added), LIB));
	removed = ldso_remove(added, &changed);
	assert_string_equal(removed, orig);
	free(added);
	free(removed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_preload_merge),
	    cmocka_unit_test(test_preload_merge_idempotent),
	    cmocka_unit_test(test_preload_has_remove),
	    cmocka_unit_test(test_godebug_merge),
	    cmocka_unit_test(test_ldso_add),
	    cmocka_unit_test(test_ldso_remove),
	    cmocka_unit_test(test_ldso_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
