/* SPDX-License-Identifier: MIT */
/*
 * The report's two ends against each other: lines composed by the preload
 * library's writer (shim/format/report_line.c, hand-written, no allocation) are
 * read back by the launcher's reader (launcher/report/reader.c, jansson), and
 * every field must come back as written: awkward strings (quotes, backslashes,
 * control bytes, bytes >= 0x80), nulls, extreme counters, IPv4, IPv6 and
 * v4-mapped addresses, and the most subflows a line lists. A line that does
 * not fit its buffer must be marked overflowed, never cut.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "format/report_line.h"
#include "report/reader.h"

static struct sockaddr_storage addr(const char *text, unsigned port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
	}
	return ss;
}

/* Composes f and parses the line back into *r. */
static void roundtrip(const struct mr_report_fields *f, struct lr_report_rec *r)
{
	char buf[4096];
	struct mr_line l;
	mr_line_init(&l, buf, sizeof(buf));
	mr_report_compose(&l, f);
	assert_false(l.overflow);
	assert_int_equal(lr_report_parse_line(buf, l.len, r), 0);
}

static void test_full_line(void **state)
{
	(void)state;
	struct sockaddr_storage local = addr("198.18.1.1", 40000),
	                        remote = addr("198.18.1.2", 5000);
	struct sockaddr_storage l2 = addr("fd00:2::1", 40001), r2 = addr("fd00:2::2", 5000);
	struct mr_report_subflow_fields sf[2] = {
	    {&local, &remote, "veth1", true, UINT64_MAX / 4, 7, 8, 9, 10},
	    {&l2, &r2, NULL, false, 0, 0, 0, 0, 0},
	};
	struct mr_report_fields f = {
	    .time = 1796000000,
	    .pid = 4242,
	    .fd = 3,
	    .program = "/usr/bin/odd \"name\"\\with\ttab\x01\x7f and \xc3\xa9 \xff",
	    .at = "close",
	    .role = "connect",
	    .socket = "mptcp",
	    .conn = "mptcp",
	    .policy = "mptcp",
	    .rule = "programs[0] (match \"ncat\", line 3) connect.include 198.18.0.0/15",
	    .kept = NULL,
	    .local = &local,
	    .remote = &remote,
	    .pinned = false,
	    .shared = true,
	    .have_totals = true,
	    .bytes_sent = INT64_MAX,
	    .bytes_acked = 1,
	    .bytes_received = 0,
	    .retrans = 12,
	    .subflows_total = 2,
	    .paths_at = "shutdown",
	    .n_subflows = 2,
	    .subflows = sf,
	};
	struct lr_report_rec r;
	roundtrip(&f, &r);
	assert_true(r.has_paths_at);
	assert_string_equal(r.paths_at, "shutdown");
	assert_int_equal(r.time, f.time);
	assert_int_equal(r.pid, 4242);
	assert_int_equal(r.fd, 3);
	assert_string_equal(r.program, f.program);
	assert_string_equal(r.at, "close");
	assert_string_equal(r.role, "connect");
	assert_string_equal(r.socket, "mptcp");
	assert_string_equal(r.conn, "mptcp");
	assert_true(r.has_policy);
	assert_string_equal(r.policy, "mptcp");
	assert_string_equal(r.rule, f.rule);
	assert_false(r.has_kept);
	assert_string_equal(r.local, "198.18.1.1:40000");
	assert_string_equal(r.remote, "198.18.1.2:5000");
	assert_false(r.pinned);
	assert_true(r.shared);
	assert_true(r.has_bytes);
	assert_true(r.bytes_sent == (uint64_t)INT64_MAX);
	assert_int_equal(r.bytes_acked, 1);
	assert_int_equal(r.retrans, 12);
	assert_int_equal(r.subflows_total, 2);
	assert_int_equal(r.n_subflows, 2);
	assert_string_equal(r.sf[0].local, "198.18.1.1:40000");
	assert_string_equal(r.sf[0].dev, "veth1");
	assert_true(r.sf[0].has_bytes);
	assert_true(r.sf[0].bytes_sent == UINT64_MAX / 4);
	assert_int_equal(r.sf[0].rtt_us, 10);
	assert_int_equal(r.sf[0].backup, -1);
	assert_string_equal(r.sf[1].local, "[fd00:2::1]:40001");
	assert_string_equal(r.sf[1].remote, "[fd00:2::2]:5000");
	assert_string_equal(r.sf[1].dev, "");
	assert_false(r.sf[1].has_bytes);
}

/* A listener judged TCP with a reason, no remote, no counters, a v4-mapped local address. */
static void test_nulls_and_mapped(void **state)
{
	(void)state;
	struct sockaddr_storage local = addr("::ffff:198.18.1.2", 8080);
	struct mr_report_fields f = {
	    .time = 0,
	    .pid = 1,
	    .fd = 0,
	    .program = NULL,
	    .at = "exit",
	    .role = "listen",
	    .socket = "tcp",
	    .conn = "none",
	    .policy = "mptcp",
	    .rule = "built-in default",
	    .kept = "the descriptor was duplicated",
	    .local = &local,
	    .remote = NULL,
	    .pinned = true,
	};
	struct lr_report_rec r;
	roundtrip(&f, &r);
	assert_string_equal(r.local, "[::ffff:198.18.1.2]:8080");
	assert_string_equal(r.remote, "");
	assert_string_equal(r.program, "");
	assert_true(r.has_kept);
	assert_string_equal(r.kept, "the descriptor was duplicated");
	assert_true(r.pinned);
	assert_false(r.has_paths_at);
	assert_false(r.has_no_figures);
	assert_false(r.has_bytes);
	assert_int_equal(r.n_subflows, 0);
}

/* The supervisor's line of a connection that ended between two of its samples. */
static void test_no_figures(void **state)
{
	(void)state;
	struct sockaddr_storage remote = addr("198.18.1.1", 7000);
	struct mr_report_fields f = {
	    .time = 1,
	    .pid = 7,
	    .fd = 4,
	    .program = "/tmp/rawsock",
	    .at = "close",
	    .role = "connect",
	    .socket = "mptcp",
	    .conn = "none",
	    .policy = "mptcp",
	    .rule = "built-in default",
	    .remote = &remote,
	    .no_figures = "ended between two samples (every 200 ms)",
	};
	struct lr_report_rec r;
	roundtrip(&f, &r);
	assert_true(r.has_no_figures);
	assert_string_equal(r.no_figures, f.no_figures);
	assert_false(r.has_paths_at);
	assert_false(r.has_bytes);
}

/* The most subflows the library lists (9), each with counters. */
static void test_nine_subflows(void **state)
{
	(void)state;
	struct sockaddr_storage a[9], b = addr("198.18.9.9", 443);
	struct mr_report_subflow_fields sf[9];
	char ip[32];
	for (int i = 0; i < 9; i++) {
		snprintf(ip, sizeof(ip), "198.18.%d.1", i + 1);
		a[i] = addr(ip, 50000 + (unsigned)i);
		sf[i] = (struct mr_report_subflow_fields){&a[i], &b, "eth0", true, (uint64_t)i,
		                                          2,     3,  4,      5};
	}
	struct mr_report_fields f = {
	    .at = "close",
	    .role = "connect",
	    .socket = "mptcp",
	    .conn = "mptcp",
	    .subflows_total = 12, /* more than listed: counted, not listed */
	    .n_subflows = 9,
	    .subflows = sf,
	};
	struct lr_report_rec r;
	roundtrip(&f, &r);
	assert_int_equal(r.subflows_total, 12);
	assert_int_equal(r.n_subflows, 9);
	for (int i = 0; i < 9; i++) {
		snprintf(ip, sizeof(ip), "198.18.%d.1:%d", i + 1, 50000 + i);
		assert_string_equal(r.sf[i].local, ip);
		assert_int_equal(r.sf[i].bytes_sent, (uint64_t)i);
	}
}

/* A buffer too small: overflowed, and what was written is never handed out as a line. */
static void test_overflow(void **state)
{
	(void)state;
	char buf[64];
	struct mr_line l;
	struct mr_report_fields f = {
	    .at = "close", .role = "unused", .socket = "tcp", .conn = "none"};
	mr_line_init(&l, buf, sizeof(buf));
	mr_report_compose(&l, &f);
	assert_true(l.overflow);
	assert_true(l.len <= sizeof(buf));
	struct lr_report_rec r;
	assert_int_equal(lr_report_parse_line(buf, l.len, &r), LR_REPORT_NOT_OURS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_line),     cmocka_unit_test(test_nulls_and_mapped),
	    cmocka_unit_test(test_nine_subflows), cmocka_unit_test(test_no_figures),
	    cmocka_unit_test(test_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
