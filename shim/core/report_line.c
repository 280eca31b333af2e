/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "core/report_line.h"
#include "policy/policy.h"

void mr_line_init(struct mr_line *l, char *buf, size_t cap)
{
	l->buf = buf;
	l->len = 0;
	l->cap = cap;
	l->overflow = false;
}

static void add(struct mr_line *l, const char *s, size_t n)
{
	if (l->overflow || n > l->cap - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void mr_line_raw(struct mr_line *l, const char *s)
{
	add(l, s, strlen(s));
}

static void add_u64(struct mr_line *l, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	add(l, tmp + i, sizeof(tmp) - i);
}

void mr_line_str(struct mr_line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s) {
		mr_line_raw(l, "null");
		return;
	}
	add(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = {'\\', (char)*p};
			add(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			add(l, esc, 6);
		} else {
			add(l, (const char *)p, 1);
		}
	}
	add(l, "\"", 1);
}

void mr_line_key(struct mr_line *l, const char *k)
{
	add(l, ",\"", 2);
	mr_line_raw(l, k);
	add(l, "\":", 2);
}

void mr_line_kv_str(struct mr_line *l, const char *k, const char *v)
{
	mr_line_key(l, k);
	mr_line_str(l, v);
}

void mr_line_kv_u64(struct mr_line *l, const char *k, uint64_t v)
{
	mr_line_key(l, k);
	add_u64(l, v);
}

void mr_line_kv_bool(struct mr_line *l, const char *k, bool v)
{
	mr_line_key(l, k);
	mr_line_raw(l, v ? "true" : "false");
}

void mr_line_kv_addr(struct mr_line *l, const char *k, const struct sockaddr_storage *ss)
{
	char text[64];
	mr_line_kv_str(l, k, ss && mr_format_sockaddr(ss, text, sizeof(text)) ? text : NULL);
}
