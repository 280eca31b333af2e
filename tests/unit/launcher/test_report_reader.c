/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of launcher/report/ and launcher/cmd/report.c: the strict reader
 * of the library's report lines (every truncation and every foreign shape is
 * rejected, path bytes come back as written), the summary built from them,
 * both renderings and the sub-command, with every failure path: the JSON
 * parser and our own allocations failing (malloc and realloc are wrapped at
 * link time, see the Makefile), unreadable input, unwritable output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>

#include "cmd/commands.h"
#include "report/output.h"
#include "report/reader.h"
#include "report/summary.h"

/* Failure injection: malloc and realloc fail once allocs_left reaches 0 (-1: never). */
static long allocs_left = -1;
/* The names the linker's --wrap gives them. */
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)

static bool alloc_allowed(void)
{
	if (allocs_left == 0)
		return false;
	if (allocs_left > 0)
		allocs_left--;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return alloc_allowed() ? __real_malloc(n) : NULL;
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_allowed() ? __real_realloc(p, n) : NULL;
}

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

static char variant_buf[8192];

/* base with the first occurrence of `from` replaced by `to`, in variant_buf. */
static const char *variant_of(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	assert_non_null(at);
	int n = snprintf(variant_buf, sizeof(variant_buf), "%.*s%s%s", (int)(at - base), base, to,
	                 at + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(variant_buf));
	return variant_buf;
}

static void expect_bad_in(const char *base, const char *from, const char *to)
{
	const char *line = variant_of(base, from, to);
	if (parse(line) != LR_REPORT_NOT_OURS)
		fail_msg("not refused as not ours: %s", line);
}

static void expect_good_in(const char *base, const char *from, const char *to)
{
	const char *line = variant_of(base, from, to);
	if (parse(line) != 0)
		fail_msg("refused: %s", line);
}

/* Replaces the first occurrence of `from` in LINE_MP by `to` and expects a rejection. */
static void expect_bad_variant(const char *from, const char *to)
{
	expect_bad_in(LINE_MP, from, to);
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

/* jansson's JSON_REJECT_DUPLICATES, at every level and however the key is spelled. */
static void test_duplicate_keys_rejected(void **state)
{
	(void)state;
	expect_bad_variant("\"pid\":7", "\"pid\":7,\"pid\":7");
	expect_bad_variant("\"pid\":7", "\"pid\":7,\"pid\":8");
	expect_bad_variant("\"kept\":null", "\"kept\":null,\"kept\":\"x\"");
	expect_bad_variant("\"subflows_total\":2", "\"subflows_total\":2,\"subflows\":[]");
	expect_bad_variant("\"v\":1", "\"v\":1,\"\\u0076\":1");                /* "v" escaped */
	expect_bad_variant("\"dev\":\"c1\"", "\"dev\":\"c1\",\"dev\":\"c1\""); /* in a subflow */
	expect_bad_variant("\"backup\":true", "\"backup\":true,\"backup\":true");
}

/* One wrong type (or value) per kind of field, and per level. */
static void test_wrong_types_rejected(void **state)
{
	(void)state;
	expect_bad_variant("\"v\":1", "\"v\":\"1\"");
	expect_bad_variant("\"v\":1", "\"v\":1.0");
	expect_bad_variant("\"v\":1", "\"v\":true");
	expect_bad_variant("\"time\":1700000000", "\"time\":null");
	expect_bad_variant("\"time\":1700000000", "\"time\":1e3");
	expect_bad_variant("\"time\":1700000000", "\"time\":1E3");
	expect_bad_variant("\"time\":1700000000", "\"time\":[1]");
	expect_bad_variant("\"pid\":7", "\"pid\":-0");
	expect_bad_variant("\"at\":\"close\"", "\"at\":null"); /* only some strings may be null */
	expect_bad_variant("\"at\":\"close\"", "\"at\":1");
	expect_bad_variant("\"at\":\"close\"", "\"at\":\"closed\"");
	expect_bad_variant("\"socket\":\"mptcp\"", "\"socket\":\"udp\"");
	expect_bad_variant("\"policy\":\"mptcp\"", "\"policy\":\"udp\"");
	expect_bad_variant("\"program\":", "\"program\":{},\"x\":");
	expect_bad_variant("\"rule\":", "\"rule\":7,\"x\":");
	expect_bad_variant("\"kept\":null", "\"kept\":false");
	expect_bad_variant("\"shared\":true", "\"shared\":null");
	expect_bad_variant("\"shared\":true", "\"shared\":\"true\"");
	expect_bad_variant("\"backup\":true", "\"backup\":\"true\"");
	expect_bad_variant("\"subflows\":[", "\"subflows\":{},\"x\":[");
	expect_bad_variant("\"subflows\":[" SF1 "," SF2 "]", "\"subflows\":null");
	expect_bad_variant("\"subflows\":[" SF1, "\"subflows\":[1"); /* not an object */
	expect_bad_variant("\"subflows\":[" SF1, "\"subflows\":[[]");
	expect_bad_variant("\"subflows\":[" SF1, "\"subflows\":[{}"); /* an empty subflow */
	expect_bad_variant("\"rtt_us\":100", "\"rtt_us\":\"100\"");
	expect_bad_variant("\"dev\":\"c1\"", "\"dev\":5");
}

/* Keys: unknown or missing, at the top and in a subflow. */
static void test_unknown_and_missing_keys_rejected(void **state)
{
	(void)state;
	expect_bad_variant("\"dev\":\"c1\"", "\"dev\":\"c1\",\"mtu\":1500");
	expect_bad_variant("\"v\":1", "\"v\":1,\"V\":1");
	expect_bad_variant("\"v\":1", "\"v\":1,\"\":1");
	expect_bad_variant("\"v\":1,", "");
	expect_bad_variant("\"subflows_total\":2,", "");
	expect_bad_variant(",\"subflows\":[" SF1 "," SF2 "]", "");
	expect_bad_variant("\"dev\":\"c1\",", "");
	expect_bad_variant(",\"backup\":true", "");
	expect_bad_variant("\"bytes_sent\":4000,", ""); /* all counters or none ... */
	expect_good_in(LINE_MP,
	               "\"bytes_sent\":4000,\"bytes_acked\":4000,\"bytes_received\":10,"
	               "\"retrans\":2,",
	               ""); /* ... none is fine */
	assert_false(rec.has_bytes);
	expect_bad_variant("\"bytes_received\":10,\"retrans\":2,\"rtt_us\":100,", "");
}

/* Not one object: other JSON values, two values, trailing bytes, bytes outside JSON. */
static void test_not_one_object_rejected(void **state)
{
	char nul_line[sizeof(LINE_LO) + 1];
	(void)state;
	assert_int_equal(parse("\"v\""), LR_REPORT_NOT_OURS);
	assert_int_equal(parse("1"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse("null"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse("[" LINE_LO "]"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse(LINE_LO " x"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse(LINE_LO ","), LR_REPORT_NOT_OURS);
	assert_int_equal(parse(LINE_LO "}"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse(LINE_LO " 1"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse(LINE_LO "\xe9"), LR_REPORT_NOT_OURS);
	assert_int_equal(parse("\xef\xbb\xbf" LINE_LO), LR_REPORT_NOT_OURS); /* a BOM */
	/* Whitespace around the object was always fine (a CRLF file, say). */
	assert_int_equal(parse(" \t" LINE_LO " \r"), 0);
	/* A NUL byte right after the object: the length counts, not the terminator. */
	memcpy(nul_line, LINE_LO, sizeof(LINE_LO));
	assert_int_equal(lr_report_parse_line(nul_line, sizeof(LINE_LO), &rec), LR_REPORT_NOT_OURS);
	nul_line[10] = '\0';
	assert_int_equal(lr_report_parse_line(nul_line, sizeof(LINE_LO) - 1, &rec),
	                 LR_REPORT_NOT_OURS);
	/* Between two tokens, where jansson's stream reader would skip it. */
	const char *at = strstr(LINE_LO, "\"kept\":null") + strlen("\"kept\":null");
	memcpy(nul_line, LINE_LO, (size_t)(at - LINE_LO));
	nul_line[at - LINE_LO] = '\0';
	memcpy(nul_line + (at - LINE_LO) + 1, at, strlen(at));
	assert_int_equal(lr_report_parse_line(nul_line, sizeof(LINE_LO), &rec), LR_REPORT_NOT_OURS);
}

/* Numbers: unsigned decimal integers of 64 bits at most, as jansson holds them. */
static void test_number_bounds(void **state)
{
	(void)state;
	expect_good_in(LINE_MP, "\"pid\":7", "\"pid\":0");
	assert_int_equal(rec.pid, 0);
	expect_good_in(LINE_MP, "\"pid\":7", "\"pid\":9223372036854775807");
	assert_true(rec.pid == 9223372036854775807ull);
	/* jansson's integers are signed: 2^63 and above are refused (no counter gets there). */
	expect_bad_variant("\"pid\":7", "\"pid\":9223372036854775808");
	expect_bad_variant("\"pid\":7", "\"pid\":18446744073709551615");
	expect_bad_variant("\"pid\":7", "\"pid\":+7");
	expect_bad_variant("\"pid\":7", "\"pid\":0x7");
	/* A '-' in a string is no number. */
	expect_good_in(LINE_MP, "\"dev\":\"c1\"", "\"dev\":\"veth-1\"");
	assert_string_equal(rec.sf[0].dev, "veth-1");
}

/* Each string field holds size - 1 bytes, counted after unescaping; more is not ours. */
static void test_string_bounds(void **state)
{
	char to[4096];
	(void)state;
	memset(to, 'a', sizeof(to));
	/* program[512]: 511 bytes fit, 512 do not; \u0001 is one byte however it is written. */
	snprintf(to, sizeof(to), "\"program\":\"%0511d\"", 0);
	expect_good_in(LINE_MP, "\"program\":\"/usr/bin/nc\\\"at\\\\\\u0001\"", to);
	assert_int_equal(strlen(rec.program), 511);
	snprintf(to, sizeof(to), "\"program\":\"%0512d\"", 0);
	expect_bad_variant("\"program\":\"/usr/bin/nc\\\"at\\\\\\u0001\"", to);
	size_t n = (size_t)snprintf(to, sizeof(to), "\"program\":\"");
	for (int i = 0; i < 511; i++)
		n += (size_t)snprintf(to + n, sizeof(to) - n, "\\u0001");
	snprintf(to + n, sizeof(to) - n, "\"");
	expect_good_in(LINE_MP, "\"program\":\"/usr/bin/nc\\\"at\\\\\\u0001\"", to);
	assert_int_equal(strlen(rec.program), 511);
	/* dev[16]: 15 bytes. */
	expect_good_in(LINE_MP, "\"dev\":\"c1\"", "\"dev\":\"abcdefghijklmno\"");
	expect_bad_variant("\"dev\":\"c1\"", "\"dev\":\"abcdefghijklmnop\"");
	/* A raw byte >= 0x80 is one byte of the field too. */
	expect_good_in(LINE_MP, "\"dev\":\"c1\"", "\"dev\":\"abcdefghijklmn\xe9\"");
	expect_bad_variant("\"dev\":\"c1\"", "\"dev\":\"abcdefghijklmno\xe9\"");
	/* Addresses: 63 bytes. */
	snprintf(to, sizeof(to), "\"remote\":\"%063d\"", 0);
	expect_good_in(LINE_MP, "\"remote\":\"198.18.1.2:5000\"", to);
	snprintf(to, sizeof(to), "\"remote\":\"%064d\"", 0);
	expect_bad_variant("\"remote\":\"198.18.1.2:5000\"", to);
}

/* Appends s to the NUL-terminated text in buf (bounded). */
static void append(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);
	snprintf(buf + n, size - n, "%s", s);
}

/* Subflows: at most LR_REPORT_MAX_SUBFLOWS, and as many as the connection's kind allows. */
static void test_subflow_counts(void **state)
{
	char to[8192] = "\"subflows\":[" SF2;
	(void)state;
	for (int i = 1; i < LR_REPORT_MAX_SUBFLOWS; i++)
		append(to, sizeof(to), "," SF2);
	append(to, sizeof(to), "]");
	expect_good_in(LINE_MP, "\"subflows\":[" SF1 "," SF2 "]", to);
	assert_int_equal(rec.n_subflows, LR_REPORT_MAX_SUBFLOWS);
	to[strlen(to) - 1] = '\0';
	append(to, sizeof(to), "," SF2 "]");
	expect_bad_variant("\"subflows\":[" SF1 "," SF2 "]", to);
	/* MPTCP: none is fine (closed by both ends); TCP and fallback: exactly one. */
	expect_good_in(LINE_MP, "[" SF1 "," SF2 "]", "[]");
	assert_int_equal(rec.n_subflows, 0);
	expect_bad_in(LINE_LO, "\"subflows\":[", "\"subflows\":[" SF1 ",");
	expect_bad_in(LINE_LO, "\"subflows\":[{", "\"subflows\":[]}");
	expect_bad_in(LINE_LO, "\"conn\":\"tcp\"", "\"conn\":\"fallback\",\"x\":1");
	expect_good_in(LINE_LO, "\"conn\":\"tcp\"", "\"conn\":\"fallback\"");
	expect_bad_in(LINE_LISTEN, "\"subflows\":[]", "\"subflows\":[" SF1 "]");
}

/*
 * Strings: the library passes path bytes >= 0x80 through unescaped (they need not be
 * UTF-8) and escapes control bytes only; the reader gives back exactly those bytes.
 */
static void test_string_bytes(void **state)
{
	(void)state;
	expect_good_in(LINE_LO, "/usr/bin/curl", "/usr/bin/caf\xe9");
	assert_string_equal(rec.program, "/usr/bin/caf\xe9");
	expect_good_in(LINE_LO, "/usr/bin/curl", "/usr/bin/caf\xc3\xa9");
	assert_string_equal(rec.program, "/usr/bin/caf\xc3\xa9");
	expect_good_in(LINE_LO, "/usr/bin/curl", "\x80\xff\xc2\xc3\xbf");
	assert_string_equal(rec.program, "\x80\xff\xc2\xc3\xbf");
	expect_good_in(LINE_LO, "/usr/bin/curl", "\\u001f\\u007f\x7f\\/\\b\\f\\n\\r\\t");
	assert_string_equal(rec.program, "\x1f\x7f\x7f/\b\f\n\r\t");
	/* Escapes the library never writes, raw control bytes, broken escapes. */
	expect_bad_in(LINE_LO, "/usr/bin/curl", "\\u0080");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "\\u00C3\\u00A9");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "\\ud83d\\ude00");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "\\u00g1");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "\\a");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "\\\xe9");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "a\tb");
	expect_bad_in(LINE_LO, "/usr/bin/curl", "a\nb");
	/* Raw bytes >= 0x80 outside a string, in a key. */
	expect_bad_in(LINE_LO, "\"pid\":8", "\"pid\":8\xe9");
	expect_bad_in(LINE_LO, "\"pid\":8", "\"p\xe9id\":8");
	/* The line ends inside an escape. */
	const char *cut[] = {"{\"v\":1,\"program\":\"\\", "{\"v\":1,\"program\":\"\\u00",
	                     "{\"v\":1,\"program\":\"\xe9"};
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(parse(cut[i]), LR_REPORT_NOT_OURS);
}

/* Every allocation of the parse fails in turn: "no memory" each time, never "not ours". */
static void test_parser_out_of_memory(void **state)
{
	int rc = LR_REPORT_NOMEM;
	long budget;
	(void)state;
	for (budget = 0; budget < 10000 && rc == LR_REPORT_NOMEM; budget++) {
		allocs_left = budget;
		rc = parse(LINE_MP);
	}
	allocs_left = -1;
	assert_int_equal(rc, 0);
	assert_true(budget > 10); /* it did fail in many places */
	/* The summary stops there, with errno ENOMEM, instead of miscounting the line. */
	struct lr_report_summary s;
	lr_report_summary_init(&s);
	FILE *in = fmemopen((void *)(LINE_LO "\n"), strlen(LINE_LO) + 1, "r");
	assert_non_null(in);
	allocs_left = 0;
	errno = 0;
	rc = lr_report_summary_read(&s, in);
	allocs_left = -1;
	assert_int_equal(rc, -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(s.malformed, 0);
	fclose(in);
	lr_report_summary_free(&s);
}

/* Our own allocations: the address table (an error) and the table's sort (rows unsorted). */
static void test_summary_out_of_memory(void **state)
{
	struct lr_report_summary s;
	char *text = NULL;
	size_t len = 0;
	(void)state;
	assert_int_equal(parse(LINE_LO), 0);
	lr_report_summary_init(&s);
	allocs_left = 0;
	errno = 0;
	int rc = lr_report_summary_add(&s, &rec);
	allocs_left = -1;
	assert_int_equal(rc, -1);
	assert_int_equal(errno, ENOMEM);
	FILE *in = fmemopen((void *)(LINE_LO "\n"), strlen(LINE_LO) + 1, "r");
	allocs_left = 0;
	rc = lr_report_summary_read(&s, in);
	allocs_left = -1;
	fclose(in);
	assert_int_equal(rc, -1);
	assert_int_equal(errno, ENOMEM);
	/* Two addresses, the larger second: unsorted without memory, sorted with. */
	assert_int_equal(parse(LINE_MP), 0);
	rec.sf[0].bytes_sent = 1; /* 1 byte on 198.18.1.1, 6 on 127.0.0.1 */
	rec.sf[0].bytes_received = 0;
	assert_int_equal(lr_report_summary_add(&s, &rec), 0);
	assert_int_equal(parse(LINE_LO), 0);
	assert_int_equal(lr_report_summary_add(&s, &rec), 0);
	FILE *out = open_memstream(&text, &len);
	allocs_left = 0;
	lr_report_print(&s, "r", out);
	allocs_left = -1;
	fclose(out);
	assert_true(strstr(text, "198.18.1.1") < strstr(text, "127.0.0.1"));
	free(text);
	out = open_memstream(&text, &len);
	lr_report_print(&s, "r", out);
	fclose(out);
	assert_true(strstr(text, "127.0.0.1") < strstr(text, "198.18.1.1"));
	free(text);
	lr_report_summary_free(&s);
}

/* A read error is an error, not a short summary. */
static void test_read_error(void **state)
{
	struct lr_report_summary s;
	(void)state;
	lr_report_summary_init(&s);
	FILE *in = fopen("/", "r"); /* opens; reading it fails with EISDIR */
	assert_non_null(in);
	errno = 0;
	assert_int_equal(lr_report_summary_read(&s, in), -1);
	assert_int_equal(errno, EISDIR);
	fclose(in);
	lr_report_summary_free(&s);
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

/* The supervisor's line of a connect it never saw connected: not "never completed". */
static void test_summary_no_figures(void **state)
{
	const char *line =
	    "{\"v\":1,\"time\":1,\"program\":\"/bin/x\",\"pid\":1,\"fd\":3,\"at\":\"close\","
	    "\"role\":\"connect\",\"local\":null,\"remote\":\"198.18.1.2:2\","
	    "\"socket\":\"mptcp\",\"conn\":\"none\",\"policy\":\"mptcp\",\"rule\":\"r\","
	    "\"kept\":null,\"pinned\":false,\"shared\":false,\"subflows_total\":0,"
	    "\"paths_at\":null,\"no_figures\":\"ended between two samples\",\"subflows\":[]}";
	struct lr_report_summary *s = malloc(sizeof(*s));
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	(void)state;
	assert_non_null(s);
	assert_int_equal(parse(line), 0);
	assert_true(rec.has_no_figures);
	assert_string_equal(rec.no_figures, "ended between two samples");
	lr_report_summary_init(s);
	assert_int_equal(lr_report_summary_add(s, &rec), 0);
	assert_int_equal(s->no_figures, 1);
	assert_int_equal(s->not_established, 0);
	assert_int_equal(s->connections, 0);
	out = open_memstream(&text, &len);
	lr_report_print(s, "r.jsonl", out);
	fclose(out);
	assert_non_null(strstr(text, "connects without figures"));
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

/* The sub-command's other paths: help, bad options, unreadable input, unwritable SVG, stdin. */
static void test_main_failures(void **state)
{
	char path[] = "/tmp/test_report.XXXXXX";
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, LINE_LO "\n", strlen(LINE_LO) + 1),
	                 (ssize_t)strlen(LINE_LO) + 1);
	close(fd);
	fflush(stdout);
	char *help[] = {"report", "--help", NULL};
	assert_int_equal(lr_cmd_report(2, help), 0);
	char *unknown[] = {"report", "--bogus", path, NULL};
	assert_int_equal(lr_cmd_report(3, unknown), 2);
	char *no_svg_name[] = {"report", path, "--svg", NULL};
	assert_int_equal(lr_cmd_report(3, no_svg_name), 2);
	char *two[] = {"report", path, path, NULL};
	assert_int_equal(lr_cmd_report(3, two), 2);
	char *dir[] = {"report", "/", NULL};
	assert_int_equal(lr_cmd_report(2, dir), 1);
	char *svg_dir[] = {"report", path, "--svg", "/nonexistent/r.svg", NULL};
	assert_int_equal(lr_cmd_report(4, svg_dir), 1);
	char *svg_full[] = {"report", path, "--svg", "/dev/full", NULL};
	if (access("/dev/full", W_OK) == 0)
		assert_int_equal(lr_cmd_report(4, svg_full), 1);
	/* "-" is stdin. */
	int saved = dup(0);
	assert_true(saved >= 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	char *dash[] = {"report", "-", NULL};
	assert_int_equal(lr_cmd_report(2, dash), 0);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	clearerr(stdin);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_line),
	    cmocka_unit_test(test_every_truncation_rejected),
	    cmocka_unit_test(test_foreign_shapes_rejected),
	    cmocka_unit_test(test_duplicate_keys_rejected),
	    cmocka_unit_test(test_wrong_types_rejected),
	    cmocka_unit_test(test_unknown_and_missing_keys_rejected),
	    cmocka_unit_test(test_not_one_object_rejected),
	    cmocka_unit_test(test_number_bounds),
	    cmocka_unit_test(test_string_bounds),
	    cmocka_unit_test(test_subflow_counts),
	    cmocka_unit_test(test_string_bytes),
	    cmocka_unit_test(test_parser_out_of_memory),
	    cmocka_unit_test(test_summary_out_of_memory),
	    cmocka_unit_test(test_read_error),
	    cmocka_unit_test(test_host_of),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_summary_no_figures),
	    cmocka_unit_test(test_unknown_path),
	    cmocka_unit_test(test_main),
	    cmocka_unit_test(test_main_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
