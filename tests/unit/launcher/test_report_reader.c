/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of launcher/report/ and launcher/cmd/report.c: the strict reader of the library's
 * report lines (every truncation and every foreign shape is rejected) and the
 * summary built from them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "report/output.h"
#include "report/reader.h"
#include "report/summary.h"

#define SF1                                                                                        \
	"{\"local\":\"198.18.1.1:40000\",\"remote\":\"198.18.1.2:5000\",\"dev\":\"c1\","           \
	"\"bytes_sent\":3000,\"bytes_acked\":3001,\"bytes_received\":10,\"retrans\":2,"            \
	"\"rtt_us\":100,\"backup\":null}"
#define SF2                                                                                        \
	"{\"local\":\"[fd00::1]:40001\",\"remote\":\"198.18.1.2:5000\",\"dev\":null,"              \
	"\"backup\":true}"
#define LINE_MP                                                                                    \
	"{\"v\":1,\"time\":1700000000,\"program\":\"/usr/bin/nc\\\"at\\\\\\u0001\",\"pid\":7,"     \
	"\"fd\":3,\"at\":\"close\",\"role\":\"connect\",\"local\":\"198.18.1.1:40000\","           \
	"\"remote\":\"198.18.1.2:5000\",\"socket\":\"mptcp\",\"conn\":\"mptcp\","                  \
	"\"policy\":\"mptcp\",\"rule\":\"built-in mode \\\"mptcp\\\"\",\"kept\":null,"             \
	"\"pinned\":false,\"shared\":true,\"bytes_sent\":4000,\"bytes_acked\":4000,"               \
	"\"bytes_received\":10,\"retrans\":2,\"subflows_total\":2,\"subflows\":[" SF1 "," SF2 "]}"
#define LINE_LO                                                                                    \
	"{\"v\":1,\"time\":1,\"program\":\"/usr/bin/curl\",\"pid\":8,\"fd\":4,\"at\":\"exit\","    \
	"\"role\":\"connect\",\"local\":\"127.0.0.1:40002\",\"remote\":\"127.0.0.1:80\","          \
	"\"socket\":\"tcp\",\"conn\":\"tcp\",\"policy\":\"tcp\",\"rule\":\"built-in exclude "      \
	"127.0.0.0/8\",\"kept\":null,\"pinned\":false,\"shared\":false,\"subflows_total\":1,"      \
	"\"subflows\":[{\"local\":\"127.0.0.1:40002\",\"remote\":\"127.0.0.1:80\",\"dev\":"        \
	"\"lo\",\"bytes_sent\":6,\"bytes_acked\":7,\"bytes_received\":0,\"retrans\":0,"            \
	"\"rtt_us\":5,\"backup\":null}]}"
#define LINE_LISTEN                                                                                \
	"{\"v\":1,\"time\":1,\"program\":\"/usr/sbin/nginx\",\"pid\":9,\"fd\":5,\"at\":\"exit\","  \
	"\"role\":\"listen\",\"local\":\"0.0.0.0:80\",\"remote\":null,\"socket\":\"mptcp\","       \
	"\"conn\":\"none\",\"policy\":\"mptcp\",\"rule\":\"x\",\"kept\":null,\"pinned\":false,"    \
	"\"shared\":false,\"subflows_total\":0,\"subflows\":[]}"

static struct lr_report_rec rec;

static int parse(const char *s)
{
	return lr_report_parse_line(s, strlen(s), &rec);
}

static void test_valid_line(void **state)
{
	(void)state;
	assert_int_equal(parse(LINE_MP), 0);
	assert_string_equal(rec.program, "/usr/bin/nc\"at\\\001");
	assert_int_equal(rec.pid, 7);
	assert_string_equal(rec.role, "connect");
	assert_string_equal(rec.conn, "mptcp");
	assert_string_equal(rec.rule, "built-in mode \"mptcp\"");
	assert_false(rec.has_kept);
	assert_true(rec.has_policy);
	assert_true(rec.shared);
	assert_true(rec.has_bytes);
	assert_int_equal(rec.bytes_sent, 4000);
	assert_int_equal(rec.n_subflows, 2);
	assert_string_equal(rec.sf[0].dev, "c1");
	assert_true(rec.sf[0].has_bytes);
	assert_int_equal(rec.sf[0].bytes_acked, 3001);
	assert_int_equal(rec.sf[0].rtt_us, 100);
	assert_int_equal(rec.sf[0].backup, -1);
	assert_string_equal(rec.sf[1].local, "[fd00::1]:40001");
	assert_false(rec.sf[1].has_bytes);
	assert_int_equal(rec.sf[1].backup, 1);
	assert_int_equal(parse(LINE_LO), 0);
	assert_int_equal(parse(LINE_LISTEN), 0);
	assert_false(rec.has_bytes);
}

/* A line cut anywhere (a write cut short, a reader racing a writer) is never accepted. */
static void test_every_truncation_rejected(void **state)
{
	const char *lines[] = {LINE_MP, LINE_LO, LINE_LISTEN};
	(void)state;
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(lines[k]);
		for (size_t i = 0; i < n; i++)
			if (lr_report_parse_line(lines[k], i, &rec) == 0)
				fail_msg("line %zu accepted when cut at %zu: %.*s", k, i, (int)i,
				         lines[k]);
	}
}

/* Replaces the first occurrence of `from` in LINE_MP by `to` and expects a rejection. */
static void expect_bad_variant(const char *from, const char *to)
{
	char buf[4096];
	const char *base = LINE_MP;
	const char *at = strstr(base, from);
	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	if (parse(buf) == 0)
		fail_msg("accepted: %s", buf);
}

static void test_foreign_shapes_rejected(void **state)
{
	(void)state;
	assert_int_not_equal(parse(""), 0);
	assert_int_not_equal(parse("not json"), 0);
	assert_int_not_equal(parse("[]"), 0);
	assert_int_not_equal(parse("{}"), 0);
	assert_int_not_equal(parse(LINE_LO "x"), 0);
	assert_int_not_equal(parse(LINE_LO LINE_LO), 0); /* two lines run together */
	expect_bad_variant("\"v\":1", "\"v\":2");
	expect_bad_variant("\"v\":1", "\"v\":1,\"v\":1");     /* duplicate key */
	expect_bad_variant("\"v\":1", "\"v\":1,\"extra\":1"); /* unknown key */
	expect_bad_variant("\"pid\":7", "\"pid\":\"7\"");     /* wrong type */
	expect_bad_variant("\"pid\":7", "\"pid\":-7");
	expect_bad_variant("\"pid\":7", "\"pid\":7.5");
	expect_bad_variant("\"pid\":7", "\"pid\":07");
	expect_bad_variant("\"pid\":7", "\"pid\":99999999999999999999999");
	expect_bad_variant("\"role\":\"connect\"", "\"role\":\"accept\"");
	expect_bad_variant("\"conn\":\"mptcp\"", "\"conn\":\"none\""); /* none with subflows */
	expect_bad_variant("\"pinned\":false", "\"pinned\":0");
	expect_bad_variant("\"time\":1700000000,", "");  /* missing required key */
	expect_bad_variant("\"bytes_acked\":4000,", ""); /* counters come together */
	expect_bad_variant("\"rtt_us\":100,", "");       /* also per subflow */
	expect_bad_variant("\\u0001", "\\u00e9");        /* we only escape ASCII */
	expect_bad_variant("\\u0001", "\\u0000");
	expect_bad_variant("\\u0001", "\\x");
	expect_bad_variant("\"dev\":\"c1\"", "\"dev\":\"a-very-long-interface-name\"");
	expect_bad_variant("\"backup\":true", "\"backup\":1");
}

static void test_host_of(void **state)
{
	char h[64];
	(void)state;
	lr_report_host_of("198.18.1.1:443", h, sizeof(h));
	assert_string_equal(h, "198.18.1.1");
	lr_report_host_of("[fd00::1]:443", h, sizeof(h));
	assert_string_equal(h, "fd00::1");
	lr_report_host_of("[::ffff:1.2.3.4]:1", h, sizeof(h));
	assert_string_equal(h, "::ffff:1.2.3.4");
}

static void test_summary(void **state)
{
	struct lr_report_summary *s = malloc(sizeof(*s));
	char *text = NULL;
	size_t len = 0;
	(void)state;
	assert_non_null(s);
	lr_report_summary_init(s);
	FILE *in = fmemopen((void *)(LINE_MP "\n" LINE_LO "\n" LINE_LISTEN "\n{\"v\":1\n" LINE_LO),
	                    strlen(LINE_MP LINE_LO LINE_LISTEN LINE_LO) + 11, "r");
	assert_non_null(in);
	assert_int_equal(lr_report_summary_read(s, in), 0);
	fclose(in);
	assert_int_equal(s->malformed, 2); /* the cut object and the last line without '\n' */
	assert_int_equal(s->connections, 2);
	assert_int_equal(s->mptcp, 1);
	assert_int_equal(s->tcp_policy, 1);
	assert_int_equal(s->listeners, 1);
	/* 3010 bytes on 198.18.1.1, 0 known on fd00::1, 6 on 127.0.0.1. */
	assert_int_equal(s->total_bytes, 3016);
	FILE *out = open_memstream(&text, &len);
	lr_report_print(s, "r.jsonl", out);
	fclose(out);
	assert_non_null(
	    strstr(text, "connections: 2 (MPTCP 1, fallback to TCP 0, TCP by policy 1)"));
	assert_non_null(strstr(text, "skipped 2 malformed lines"));
	assert_non_null(strstr(text, "99.8%"));
	free(text);
	out = open_memstream(&text, &len);
	lr_report_svg(s, out);
	fclose(out);
	assert_true(strncmp(text, "<svg ", 5) == 0);
	assert_non_null(strstr(text, "nc&quot;at")); /* labels are escaped */
	assert_non_null(strstr(text, "</svg>\n"));
	free(text);
	lr_report_summary_free(s);
	free(s);
}

/* An MPTCP connection closed by both ends before the report lists no subflows. */
static void test_unknown_path(void **state)
{
	const char *line =
	    "{\"v\":1,\"time\":1,\"program\":\"/bin/x\",\"pid\":1,\"fd\":3,\"at\":\"close\","
	    "\"role\":\"connect\",\"local\":\"198.18.1.1:1\",\"remote\":\"198.18.1.2:2\","
	    "\"socket\":\"mptcp\",\"conn\":\"mptcp\",\"policy\":\"mptcp\",\"rule\":\"r\","
	    "\"kept\":null,\"pinned\":false,\"shared\":false,\"bytes_sent\":21,\"bytes_acked\":21,"
	    "\"bytes_received\":0,\"retrans\":0,\"subflows_total\":0,\"subflows\":[]}";
	struct lr_report_summary *s = malloc(sizeof(*s));
	(void)state;
	assert_int_equal(parse(line), 0);
	lr_report_summary_init(s);
	assert_int_equal(lr_report_summary_add(s, &rec), 0);
	assert_int_equal(s->n_addrs, 1);
	assert_string_equal(s->addrs[0].addr, LR_REPORT_UNKNOWN_PATH);
	assert_int_equal(s->addrs[0].bytes, 21);
	lr_report_summary_free(s);
	free(s);
}

static void test_main(void **state)
{
	char path[] = "/tmp/test_report.XXXXXX", svg[64];
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, LINE_MP "\n", strlen(LINE_MP) + 1),
	                 (ssize_t)strlen(LINE_MP) + 1);
	close(fd);
	snprintf(svg, sizeof(svg), "%s.svg", path);
	char *argv[] = {"report", path, "--svg", svg, NULL};
	fflush(stdout);
	assert_int_equal(lr_cmd_report(4, argv), 0);
	assert_int_equal(access(svg, R_OK), 0);
	char *bad[] = {"report", NULL};
	assert_int_equal(lr_cmd_report(1, bad), 2);
	char *missing[] = {"report", "/nonexistent/report.jsonl", NULL};
	assert_int_equal(lr_cmd_report(2, missing), 1);
	unlink(svg);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_line),
	    cmocka_unit_test(test_every_truncation_rejected),
	    cmocka_unit_test(test_foreign_shapes_rejected),
	    cmocka_unit_test(test_host_of),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_unknown_path),
	    cmocka_unit_test(test_main),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
