/* SPDX-License-Identifier: MIT */
/*
 * The report line reader: jansson parses, a table of the v1 fields checks.
 *
 * jansson is stricter than the library's writer in one way and looser in
 * two, so the line reaches it through a filter (struct feed):
 *  - the library passes bytes >= 0x80 of a path through unchanged (a path
 *    need not be UTF-8), which jansson refuses; the filter hands each such
 *    byte inside a string to jansson as \u0080..\u00ff and the reader turns
 *    those code points back into the bytes (latin1_to_bytes);
 *  - the library escapes only control bytes, \u0001..\u001f and \u007f: any
 *    other \u escape is not ours (this also keeps the code points above
 *    free for the byte transport);
 *  - every number of ours is unsigned: a '-' outside a string is not ours
 *    (jansson would read "-0" as 0);
 *  - the library never writes a NUL byte, which jansson's stream reader
 *    would skip between two tokens.
 * jansson reads integers as signed 64-bit, so a number above INT64_MAX is
 * refused; no counter of a real connection comes near it.
 */
#include "report/reader.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- the filter between the line and jansson ---- */

struct feed {
	const unsigned char *p, *end;
	bool in_str;
	unsigned char unit[6]; /* the bytes handed on for the last input byte(s) */
	size_t n_unit, i_unit;
};

static int hex4(const unsigned char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* After a backslash in a string: the escape, whole, so an escaped quote does not end it. */
static bool feed_escape(struct feed *f)
{
	if (f->p == f->end)
		return false;
	f->unit[f->n_unit++] = *f->p++;
	if (f->unit[1] != 'u')
		return true; /* jansson refuses the unknown ones */
	int v = f->end - f->p >= 4 ? hex4(f->p) : -1;
	if (v <= 0 || v > 0x7f)
		return false;
	memcpy(f->unit + 2, f->p, 4);
	f->p += 4;
	f->n_unit = 6;
	return true;
}

/* The next input byte (an escape: the next 2 or 6) into f->unit; false if not ours. */
static bool feed_unit(struct feed *f)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = *f->p++;

	f->unit[0] = c;
	f->n_unit = 1;
	f->i_unit = 0;
	if (c == '\0')
		return false; /* jansson's stream reader skips it between tokens */
	if (!f->in_str) {
		f->in_str = c == '"';
		return c != '-';
	}
	if (c == '"')
		f->in_str = false;
	else if (c == '\\')
		return feed_escape(f);
	else if (c >= 0x80) {
		memcpy(f->unit, "\\u00", 4);
		f->unit[4] = (unsigned char)hex[c >> 4];
		f->unit[5] = (unsigned char)hex[c & 15];
		f->n_unit = 6;
	}
	return true;
}

/* jansson's json_load_callback_t: 0 at the end, (size_t)-1 stops the parse. */
static size_t feed_read(void *buf, size_t size, void *data)
{
	struct feed *f = data;
	unsigned char *out = buf;
	size_t n = 0;

	while (n < size) {
		if (f->i_unit == f->n_unit) {
			if (f->p == f->end)
				break;
			if (!feed_unit(f))
				return (size_t)-1;
		}
		out[n++] = f->unit[f->i_unit++];
	}
	return n;
}

/* ---- the v1 fields ---- */

enum kind { K_VERSION, K_U64, K_STR, K_STR_NULL, K_BOOL, K_BOOL_NULL, K_SUBFLOWS };
/* Counters come all together or not at all; an optional key is one older writers lack. */
enum group { G_REQUIRED, G_COUNTER, G_OPTIONAL };

struct field {
	const char *key;
	enum kind kind;
	enum group group;
	size_t off, size;           /* where in the struct; a string's buffer size */
	size_t flag;                /* K_STR_NULL: the bool set when not null, or NO_FLAG */
	const char *const *allowed; /* K_STR*: the only values, or NULL */
};
#define NO_FLAG SIZE_MAX

#define FIELD(T, k, kind, group, m, flag, allowed)                                                 \
	{                                                                                          \
		k, kind, group, offsetof(T, m), sizeof(((T *)0)->m), flag, allowed                 \
	}
#define R(k, kind, m) FIELD(struct lr_report_rec, k, kind, G_REQUIRED, m, NO_FLAG, NULL)
#define RC(k, m)      FIELD(struct lr_report_rec, k, K_U64, G_COUNTER, m, NO_FLAG, NULL)
#define RS(k, m, set) FIELD(struct lr_report_rec, k, K_STR, G_REQUIRED, m, NO_FLAG, set)
#define RN(k, m, flag, set)                                                                        \
	FIELD(struct lr_report_rec, k, K_STR_NULL, G_REQUIRED, m,                                  \
	      offsetof(struct lr_report_rec, flag), set)
#define S(k, kind, m) FIELD(struct lr_report_subflow, k, kind, G_REQUIRED, m, NO_FLAG, NULL)
#define SC(k, m)      FIELD(struct lr_report_subflow, k, K_U64, G_COUNTER, m, NO_FLAG, NULL)

static const char *const ats[] = {"close", "exit", NULL};
static const char *const roles[] = {"connect", "accepted", "listen", "unused", NULL};
static const char *const protos[] = {"mptcp", "tcp", NULL};
static const char *const conns[] = {"mptcp", "fallback", "tcp", "none", NULL};
static const char *const paths_ats[] = {"close", "exit", "shutdown", NULL};

static const struct field sf_fields[] = {
    S("local", K_STR_NULL, local),    S("remote", K_STR_NULL, remote),
    S("dev", K_STR_NULL, dev),        SC("bytes_sent", bytes_sent),
    SC("bytes_acked", bytes_acked),   SC("bytes_received", bytes_received),
    SC("retrans", retrans),           SC("rtt_us", rtt_us),
    S("backup", K_BOOL_NULL, backup),
};

static const struct field rec_fields[] = {
    /* time is a placeholder for v: K_VERSION stores nothing. */
    R("v", K_VERSION, time),
    R("time", K_U64, time),
    /* null when the library could not know it (a close in a signal handler during init). */
    R("program", K_STR_NULL, program),
    R("pid", K_U64, pid),
    R("fd", K_U64, fd),
    RS("at", at, ats),
    RS("role", role, roles),
    R("local", K_STR_NULL, local),
    R("remote", K_STR_NULL, remote),
    RS("socket", socket, protos),
    RS("conn", conn, conns),
    RN("policy", policy, has_policy, protos),
    R("rule", K_STR_NULL, rule),
    RN("kept", kept, has_kept, NULL),
    R("pinned", K_BOOL, pinned),
    R("shared", K_BOOL, shared),
    RC("bytes_sent", bytes_sent),
    RC("bytes_acked", bytes_acked),
    RC("bytes_received", bytes_received),
    RC("retrans", retrans),
    R("subflows_total", K_U64, subflows_total),
    /* Since 0.2.0, only on sampled accepted connections. */
    FIELD(struct lr_report_rec, "sampled", K_U64, G_OPTIONAL, sampled, NO_FLAG, NULL),
    /* Since 0.2.0: lines of 0.1.0 do not have it. */
    FIELD(struct lr_report_rec, "paths_at", K_STR_NULL, G_OPTIONAL, paths_at,
          offsetof(struct lr_report_rec, has_paths_at), paths_ats),
    /* Newer than 0.2.0: the supervisor's lines of connections that ended between two samples. */
    FIELD(struct lr_report_rec, "no_figures", K_STR_NULL, G_OPTIONAL, no_figures,
          offsetof(struct lr_report_rec, has_no_figures), NULL),
    R("subflows", K_SUBFLOWS, n_subflows),
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(N_OF(rec_fields) <= 32 && N_OF(sf_fields) <= 32, "one bit per field");

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* The string's bytes (see the file comment) into out; false if longer than size - 1. */
static bool latin1_to_bytes(const json_t *v, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)json_string_value(v);
	const unsigned char *end = p + json_string_length(v);
	size_t n = 0;

	for (; p < end; p++) {
		unsigned char c = *p;
		if (c >= 0x80) {
			/* U+0080..U+00FF are C2/C3 and one continuation byte; nothing else gets
			 * here. */
			if ((c != 0xc2 && c != 0xc3) || p + 1 == end || (p[1] & 0xc0) != 0x80)
				return false;
			c = (unsigned char)((c & 3) << 6 | (*++p & 0x3f));
		}
		if (n + 1 >= size)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

static bool u64_of(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static bool string_of(const json_t *v, const struct field *f, char *base)
{
	bool present = !json_is_null(v);

	if (f->flag != NO_FLAG)
		*(bool *)(base + f->flag) = present;
	if (!present) {
		base[f->off] = '\0';
		return f->kind == K_STR_NULL;
	}
	return json_is_string(v) && latin1_to_bytes(v, base + f->off, f->size) &&
	       (!f->allowed || one_of(base + f->off, f->allowed));
}

static int fields_of(const json_t *obj, const struct field *fields, size_t n, void *base);

/* The subflows array into r->sf; false if not ours. */
/* NOLINTNEXTLINE(misc-no-recursion): one level deep, a line's subflows */
static bool subflows_of(const json_t *arr, struct lr_report_rec *r)
{
	size_t i;
	const json_t *el;

	if (!json_is_array(arr) || json_array_size(arr) > LR_REPORT_MAX_SUBFLOWS)
		return false;
	json_array_foreach(arr, i, el)
	{
		struct lr_report_subflow *sf = &r->sf[i];
		memset(sf, 0, sizeof(*sf));
		int counters = fields_of(el, sf_fields, N_OF(sf_fields), sf);
		if (counters < 0)
			return false;
		sf->has_bytes = counters;
	}
	r->n_subflows = json_array_size(arr);
	return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): one level deep, a line's subflows */
static bool value_of(const json_t *v, const struct field *f, void *base)
{
	char *at = (char *)base + f->off;

	switch (f->kind) {
	case K_VERSION:
		return json_is_integer(v) && json_integer_value(v) == 1;
	case K_U64:
		return u64_of(v, (uint64_t *)at);
	case K_STR:
	case K_STR_NULL:
		return string_of(v, f, base);
	case K_BOOL:
		*(bool *)at = json_is_true(v);
		return json_is_boolean(v);
	case K_BOOL_NULL:
		*(int *)at = json_is_null(v) ? -1 : json_is_true(v);
		return json_is_null(v) || json_is_boolean(v);
	case K_SUBFLOWS:
		return subflows_of(v, base);
	}
	return false;
}

/*
 * The object's members into base, by the table: 1 if the counters were there,
 * 0 if not, -1 if it is not ours. Duplicates never get here (JSON_REJECT_DUPLICATES).
 */
/* NOLINTNEXTLINE(misc-no-recursion): one level deep, a line's subflows */
static int fields_of(const json_t *obj, const struct field *fields, size_t n, void *base)
{
	uint32_t seen = 0, required = 0, counters = 0;
	const char *key;
	const json_t *v;

	if (!json_is_object(obj))
		return -1;
	json_object_foreach((json_t *)obj, key, v)
	{
		size_t i = 0;
		while (i < n && strcmp(key, fields[i].key) != 0)
			i++;
		if (i == n || !value_of(v, &fields[i], base))
			return -1;
		seen |= 1u << i;
	}
	for (size_t i = 0; i < n; i++) {
		if (fields[i].group == G_REQUIRED)
			required |= 1u << i;
		else if (fields[i].group == G_COUNTER)
			counters |= 1u << i;
	}
	if ((seen & required) != required)
		return -1;
	if ((seen & counters) != 0 && (seen & counters) != counters)
		return -1;
	return (seen & counters) == counters;
}

/*
 * A connection that is not established has no subflows; a TCP one (or a fallback)
 * lists exactly its own path; an MPTCP one lists its subflows, or none once both ends
 * closed it (the kernel has reset them by then).
 */
static bool subflows_fit_conn(const struct lr_report_rec *r)
{
	if (strcmp(r->conn, "none") == 0)
		return r->n_subflows == 0;
	return strcmp(r->conn, "mptcp") == 0 || r->n_subflows == 1;
}

/*
 * jansson reports a failed allocation as a syntax error (or no error code at all),
 * so its allocations go through here. The launcher parses in one thread only.
 */
static bool out_of_memory;

static void *json_alloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		out_of_memory = true;
	return p;
}

int lr_report_parse_line(const char *s, size_t len, struct lr_report_rec *out)
{
	struct feed f = {.p = (const unsigned char *)s, .end = (const unsigned char *)s + len};
	json_error_t err;

	memset(out, 0, sizeof(*out));
	out_of_memory = false;
	json_set_alloc_funcs(json_alloc, free);
	/* Without JSON_DISABLE_EOF_CHECK jansson refuses anything after the object. */
	json_t *root = json_load_callback(feed_read, &f, JSON_REJECT_DUPLICATES, &err);
	if (!root)
		return out_of_memory ? LR_REPORT_NOMEM : LR_REPORT_NOT_OURS;
	int counters = fields_of(root, rec_fields, N_OF(rec_fields), out);
	json_decref(root);
	if (counters < 0 || !subflows_fit_conn(out))
		return LR_REPORT_NOT_OURS;
	out->has_bytes = counters;
	return 0;
}
