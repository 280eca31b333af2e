/* SPDX-License-Identifier: MIT */
#include "planner/modes.h"

#include <stdio.h>

#include "planner/act.h"
#include "planner/measure.h"
#include "planner/retry.h"

static bool has_sub_on(const struct pl_conn *c, int path)
{
	for (int i = 0; i < c->n_sub; i++)
		if (c->s[i].path == path && !c->s[i].closing)
			return true;
	return false;
}

static bool path_backup(const struct pl_world *w, int path)
{
	return w->policy->paths[path].backup;
}

/* ---- aggregate ---- */

void pl_aggregate(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
                  void *ctx)
{
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		/* A path of a kind: one subflow per interface of it. */
		while (pl_free_iface(w, c, k) && pl_retry_allows(c, k, now)) {
			/* A protected join carries no data until the receiver has surely finished
			 * it. */
			bool protect = c->prot.on && !path_backup(w, k);
			bool data_ok = pl_path_data_ok(c, k);
			struct pl_sub *s =
			    pl_create(w, c, k, path_backup(w, k) || protect || !data_ok, protect,
			              now, ops, ctx);
			if (!s)
				break;
			if (!data_ok && !protect && !path_backup(w, k))
				s->held = true;
		}
	}
}

/* ---- handover ---- */

/* The subflows carrying data that stalled or stay too slow: judged bad, their path waits. */
static void judge(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
                  void *ctx)
{
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (!pl_sub_carrier(w, c, s, now) || s->backup)
			continue;
		if (pl_stalled(c, s, now)) {
			s->bad = true;
			pl_retry_fail(c, s->path, PL_FAIL_STALLED, 0, now);
			pl_note(
			    ops, ctx,
			    "token %08x: handover: %s stalled (data in flight, no ACK for %.0f ms)",
			    c->token, pl_path_name(w, s->path), now - s->h.progress_at);
		} else if (pl_too_slow(c, s, now)) {
			s->bad = true;
			pl_retry_fail(c, s->path, PL_FAIL_SLOW, 0, now);
			pl_note(ops, ctx,
			        "token %08x: handover: %s too slow (RTT %.0f ms, loss %.0f %%)",
			        c->token, pl_path_name(w, s->path), (double)s->h.rtt_ms,
			        (double)s->h.loss * 100.);
		}
	}
}

/* The first listed path that may carry data now: non-backup paths first, in the order
 * listed; usable, not waiting for a retry, not in no_data. -1: none. */
static int target_path(const struct pl_world *w, const struct pl_conn *c, double now)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->pp.list.n; i++) {
			int k = c->pp.list.idx[i];
			if (path_backup(w, k) != (pass == 1))
				continue;
			if (pl_path_addr(w, k, c->family, NULL) && pl_retry_allows(c, k, now) &&
			    pl_path_data_ok(c, k))
				return k;
		}
	return -1;
}

double pl_handover(const struct pl_world *w, struct pl_conn *c, double now,
                   const struct pl_ops *ops, void *ctx)
{
	judge(w, c, now, ops, ctx);
	int target = target_path(w, c, now);
	if (target < 0)
		return 0; /* nothing may carry data: what there is stays */
	struct pl_sub *t = NULL;
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (s->path == target && !s->closing && !s->bad && pl_sub_usable(w, c, s) &&
		    (!t || (s->live && !t->live)))
			t = s;
	}
	if (!t) {
		/* Protected: backup until promote_ms after it is established, then made active by
		 * the promotion, whatever the path's own backup flag: it is to carry the data. */
		bool retry = c->retry[target].fails > 0; /* logged as such by pl_create */
		if (pl_create(w, c, target, c->prot.on, c->prot.on, now, ops, ctx) && c->carrier &&
		    !retry)
			pl_note(ops, ctx, "token %08x: handover: subflow on %s", c->token,
			        pl_path_name(w, target));
		return 0;
	}
	if (!t->live || t->promo != PL_PROMO_NONE)
		return 0; /* until it may carry data, the others carry it */
	if (t->backup && !pl_flag(c, t, false, ops, ctx))
		return 0;
	if (c->carrier != target + 1) {
		if (c->carrier)
			pl_note(ops, ctx, "token %08x: handover: data on %s (was on %s)", c->token,
			        pl_path_name(w, target), pl_path_name(w, c->carrier - 1));
		c->carrier = (uint8_t)(target + 1);
	}
	/* t carries the data: every other subflow goes, an idle path keeps none. */
	char why[80];
	snprintf(why, sizeof(why), "handover: data on %s", pl_path_name(w, target));
	for (int i = 0; i < c->n_sub; i++)
		if (&c->s[i] != t && !c->s[i].closing)
			pl_destroy(c, &c->s[i], why, ops, ctx);
	return 0;
}

/* ---- interactive ---- */

/* A subflow that may be made the active one now; *wake: when a join becomes one. */
static bool eligible(const struct pl_world *w, const struct pl_conn *c, const struct pl_sub *s,
                     double now, double *wake)
{
	if (!s->live || s->closing || s->bad || s->promo != PL_PROMO_NONE ||
	    !pl_sub_usable(w, c, s) || !pl_path_data_ok(c, s->path) || pl_stalled(c, s, now))
		return false;
	/* A join carries data only once the receiver has surely finished it. */
	double at = pl_sub_ready_at(c, s, now);
	if (at > now) {
		*wake = pl_earliest(*wake, at);
		return false;
	}
	return true;
}

/* Whether a is to be preferred to b as the active one: non-backup paths first, then the
 * lower score (an unknown one last), then the order listed. */
static bool preferred(const struct pl_world *w, const struct pl_conn *c, const struct pl_sub *a,
                      const struct pl_sub *b)
{
	if (path_backup(w, a->path) != path_backup(w, b->path))
		return !path_backup(w, a->path);
	double sa = pl_score(a), sb = pl_score(b);
	if ((sa >= 0) != (sb >= 0))
		return sa >= 0;
	if (sa >= 0 && sa != sb)
		return sa < sb;
	for (size_t i = 0; i < c->pp.list.n; i++) {
		if (c->pp.list.idx[i] == a->path)
			return true;
		if (c->pp.list.idx[i] == b->path)
			return false;
	}
	return false;
}

static void switch_to(const struct pl_world *w, struct pl_conn *c, struct pl_sub *to,
                      struct pl_sub *from, const char *why, const struct pl_ops *ops, void *ctx)
{
	if (!pl_flag(c, to, false, ops, ctx))
		return;
	to->h.better_since = 0;
	if (from)
		pl_flag(c, from, true, ops, ctx);
	pl_note(ops, ctx, "token %08x: interactive: data on %s (%.1f ms) from %s (%.1f ms): %s",
	        c->token, pl_path_name(w, to->path), pl_score(to),
	        from ? pl_path_name(w, from->path) : "none", from ? pl_score(from) : 0., why);
}

double pl_interactive(const struct pl_world *w, struct pl_conn *c, double now,
                      const struct pl_ops *ops, void *ctx)
{
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if (!has_sub_on(c, k) && pl_retry_allows(c, k, now))
			pl_create(w, c, k, true, false, now, ops, ctx);
	}
	double wake = 0;
	struct pl_sub *active = NULL, *best = NULL;
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (!pl_sub_carrier(w, c, s, now) || s->backup)
			continue;
		if (!active)
			active = s;
		else
			pl_flag(c, s, true, ops, ctx); /* one active subflow */
	}
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (s != active && eligible(w, c, s, now, &wake) &&
		    (!best || preferred(w, c, s, best)))
			best = s;
	}
	for (int i = 0; i < c->n_sub; i++)
		if (&c->s[i] != best)
			c->s[i].h.better_since = 0;
	if (!best)
		return wake;
	if (!active) {
		switch_to(w, c, best, NULL, "no active subflow", ops, ctx);
		return wake;
	}
	if (pl_stalled(c, active, now) || !pl_path_data_ok(c, active->path)) {
		switch_to(w, c, best, active, "the active one stalled", ops, ctx);
		return wake;
	}
	if (path_backup(w, active->path) && !path_backup(w, best->path)) {
		switch_to(w, c, best, active, "a non-backup path is usable", ops, ctx);
		return wake;
	}
	double sa = pl_score(active), sb = pl_score(best);
	bool better = path_backup(w, active->path) == path_backup(w, best->path) && sa >= 0 &&
	              sb >= 0 && sb <= sa * (100. - c->tune.v[MR_MK_BETTER]) / 100. &&
	              sa - sb >= PL_MIN_GAIN_MS;
	if (!better) {
		best->h.better_since = 0;
		return wake;
	}
	if (!best->h.better_since)
		best->h.better_since = now;
	if (now - best->h.better_since >= c->tune.v[MR_MK_HOLD]) {
		switch_to(w, c, best, active, "better for the hold time", ops, ctx);
		return wake;
	}
	return pl_earliest(wake, best->h.better_since + c->tune.v[MR_MK_HOLD]);
}
