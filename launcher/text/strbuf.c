/* SPDX-License-Identifier: MIT */
#include "text/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void lr_buf_init(struct lr_buf *b)
{
	memset(b, 0, sizeof(*b));
}

static bool grow(struct lr_buf *b, size_t extra)
{
	size_t need, cap;
	char *s;

	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	s = realloc(b->s, cap);
	if (!s)
		goto fail;
	b->s = s;
	b->cap = cap;
	return true;
fail:
	b->oom = true;
	return false;
}

void lr_buf_add(struct lr_buf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void lr_buf_adds(struct lr_buf *b, const char *s)
{
	lr_buf_add(b, s, strlen(s));
}

void lr_buf_addc(struct lr_buf *b, char c)
{
	lr_buf_add(b, &c, 1);
}

char *lr_buf_take(struct lr_buf *b)
{
	char *s;

	if (b->oom) {
		lr_buf_free(b);
		return NULL;
	}
	if (!b->s && !grow(b, 0))
		return NULL;
	/* b->s is NULL only while cap is 0 (lr_buf_init sets both), and grow() then allocates. */
	if (b->len == 0)
		b->s[0] = '\0'; // NOLINT(clang-analyzer-core.NullDereference)
	s = b->s;
	lr_buf_init(b);
	return s;
}

void lr_buf_free(struct lr_buf *b)
{
	free(b->s);
	lr_buf_init(b);
}
