/* SPDX-License-Identifier: MIT */
#include "planner/budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct mr_budget pl_month = {.per = MR_PER_MONTH, .start = 1};

/* ---- periods ---- */

static int days_in(int year, int mon)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return mon == 2 && leap ? 29 : days[(mon - 1) % 12];
}

/* Day `start` of a month, or its last day when it is shorter. */
static struct pl_date month_day(int year, int mon, int start)
{
	int d = days_in(year, mon);
	return (struct pl_date){year, mon, start < d ? start : d, 0};
}

static struct pl_date day_before(struct pl_date d)
{
	if (d.mday > 1) {
		d.mday--;
		return d;
	}
	if (--d.mon < 1) {
		d.mon = 12;
		d.year--;
	}
	d.mday = days_in(d.year, d.mon);
	return d;
}

static struct pl_date day_after(struct pl_date d)
{
	if (d.mday < days_in(d.year, d.mon)) {
		d.mday++;
		return d;
	}
	d.mday = 1;
	if (++d.mon > 12) {
		d.mon = 1;
		d.year++;
	}
	return d;
}

struct pl_date pl_period_start(const struct mr_budget *b, struct pl_date now)
{
	if (b->per == MR_PER_DAY) {
		struct pl_date d = now.hour >= b->start ? now : day_before(now);
		d.hour = b->start;
		return d;
	}
	struct pl_date d = month_day(now.year, now.mon, b->start);
	if (now.mday >= d.mday)
		return d;
	return now.mon == 1 ? month_day(now.year - 1, 12, b->start)
	                    : month_day(now.year, now.mon - 1, b->start);
}

struct pl_date pl_period_next(const struct mr_budget *b, struct pl_date start)
{
	if (b->per == MR_PER_DAY)
		return day_after(start);
	return start.mon == 12 ? month_day(start.year + 1, 1, b->start)
	                       : month_day(start.year, start.mon + 1, b->start);
}

void pl_date_key(struct pl_date d, char out[16])
{
	/* Bounded for any int: the year is printed modulo 10000. */
	snprintf(out, 16, "%04u-%02u-%02uT%02u", (unsigned)d.year % 10000, (unsigned)d.mon % 100,
	         (unsigned)d.mday % 100, (unsigned)d.hour % 100);
}

/* ---- the ledger ---- */

#define HASH_SLOTS ((size_t)2 * PL_LEDGER_MAX)

bool pl_ledger_init(struct pl_ledger *l)
{
	l->n = 0;
	l->v = calloc(PL_LEDGER_MAX, sizeof(*l->v));
	l->hash = calloc(HASH_SLOTS, sizeof(*l->hash));
	if (!l->v || !l->hash) {
		pl_ledger_free(l);
		return false;
	}
	return true;
}

void pl_ledger_free(struct pl_ledger *l)
{
	free(l->v);
	free(l->hash);
	l->v = NULL;
	l->hash = NULL;
	l->n = 0;
}

static uint32_t key_hash(const char *program, int path, const struct mr_budget *b)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *q = program; *q; q++)
		h = (h ^ (uint8_t)*q) * 16777619u;
	h = (h ^ (uint32_t)path) * 16777619u;
	h = (h ^ b->per) * 16777619u;
	return (h ^ b->start) * 16777619u;
}

static bool same(const struct pl_count *k, const char *program, int path, const struct mr_budget *b)
{
	return k->path == path && k->per == b->per && k->start == b->start &&
	       strcmp(k->program, program) == 0;
}

/* The slot of the key: its counter's, or the empty one where it would go. */
static uint32_t *slot(const struct pl_ledger *l, const char *program, int path,
                      const struct mr_budget *b)
{
	uint32_t i = key_hash(program, path, b) % HASH_SLOTS;
	while (l->hash[i] && !same(&l->v[l->hash[i] - 1], program, path, b))
		i = (i + 1) % HASH_SLOTS;
	return &l->hash[i];
}

struct pl_count *pl_ledger_find(const struct pl_ledger *l, const char *program, int path,
                                const struct mr_budget *b)
{
	uint32_t *s = slot(l, program, path, b);
	return *s ? &l->v[*s - 1] : NULL;
}

struct pl_count *pl_ledger_get(struct pl_ledger *l, const char *program, int path,
                               const struct mr_budget *b)
{
	uint32_t *s = slot(l, program, path, b);
	if (*s)
		return &l->v[*s - 1];
	if (l->n >= PL_LEDGER_MAX)
		return NULL;
	struct pl_count *k = &l->v[l->n];
	memset(k, 0, sizeof(*k));
	snprintf(k->program, sizeof(k->program), "%s", program);
	k->path = path;
	k->per = b->per;
	k->start = b->start;
	*s = (uint32_t)++l->n;
	return k;
}

static void rehash(struct pl_ledger *l)
{
	memset(l->hash, 0, HASH_SLOTS * sizeof(*l->hash));
	for (size_t i = 0; i < l->n; i++) {
		const struct pl_count *k = &l->v[i];
		const struct mr_budget b = {.per = k->per, .start = k->start};
		*slot(l, k->program, k->path, &b) = (uint32_t)(i + 1);
	}
}

/* The key of the period of k that contains date. */
static void current_period(const struct pl_count *k, struct pl_date date, char out[16])
{
	const struct mr_budget b = {.per = k->per, .start = k->start};
	pl_date_key(pl_period_start(&b, date), out);
}

uint64_t pl_count_bytes(const struct pl_count *k, struct pl_date date)
{
	char now[16];
	current_period(k, date, now);
	return strcmp(now, k->period) == 0 ? k->bytes : 0;
}

bool pl_count_over(const struct pl_count *k, uint64_t limit, struct pl_date date)
{
	return limit && pl_count_bytes(k, date) >= limit;
}

#define RATE_WINDOW_MS 250.

bool pl_count_add(struct pl_count *k, uint64_t bytes, uint64_t limit, struct pl_date date,
                  double now)
{
	char period[16];
	current_period(k, date, period);
	if (strcmp(period, k->period) != 0) {
		snprintf(k->period, sizeof(k->period), "%s", period);
		k->bytes = 0;
		k->over = k->told = false;
	}
	k->bytes += bytes;
	k->limit = limit;
	if (!k->win_start)
		k->win_start = now;
	k->win_bytes += bytes;
	if (now - k->win_start >= RATE_WINDOW_MS) {
		k->rate = (double)k->win_bytes / (now - k->win_start);
		k->win_start = now;
		k->win_bytes = 0;
	}
	bool over = limit && k->bytes >= limit;
	bool crossed = over && !k->over;
	k->over = over;
	return crossed;
}

void pl_ledger_prune(struct pl_ledger *l, struct pl_date date)
{
	size_t keep = 0;
	for (size_t i = 0; i < l->n; i++) {
		char now[16];
		current_period(&l->v[i], date, now);
		if (strcmp(now, l->v[i].period) == 0)
			l->v[keep++] = l->v[i];
	}
	l->n = keep;
	rehash(l);
}

/* ---- decisions ---- */

void pl_budget_state(const struct mr_policy *p, struct pl_ledger *l, const char *exe, int section,
                     int path, struct pl_date date, struct pl_budget_state *out)
{
	struct mr_program prog = {.section = section >= 0 && (size_t)section < p->n_sections
	                                         ? &p->sections[section]
	                                         : NULL,
	                          .section_index = section};
	enum mr_origin origin;
	memset(out, 0, sizeof(*out));
	out->path_budget = p->paths[path].budget;
	mr_program_budget(p, &prog, path, &out->prog_budget, &origin);
	out->over = mr_program_over(p, &prog, &origin);
	const struct mr_budget *pb = out->path_budget.bytes ? &out->path_budget : &pl_month;
	const struct mr_budget *ob = out->prog_budget.bytes ? &out->prog_budget : &pl_month;
	out->total = pl_ledger_find(l, PL_PROGRAM_ALL, path, pb);
	out->own = pl_ledger_find(l, exe, path, ob);
	out->over_path = out->total && pl_count_over(out->total, out->path_budget.bytes, date);
	out->over_prog = out->own && pl_count_over(out->own, out->prog_budget.bytes, date);
}

enum pl_spent pl_budget_spent(const struct pl_budget_state *st)
{
	if (!st->over_path && !st->over_prog)
		return PL_SPENT_NOT;
	return st->over == MR_OVER_STAY ? PL_SPENT_STAY : PL_SPENT_LEAVE;
}

double pl_sample_interval(uint64_t remaining, double rate)
{
	/* No budget, or one spent already: nothing to stop in time. */
	if (remaining == UINT64_MAX || remaining == 0)
		return PL_COUNT_MAX_MS;
	if (rate < PL_RATE_FLOOR)
		rate = PL_RATE_FLOOR;
	double t = (double)remaining / (4 * rate);
	return t < PL_COUNT_MIN_MS ? PL_COUNT_MIN_MS : t > PL_COUNT_MAX_MS ? PL_COUNT_MAX_MS : t;
}
