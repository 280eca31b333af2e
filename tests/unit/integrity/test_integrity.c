/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the kernel integrity record (shim/format/integrity_record.c:
 * the text the probe writes and every reader believes) and of the probe's
 * payload stream (launcher/integrity/stream.c: every byte checked, a misplaced
 * region traced to where it was sent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/integrity_record.h"
#include "integrity/stream.h"

static struct mr_integrity_record sample(void)
{
	struct mr_integrity_record r;
	memset(&r, 0, sizeof(r));
	r.verdict = MR_KI_MISORDERS;
	snprintf(r.release, sizeof(r.release), "6.18.44-fc-v1300");
	snprintf(r.version, sizeof(r.version), "#1 SMP PREEMPT_DYNAMIC @0");
	snprintf(r.boot_id, sizeof(r.boot_id), "58a07000-38d4-4524-90c8-ebe8541d90cd");
	snprintf(r.method, sizeof(r.method), "join-while-reading,transfers");
	r.time = 1796570206;
	r.runs = 12;
	r.misordered = 5;
	r.held_runs = 3;
	r.held_misordered = 3;
	r.first_wrong = 102576;
	r.shift = 28496;
	r.seconds = 27;
	return r;
}

static void test_record_round_trip(void **state)
{
	(void)state;
	struct mr_integrity_record r = sample(), back;
	char buf[1024];
	size_t n = mr_integrity_format(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(mr_integrity_parse(buf, n, &back));
	assert_memory_equal(&r, &back, sizeof(r));
	r.verdict = MR_KI_INTACT;
	r.misordered = r.held_misordered = 0;
	r.first_wrong = r.shift = -1;
	n = mr_integrity_format(&r, buf, sizeof(buf));
	assert_null(mr_integrity_parse(buf, n, &back));
	assert_memory_equal(&r, &back, sizeof(r));
	/* Too small a buffer writes nothing usable. */
	assert_int_equal(mr_integrity_format(&r, buf, 40), 0);
}

/* Whatever is wrong with the text, the parser says so; it never reads past len. */
static void test_record_refused(void **state)
{
	(void)state;
	struct mr_integrity_record r = sample(), back;
	char good[1024], bad[1200];
	size_t n = mr_integrity_format(&r, good, sizeof(good));
	static const struct {
		const char *from, *to;
	} edits[] = {
	    {"verdict=misorders", "verdict=maybe"},
	    {"verdict=misorders\n", ""},
	    {"boot_id=", "boot-id="},
	    {"runs=12", "runs=x12"},
	    {"misordered=5", "misordered=50"},
	    {"held_runs=3", "held_runs=-3"},
	    {"time=1796570206", "time=17965702061796570206"},
	    {"release=6.18.44-fc-v1300", "release6.18.44"},
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		const char *at = strstr(good, edits[i].from);
		assert_non_null(at);
		int m = snprintf(bad, sizeof(bad), "%.*s%s%s", (int)(at - good), good, edits[i].to,
		                 at + strlen(edits[i].from));
		const char *why = mr_integrity_parse(bad, (size_t)m, &back);
		if (!why)
			fail_msg("edit %zu (%s -> %s) was accepted", i, edits[i].from, edits[i].to);
	}
	/* A release of 100 bytes does not fit the record. */
	char longer[1400];
	int m = snprintf(longer, sizeof(longer), "%s\nrelease=%0100d\n", good, 7);
	assert_non_null(mr_integrity_parse(longer, (size_t)m, &back));
	/* A cut-off text misses keys; comments and unknown keys are fine. */
	assert_non_null(mr_integrity_parse(good, 60, &back));
	m = snprintf(longer, sizeof(longer), "# hello\nlater_key=1\n\n%s", good);
	assert_null(mr_integrity_parse(longer, (size_t)m, &back));
	assert_null(mr_integrity_parse(good, n, &back));
}

static void test_record_applies(void **state)
{
	(void)state;
	struct mr_integrity_record r = sample();
	assert_null(mr_integrity_applies(&r, r.release, r.version, r.boot_id));
	assert_string_equal(mr_integrity_applies(&r, "6.12.57", r.version, r.boot_id),
	                    "recorded for another kernel");
	assert_string_equal(mr_integrity_applies(&r, r.release, "#2 SMP", r.boot_id),
	                    "recorded for another kernel");
	assert_string_equal(mr_integrity_applies(&r, r.release, r.version, "ffff"),
	                    "recorded in an earlier boot");
	assert_string_equal(mr_kernel_integrity_name(MR_KI_MISORDERS), "misorders");
	assert_string_equal(mr_kernel_integrity_name(MR_KI_INTACT), "intact");
	assert_string_equal(mr_kernel_integrity_name(MR_KI_UNKNOWN), "not probed");
}

/* The stream is the same whatever the offset and length it is generated from. */
static void test_stream_offsets(void **state)
{
	(void)state;
	uint8_t whole[4096], part[300];
	lr_stream_fill(whole, 0, sizeof(whole));
	for (uint64_t off = 0; off < 64; off++) {
		lr_stream_fill(part, 1000 + off, sizeof(part));
		assert_memory_equal(part, whole + 1000 + off, sizeof(part));
	}
	/* Not a short cycle: two 64-byte windows far apart differ. */
	assert_memory_not_equal(whole, whole + 2048, 64);
}

static void test_stream_check(void **state)
{
	(void)state;
	const size_t total = 3u << 20;
	uint8_t *got = malloc(total), *scratch = malloc((size_t)2 * LR_STREAM_NEAR + total);
	struct lr_stream_check c;
	assert_non_null(got);
	assert_non_null(scratch);
	lr_stream_fill(got, 0, total);

	/* Intact, checked in uneven pieces. */
	lr_stream_check_init(&c);
	for (size_t off = 0; off < total;) {
		size_t n = off % 7 == 0 ? 1000 : 65536;
		if (n > total - off)
			n = total - off;
		lr_stream_check(&c, got + off, n, scratch);
		off += n;
	}
	assert_int_equal(c.checked, total);
	assert_int_equal(c.first_wrong, -1);

	/* The kernel's shape: bytes from 102576 on were sent 28496 bytes later. */
	lr_stream_fill(got + 102576, 102576 + 28496, 60000);
	lr_stream_check_init(&c);
	lr_stream_check(&c, got, 100000, scratch);
	lr_stream_check(&c, got + 100000, total - 100000, scratch);
	assert_int_equal(c.first_wrong, 102576);
	assert_int_equal(c.shift, 28496);

	/* Garbage is wrong but a copy of nothing. */
	lr_stream_fill(got, 0, total);
	memset(got + 5000, 0xa5, 200);
	lr_stream_check_init(&c);
	lr_stream_check(&c, got, total, scratch);
	assert_int_equal(c.first_wrong, 5000);
	assert_int_equal(c.shift, 0);
	free(got);
	free(scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_round_trip), cmocka_unit_test(test_record_refused),
	    cmocka_unit_test(test_record_applies),    cmocka_unit_test(test_stream_offsets),
	    cmocka_unit_test(test_stream_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
