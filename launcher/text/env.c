/* SPDX-License-Identifier: MIT */
#include "text/env.h"

#include "text/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* glibc rtld (handle_preload_list) separates LD_PRELOAD entries with these. */
#define PRELOAD_SEPS " :"

/* Walks the entries of a list: *pos is advanced; returns false at the end. */
static bool next_entry(const char **pos, const char *seps, const char **start, size_t *len)
{
	const char *p = *pos;

	p += strspn(p, seps);
	if (!*p)
		return false;
	*start = p;
	*len = strcspn(p, seps);
	*pos = p + *len;
	return true;
}

static bool entry_is(const char *e, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(e, s, n) == 0;
}

/* An entry naming some copy of our library (another build tree, another prefix). */
static bool entry_is_copy(const char *e, size_t n)
{
	size_t k = strlen(LR_LIB_NAME);

	if (n < k || memcmp(e + n - k, LR_LIB_NAME, k) != 0)
		return false;
	return n == k || e[n - k - 1] == '/';
}

bool lr_preload_has(const char *list, const char *lib)
{
	const char *pos = list ? list : "", *e;
	size_t n;

	while (next_entry(&pos, PRELOAD_SEPS, &e, &n))
		if (entry_is(e, n, lib))
			return true;
	return false;
}

/* Rebuilds the list without copies of the library, colon-separated. */
static void add_others(struct lr_buf *b, const char *old)
{
	const char *pos = old ? old : "", *e;
	size_t n;

	while (next_entry(&pos, PRELOAD_SEPS, &e, &n)) {
		if (entry_is_copy(e, n))
			continue;
		if (b->len)
			lr_buf_addc(b, ':');
		lr_buf_add(b, e, n);
	}
}

char *lr_preload_merge(const char *old, const char *lib)
{
	const char *pos = old ? old : "", *e;
	bool copies = false, any = false;
	struct lr_buf b;
	size_t n;

	if (old && lr_preload_has(old, lib))
		return strdup(old);
	while (next_entry(&pos, PRELOAD_SEPS, &e, &n)) {
		any = true;
		copies |= entry_is_copy(e, n);
	}
	lr_buf_init(&b);
	lr_buf_adds(&b, lib);
	if (copies) {
		add_others(&b, old);
	} else if (any) {
		/* Keep the user's text as written (their separators, their order). */
		lr_buf_addc(&b, ':');
		lr_buf_adds(&b, old);
	}
	return lr_buf_take(&b);
}

char *lr_preload_remove(const char *old, const char *lib)
{
	const char *pos = old ? old : "", *e;
	struct lr_buf b;
	size_t n;

	lr_buf_init(&b);
	while (next_entry(&pos, PRELOAD_SEPS, &e, &n)) {
		if (entry_is(e, n, lib) || entry_is_copy(e, n))
			continue;
		if (b.len)
			lr_buf_addc(&b, ':');
		lr_buf_add(&b, e, n);
	}
	return lr_buf_take(&b);
}

bool lr_godebug_has_mptcp(const char *godebug)
{
	static const char key[] = "multipathtcp";
	const char *pos = godebug ? godebug : "", *e;
	size_t n, k = sizeof(key) - 1;

	while (next_entry(&pos, ",", &e, &n)) {
		/* Go trims nothing; " multipathtcp=0" is a different key to it. */
		if (n > k && memcmp(e, key, k) == 0 && e[k] == '=')
			return true;
	}
	return false;
}

char *lr_godebug_merge(const char *old)
{
	struct lr_buf b;
	size_t n;

	if (lr_godebug_has_mptcp(old))
		return strdup(old);
	lr_buf_init(&b);
	if (old && *old) {
		n = strlen(old);
		/* "a=1," already ends with a separator; don't make an empty item. */
		lr_buf_adds(&b, old);
		if (old[n - 1] != ',')
			lr_buf_addc(&b, ',');
	}
	lr_buf_adds(&b, "multipathtcp=1");
	return lr_buf_take(&b);
}
