/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's usage file (launcher/pathd/usage_file.h) against itself:
 * counters and subflow counts written are read back field by field (IPv6,
 * counts beyond 32 bits, a program path with quotes); a first start (no
 * file), a file others may write or a symbolic link (refused), a broken or
 * foreign file (an error with the reason), and entries that cannot be read
 * whole (skipped, the others kept).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pathd/usage_file.h"
#include "policy/policy.h"

static char dir[64];
static char file[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mptcp-run-usage-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/pathd-usage.json", dir);
	return 0;
}

static int teardown(void **state)
{
	char link[160];
	(void)state;
	snprintf(link, sizeof(link), "%s/link.json", dir);
	unlink(link);
	unlink(file);
	rmdir(dir);
	return 0;
}

static struct pl_addr ip(const char *text)
{
	struct pl_addr a = {.family = strchr(text, ':') ? AF_INET6 : AF_INET};
	assert_int_equal(inet_pton(a.family, text, a.a), 1);
	return a;
}

static void write_text(const char *text)
{
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(file, 0644);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct pd_usage_count counts[] = {
	    {.program = "",
	     .path = "cellular",
	     .per = MR_PER_MONTH,
	     .start = 15,
	     .period = "2025-06-15T00",
	     .bytes = 6000000000ULL},
	    {.program = "/opt/my \"tool\"",
	     .path = "cellular",
	     .per = MR_PER_DAY,
	     .start = 6,
	     .period = "2025-06-20T06",
	     .bytes = 12},
	};
	struct pd_usage_sub subs[] = {
	    {.token = 0xdeadbeef,
	     .loc = ip("198.18.3.1"),
	     .lport = 40000,
	     .rem = ip("198.19.0.1"),
	     .rport = 5001,
	     .acked = 5000000000ULL,
	     .received = 7},
	    {.token = 0x1,
	     .loc = ip("fd00:3::1"),
	     .lport = 65535,
	     .rem = ip("fd00:99::1"),
	     .rport = 1,
	     .acked = 0,
	     .received = 0},
	};
	struct pd_usage_data w = {.counts = counts, .n_counts = 2, .subs = subs, .n_subs = 2};
	snprintf(w.written, sizeof(w.written), "2025-06-20T09:13:05");
	assert_int_equal(pd_usage_write(file, &w), 0);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	struct pd_usage_data r;
	char err[200];
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), 0);
	assert_string_equal(r.written, "2025-06-20T09:13:05");
	assert_int_equal(r.n_counts, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(r.counts[i].program, counts[i].program);
		assert_string_equal(r.counts[i].path, counts[i].path);
		assert_int_equal(r.counts[i].per, counts[i].per);
		assert_int_equal(r.counts[i].start, counts[i].start);
		assert_string_equal(r.counts[i].period, counts[i].period);
		assert_int_equal(r.counts[i].bytes, counts[i].bytes);
	}
	assert_int_equal(r.n_subs, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(r.subs[i].token, subs[i].token);
		assert_true(pl_addr_eq(&r.subs[i].loc, &subs[i].loc));
		assert_true(pl_addr_eq(&r.subs[i].rem, &subs[i].rem));
		assert_int_equal(r.subs[i].lport, subs[i].lport);
		assert_int_equal(r.subs[i].rport, subs[i].rport);
		assert_int_equal(r.subs[i].acked, subs[i].acked);
		assert_int_equal(r.subs[i].received, subs[i].received);
	}
	pd_usage_free(&r);

	/* Empty. */
	struct pd_usage_data none = {.n_counts = 0};
	assert_int_equal(pd_usage_write(file, &none), 0);
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_counts + r.n_subs, 0);
	pd_usage_free(&r);
}

static void test_refused(void **state)
{
	(void)state;
	struct pd_usage_data r;
	char err[200], link[160];
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), -ENOENT);
	write_text("{\"version\":1}\n");
	chmod(file, 0666);
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), -EPERM);
	chmod(file, 0644);
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), 0);
	pd_usage_free(&r);
	snprintf(link, sizeof(link), "%s/link.json", dir);
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(pd_usage_read(link, &r, err, sizeof(err)), -EPERM);
	write_text("{\"version\":2,\"counters\":[]}\n");
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a version 1 usage file"));
	write_text("{\"version\":1,\"counters\":[\n");
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line"));
	write_text("[1,2]\n");
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), -EINVAL);
}

/* An entry missing a field, or with one out of range, is skipped; the others are kept. */
static void test_partial(void **state)
{
	(void)state;
	struct pd_usage_data r;
	char err[200];
	write_text("{\"version\":1,\"counters\":["
	           "{\"program\":\"\",\"path\":\"cellular\",\"per\":\"week\",\"start\":1,"
	           "\"period\":\"2025-06-01T00\",\"bytes\":1},"
	           "{\"program\":\"\",\"path\":\"cellular\",\"per\":\"month\",\"start\":1,"
	           "\"period\":\"2025-06-01T00\",\"bytes\":-5},"
	           "{\"path\":\"cellular\",\"per\":\"month\",\"start\":1,"
	           "\"period\":\"2025-06-01T00\",\"bytes\":5},"
	           "{\"program\":\"/bin/x\",\"path\":\"cellular\",\"per\":\"month\",\"start\":1,"
	           "\"period\":\"2025-06-01T00\",\"bytes\":9}],"
	           "\"subflows\":[{\"token\":\"zz\",\"local\":\"198.18.3.1\",\"lport\":1,"
	           "\"remote\":\"198.19.0.1\",\"rport\":2,\"acked\":1,\"received\":1},"
	           "{\"token\":\"0a\",\"local\":\"198.18.3.1\",\"lport\":70000,"
	           "\"remote\":\"198.19.0.1\",\"rport\":2,\"acked\":1,\"received\":1},"
	           "{\"token\":\"0b\",\"local\":\"198.18.3.1\",\"lport\":1,"
	           "\"remote\":\"198.19.0.1\",\"rport\":2,\"acked\":3,\"received\":4}]}\n");
	assert_int_equal(pd_usage_read(file, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_counts, 1);
	assert_string_equal(r.counts[0].program, "/bin/x");
	assert_int_equal(r.n_subs, 1);
	assert_int_equal(r.subs[0].token, 0xb);
	assert_int_equal(r.subs[0].acked, 3);
	pd_usage_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
