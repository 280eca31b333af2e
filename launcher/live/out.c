/* SPDX-License-Identifier: MIT */
#include "live/out.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void lv_out_init(struct lv_out *o, struct lr_buf *b, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	o->b = b;
}

static void key_json(struct lv_out *o, const char *key)
{
	if (o->comma[o->depth])
		lr_buf_addc(o->b, ',');
	o->comma[o->depth] = true;
	if (key) {
		lr_buf_addc(o->b, '"');
		lr_buf_adds(o->b, key);
		lr_buf_adds(o->b, "\":");
	}
}

void lv_open(struct lv_out *o, const char *key, char kind)
{
	if (!o->json)
		return;
	if (o->depth > 0 || key)
		key_json(o, key);
	lr_buf_addc(o->b, kind);
	if (o->depth < LV_OUT_DEPTH - 1)
		o->depth++;
	o->comma[o->depth] = false;
}

void lv_close(struct lv_out *o, char kind)
{
	if (!o->json)
		return;
	lr_buf_addc(o->b, kind == '{' ? '}' : ']');
	if (o->depth > 0)
		o->depth--;
}

/* A text cell: v padded to |width|, then a space. */
static void cell(struct lv_out *o, int width, const char *v)
{
	size_t n = strlen(v), w = (size_t)(width < 0 ? -width : width);
	if (width > 0)
		for (size_t i = n; i < w; i++)
			lr_buf_addc(o->b, ' ');
	lr_buf_adds(o->b, v);
	if (width < 0)
		for (size_t i = n; i < w; i++)
			lr_buf_addc(o->b, ' ');
	if (width != 0)
		lr_buf_addc(o->b, ' ');
}

static void json_string(struct lr_buf *b, const char *s)
{
	lr_buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			lr_buf_addc(b, '\\');
			lr_buf_addc(b, (char)c);
		} else if (c < 0x20) {
			char e[8];
			snprintf(e, sizeof(e), "\\u%04x", c);
			lr_buf_adds(b, e);
		} else {
			lr_buf_addc(b, (char)c);
		}
	}
	lr_buf_addc(b, '"');
}

void lv_str(struct lv_out *o, const char *key, int width, const char *v)
{
	if (o->json) {
		key_json(o, key);
		json_string(o->b, v);
	} else {
		cell(o, width, v);
	}
}

static void json_raw(struct lv_out *o, const char *key, const char *num)
{
	key_json(o, key);
	lr_buf_adds(o->b, num);
}

void lv_u64(struct lv_out *o, const char *key, int width, uint64_t v)
{
	char n[24];
	snprintf(n, sizeof(n), "%llu", (unsigned long long)v);
	if (o->json)
		json_raw(o, key, n);
	else
		cell(o, width, n);
}

const char *lv_human(char *buf, size_t size, double v, const char *unit)
{
	static const char *const pre[] = {"", "k", "M", "G", "T", "P"};
	size_t i = 0;
	if (!(v >= 0) || isinf(v))
		v = 0;
	while (v >= 999.5 && i < sizeof(pre) / sizeof(pre[0]) - 1) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%.0f %s", v, unit);
	else
		snprintf(buf, size, "%.*f %s%s",
		         v < 9.995   ? 2
		         : v < 99.95 ? 1
		                     : 0,
		         v, pre[i], unit);
	return buf;
}

void lv_rate(struct lv_out *o, const char *key, int width, double bps)
{
	char n[32];
	if (o->json) {
		snprintf(n, sizeof(n), "%.0f", bps >= 0 && !isinf(bps) ? bps : 0.0);
		json_raw(o, key, n);
	} else {
		cell(o, width, lv_human(n, sizeof(n), bps, "B/s"));
	}
}

void lv_bytes(struct lv_out *o, const char *key, int width, uint64_t bytes)
{
	char n[32];
	if (o->json)
		lv_u64(o, key, width, bytes);
	else
		cell(o, width, lv_human(n, sizeof(n), (double)bytes, "B"));
}

void lv_ms(struct lv_out *o, const char *key, int width, double ms)
{
	char n[32];
	if (o->json) {
		snprintf(n, sizeof(n), "%.3f", ms);
		json_raw(o, key, n);
	} else {
		snprintf(n, sizeof(n), ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
		cell(o, width, n);
	}
}

void lv_secs(struct lv_out *o, const char *key, int width, double s)
{
	char n[32];
	snprintf(n, sizeof(n), "%.3f", s);
	if (o->json)
		json_raw(o, key, n);
	else
		cell(o, width, n);
}

void lv_flag(struct lv_out *o, const char *key, int width, bool v, const char *shown)
{
	if (o->json)
		json_raw(o, key, v ? "true" : "false");
	else
		cell(o, width, v ? shown : "");
}

void lv_head(struct lv_out *o, int width, const char *label)
{
	if (!o->json)
		cell(o, width, label);
}

void lv_text(struct lv_out *o, const char *s)
{
	if (!o->json)
		lr_buf_adds(o->b, s);
}

void lv_blank(struct lv_out *o, int width)
{
	if (!o->json)
		cell(o, width, "");
}

void lv_nl(struct lv_out *o)
{
	if (!o->json)
		lr_buf_addc(o->b, '\n');
}
