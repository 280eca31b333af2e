/* SPDX-License-Identifier: MIT */
/* The kernel integrity record's text (format/integrity_record.h). */
#include "format/integrity_record.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *mr_kernel_integrity_name(enum mr_kernel_integrity v)
{
	return v == MR_KI_INTACT ? "intact" : v == MR_KI_MISORDERS ? "misorders" : "not probed";
}

bool mr_integrity_listener_may_be_mptcp(enum mr_integrity program, enum mr_kernel_integrity kernel,
                                        bool joins_protected)
{
	return program == MR_INTEGRITY_ACCEPT_RISK || kernel == MR_KI_INTACT || joins_protected;
}

size_t mr_integrity_format(const struct mr_integrity_record *r, char *buf, size_t size)
{
	int n =
	    snprintf(buf, size,
	             "# mptcp-run kernel integrity record: written by `mptcp-run check`, read by "
	             "the library and the path daemon\n"
	             "verdict=%s\nrelease=%s\nversion=%s\nboot_id=%s\ntime=%lld\nmethod=%s\n"
	             "runs=%d\nmisordered=%d\nheld_runs=%d\nheld_misordered=%d\n"
	             "first_wrong=%lld\nshift=%lld\nseconds=%d\n",
	             r->verdict == MR_KI_MISORDERS ? "misorders" : "intact", r->release, r->version,
	             r->boot_id, r->time, r->method, r->runs, r->misordered, r->held_runs,
	             r->held_misordered, r->first_wrong, r->shift, r->seconds);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* A decimal integer filling [s, e), with an optional minus sign. */
static bool parse_ll(const char *s, const char *e, long long *out)
{
	bool neg = s < e && *s == '-';
	long long v = 0;
	if (neg)
		s++;
	if (s == e || e - s > 18)
		return false;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static bool copy_field(char *dst, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);
	if (n >= MR_KI_FIELD || memchr(s, '\0', n))
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

const char *mr_integrity_parse(const char *text, size_t len, struct mr_integrity_record *out)
{
	const char *p = text, *end = text + len;
	unsigned seen = 0;
	enum {
		F_VERDICT = 1 << 0,
		F_RELEASE = 1 << 1,
		F_VERSION = 1 << 2,
		F_BOOT = 1 << 3,
		F_TIME = 1 << 4,
		F_ALL = (1 << 5) - 1
	};
	memset(out, 0, sizeof(*out));
	out->first_wrong = out->shift = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		long long v = 0;
		if (p == le || *p == '#') {
			p = le + 1;
			continue;
		}
		if (!eq)
			return "a line without '='";
		size_t kl = (size_t)(eq - p);
		const char *vs = eq + 1;
#define KEY(k) (kl == sizeof(k) - 1 && memcmp(p, k, kl) == 0)
		if (KEY("verdict")) {
			if ((size_t)(le - vs) == 6 && memcmp(vs, "intact", 6) == 0)
				out->verdict = MR_KI_INTACT;
			else if ((size_t)(le - vs) == 9 && memcmp(vs, "misorders", 9) == 0)
				out->verdict = MR_KI_MISORDERS;
			else
				return "verdict is neither intact nor misorders";
			seen |= F_VERDICT;
		} else if (KEY("release")) {
			if (!copy_field(out->release, vs, le))
				return "release too long";
			seen |= F_RELEASE;
		} else if (KEY("version")) {
			if (!copy_field(out->version, vs, le))
				return "version too long";
			seen |= F_VERSION;
		} else if (KEY("boot_id")) {
			if (!copy_field(out->boot_id, vs, le))
				return "boot_id too long";
			seen |= F_BOOT;
		} else if (KEY("method")) {
			if (!copy_field(out->method, vs, le))
				return "method too long";
		} else if (KEY("time") || KEY("runs") || KEY("misordered") || KEY("first_wrong") ||
		           KEY("shift") || KEY("seconds") || KEY("held_runs") ||
		           KEY("held_misordered")) {
			if (!parse_ll(vs, le, &v))
				return "a number that does not parse";
			if (KEY("time")) {
				out->time = v;
				seen |= F_TIME;
			} else if (KEY("first_wrong")) {
				out->first_wrong = v;
			} else if (KEY("shift")) {
				out->shift = v;
			} else if (v < 0 || v > 1000000) {
				return "a count out of range";
			} else if (KEY("runs")) {
				out->runs = (int)v;
			} else if (KEY("misordered")) {
				out->misordered = (int)v;
			} else if (KEY("held_runs")) {
				out->held_runs = (int)v;
			} else if (KEY("held_misordered")) {
				out->held_misordered = (int)v;
			} else {
				out->seconds = (int)v;
			}
		}
		/* Other keys: written by a later version, ignored. */
#undef KEY
		p = le + 1;
	}
	if ((seen & F_ALL) != F_ALL)
		return "a required key is missing (verdict, release, version, boot_id, time)";
	if (out->misordered > out->runs || out->held_misordered > out->held_runs ||
	    out->held_runs > out->runs)
		return "counts that do not add up";
	return NULL;
}

const char *mr_integrity_applies(const struct mr_integrity_record *r, const char *release,
                                 const char *version, const char *boot_id)
{
	if (strcmp(r->release, release) != 0 || strcmp(r->version, version) != 0)
		return "recorded for another kernel";
	if (strcmp(r->boot_id, boot_id) != 0)
		return "recorded in an earlier boot";
	return NULL;
}
