/* SPDX-License-Identifier: MIT */
#include "text/ldso_text.h"

#include "text/strbuf.h"

#include <string.h>

/* As in glibc rtld.c: entries are separated by white space or ':'. */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ':' || c == '\n' || c == '\r' || c == '\0';
}

struct line {
	const char *s;
	size_t len;      /* without the newline */
	size_t code_len; /* bytes before '#' */
	bool newline;
};

static bool next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *nl, *hash;

	if (*pos >= len)
		return false;
	l->s = text + *pos;
	nl = memchr(l->s, '\n', len - *pos);
	l->len = nl ? (size_t)(nl - l->s) : len - *pos;
	l->newline = nl != NULL;
	hash = memchr(l->s, '#', l->len);
	l->code_len = hash ? (size_t)(hash - l->s) : l->len;
	*pos += l->len + (nl ? 1 : 0);
	return true;
}

/* True if one entry before the comment is exactly lib. */
static bool line_has(const struct line *l, const char *lib)
{
	size_t i = 0, start, n = strlen(lib);

	while (i < l->code_len) {
		while (i < l->code_len && is_sep(l->s[i]))
			i++;
		start = i;
		while (i < l->code_len && !is_sep(l->s[i]))
			i++;
		if (i > start && i - start == n && memcmp(l->s + start, lib, n) == 0)
			return true;
	}
	return false;
}

bool lr_ldso_has(const char *text, size_t len, const char *lib)
{
	struct line l;
	size_t pos = 0;

	while (next_line(text, len, &pos, &l))
		if (line_has(&l, lib))
			return true;
	return false;
}

static char *finish(struct lr_buf *b, size_t *out_len)
{
	size_t n = b->len;
	char *s = lr_buf_take(b);

	if (s)
		*out_len = n;
	return s;
}

char *lr_ldso_add(const char *text, size_t len, const char *lib, size_t *out_len, bool *changed)
{
	struct lr_buf b;

	lr_buf_init(&b);
	lr_buf_add(&b, text, len);
	*changed = !lr_ldso_has(text, len, lib);
	if (*changed) {
		if (len && text[len - 1] != '\n')
			lr_buf_addc(&b, '\n');
		lr_buf_adds(&b, lib);
		lr_buf_addc(&b, '\n');
	}
	return finish(&b, out_len);
}

char *lr_ldso_remove(const char *text, size_t len, const char *lib, size_t *out_len, bool *changed)
{
	size_t pos = 0, i, start, n = strlen(lib), before;
	struct lr_buf b;
	struct line l;

	lr_buf_init(&b);
	*changed = false;
	while (next_line(text, len, &pos, &l)) {
		if (!line_has(&l, lib)) {
			lr_buf_add(&b, l.s, l.len + (l.newline ? 1 : 0));
			continue;
		}
		*changed = true;
		/* Rebuild the line from the other entries, space-separated, then the comment. */
		before = b.len;
		for (i = 0; i < l.code_len;) {
			while (i < l.code_len && is_sep(l.s[i]))
				i++;
			start = i;
			while (i < l.code_len && !is_sep(l.s[i]))
				i++;
			if (i == start || (i - start == n && memcmp(l.s + start, lib, n) == 0))
				continue;
			if (b.len > before)
				lr_buf_addc(&b, ' ');
			lr_buf_add(&b, l.s + start, i - start);
		}
		if (l.code_len < l.len) {
			if (b.len > before)
				lr_buf_addc(&b, ' ');
			lr_buf_add(&b, l.s + l.code_len, l.len - l.code_len);
		}
		if (b.len > before && l.newline)
			lr_buf_addc(&b, '\n');
	}
	return finish(&b, out_len);
}
