/* SPDX-License-Identifier: MIT */
/*
 * One call per field, two outputs: the same call writes a padded text
 * column or a JSON member, as the printer was opened. `top`'s screen, its
 * --once and --json snapshots and the timeline lines all go through it, so a
 * number cannot say one thing in the text and another in the JSON.
 *
 * In text, a field is its value padded to |width| (right-aligned when width
 * > 0, left when < 0) followed by one space; width 0: the value alone. In
 * JSON, key is the member name (NULL inside an array). Text-only calls
 * (lv_text, lv_blank, lv_nl) write nothing in JSON.
 */
#ifndef MPTCP_RUN_LIVE_OUT_H
#define MPTCP_RUN_LIVE_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "text/strbuf.h"

#define LV_OUT_DEPTH 8

struct lv_out {
	bool json;
	struct lr_buf *b;
	int depth;
	bool comma[LV_OUT_DEPTH];
};

void lv_out_init(struct lv_out *o, struct lr_buf *b, bool json);

/* JSON objects and arrays (kind '{' or '['); nothing in text. */
void lv_open(struct lv_out *o, const char *key, char kind);
void lv_close(struct lv_out *o, char kind);

void lv_str(struct lv_out *o, const char *key, int width, const char *v);
void lv_u64(struct lv_out *o, const char *key, int width, uint64_t v);
/* Bytes per second: "12.3 MB/s" in text, a whole number in JSON. */
void lv_rate(struct lv_out *o, const char *key, int width, double bytes_per_s);
/* Bytes: "54.1 MB" in text, the exact number in JSON. */
void lv_bytes(struct lv_out *o, const char *key, int width, uint64_t bytes);
/* Milliseconds with 3 decimals in JSON; "1.23 ms" in text. */
void lv_ms(struct lv_out *o, const char *key, int width, double ms);
/* Seconds, 3 decimals in both. */
void lv_secs(struct lv_out *o, const char *key, int width, double s);
/* true/false in JSON; in text `shown` when true, "" when false (padded either way). */
void lv_flag(struct lv_out *o, const char *key, int width, bool v, const char *shown);

/* A column heading: a text cell, nothing in JSON. */
void lv_head(struct lv_out *o, int width, const char *label);
void lv_text(struct lv_out *o, const char *s);
void lv_blank(struct lv_out *o, int width);
void lv_nl(struct lv_out *o);

/* Human units, SI (1 kB = 1000 B), 3 significant digits: "999 B", "1.23 kB", "45.6 MB". */
const char *lv_human(char *buf, size_t size, double v, const char *unit);

#endif
