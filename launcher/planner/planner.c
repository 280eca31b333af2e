/* SPDX-License-Identifier: MIT */
#include "planner/planner.h"

#include <stdio.h>

#include "planner/act.h"
#include "planner/measure.h"
#include "planner/modes.h"
#include "planner/retry.h"

#define PL_JOIN_TIMEOUT_MS 2500. /* a join of ours not established by then is closed */

/* The paths in force, once the owner is known or the grace period is over. */
bool pl_decide(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx)
{
	if (c->decided)
		return true;
	if (!c->registered && w->wait_registration && now < c->t_established + w->grace_ms)
		return false;
	struct mr_program prog;
	mr_resolve(w->policy, c->registered && c->exe[0] ? c->exe : NULL, false, &prog);
	if (!c->registered)
		prog.section = NULL; /* unknown owner: the defaults */
	mr_program_paths(w->policy, &prog, &c->pp);
	mr_program_path_mode(w->policy, &prog, &c->tune, NULL);
	/* An unknown owner has the defaults' integrity, as it has their paths. */
	int integrity = c->registered               ? (int)prog.integrity
	                : w->policy->integrity >= 0 ? w->policy->integrity
	                                            : (int)MR_INTEGRITY_PROTECT;
	c->integrity = (uint8_t)integrity;
	c->section = prog.section ? (int)prog.section_index : -1;
	c->decided = true;
	if (ops->debug) {
		char buf[256];
		mr_format_paths(w->policy, &c->pp.list, buf, sizeof(buf));
		pl_say(ops, ctx, "token %08x (%s%s): paths %s%s%s", c->token,
		       c->registered ? c->exe : "unregistered", c->server ? ", server" : "", buf,
		       c->tune.v[MR_MK_MODE] != MR_PATH_AGGREGATE ? ", " : "",
		       c->tune.v[MR_MK_MODE] != MR_PATH_AGGREGATE
		           ? mr_path_mode_name((enum mr_path_mode)c->tune.v[MR_MK_MODE])
		           : "");
	}
	return true;
}

static void announce(const struct pl_world *w, struct pl_conn *c, int path,
                     const struct pl_ops *ops, void *ctx)
{
	const struct pl_addr *a = pl_path_addr(w, path, c->family, NULL);
	if (!a || pl_addr_eq(a, &c->loc))
		return;
	/* Protected: the peer is asked (the address's backup flag, B in the MP_JOIN SYN/ACK) to
	 * put no data on a join to it until this end has finished the join and says so. In
	 * handover mode it stays so: the peer's scheduler uses it only when the first fails. */
	bool backup = c->prot.on || c->tune.v[MR_MK_MODE] == MR_PATH_HANDOVER;
	ops->announce(ctx, c, path, a, backup);
	c->announced |= 1u << path;
}

/* Re-flags active the joins created backup for protection once promote_ms have passed since
 * they were established; the earliest still to come, 0 for none. */
static double promote(const struct pl_world *w, struct pl_conn *c, double now,
                      const struct pl_ops *ops, void *ctx)
{
	double wake = 0;
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (s->promo != PL_PROMO_DUE || s->closing || !s->live)
			continue;
		if (!pl_path_data_ok(c, s->path))
			continue; /* kept due: promoted once its path may carry data again */
		if (now < s->promote_at) {
			wake = pl_earliest(wake, s->promote_at);
			continue;
		}
		s->promo =
		    PL_PROMO_NONE; /* tried once: a refusal leaves it backup, which is safe */
		if (!pl_sub_usable(w, c, s))
			continue; /* to be closed instead */
		if (pl_flag(c, s, false, ops, ctx))
			pl_say(ops, ctx,
			       "token %08x: subflow on %s from port %u promoted to active",
			       c->token, pl_path_name(w, s->path), s->lport);
	}
	return wake;
}

/* Subflows to close: unlisted (once a listed one carries data), or their path lost its
 * interface or address (once another carries data: closing the last one that may would
 * leave only a join that the receiver may still be finishing). */
static double close_stale(const struct pl_world *w, struct pl_conn *c, double now,
                          const struct pl_ops *ops, void *ctx)
{
	const struct mr_policy *p = w->policy;
	double wake = 0;
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (s->closing || !s->live)
			continue;
		bool listed = mr_paths_lists(&c->pp, s->path);
		bool other = false;
		double soon = 0; /* when a join that will carry data may */
		for (int k = 0; k < c->n_sub && !other; k++) {
			const struct pl_sub *o = &c->s[k];
			other = k != i && pl_sub_carrier(w, c, o, now);
			if (k != i && !other && o->live && !o->closing && o->promo == PL_PROMO_NONE)
				soon = pl_earliest(soon, pl_sub_ready_at(c, o, now));
		}
		bool gone = listed && !pl_sub_usable(w, c, s);
		if (gone || !listed) {
			if (other)
				pl_destroy(c, s, gone ? "its path went away" : "unlisted interface",
				           ops, ctx);
			else if (soon > now)
				wake = pl_earliest(wake, soon);
		} else if (c->tune.v[MR_MK_MODE] == MR_PATH_AGGREGATE && s->initial &&
		           p->paths[s->path].backup && !s->backup) {
			/* Started on a backup path (nothing else was usable): flagged as one. */
			pl_flag(c, s, true, ops, ctx);
			s->backup = s->flagged = true; /* tried once, whatever the answer */
		}
	}
	return wake;
}

/* Joins of ours that did not come up in time are closed (their port is known from a sample:
 * only connections that are sampled) and count as a failure of their path; the earliest time
 * one is due, 0 for none. */
static double join_timeouts(const struct pl_world *w, struct pl_conn *c, double now,
                            const struct pl_ops *ops, void *ctx)
{
	double wake = 0;
	if (!pl_sample_every(c))
		return 0; /* no samples: the port of a pending join is not known */
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (!s->ours || s->live || s->closing || !s->t_create)
			continue;
		if (now < s->t_create + PL_JOIN_TIMEOUT_MS) {
			wake = pl_earliest(wake, s->t_create + PL_JOIN_TIMEOUT_MS);
			continue;
		}
		char why[64];
		snprintf(why, sizeof(why), "not established in %.0f ms", PL_JOIN_TIMEOUT_MS);
		if (pl_destroy(c, s, why, ops, ctx))
			pl_retry_fail(c, s->path, PL_FAIL_TIMEOUT, 0, now);
	}
	(void)w;
	return wake;
}

/* Paths that may not carry data now: their data-carrying subflows are flagged backup (held);
 * a held one whose path may again is given back to the mode (aggregate: re-flagged). */
static void hold_no_data(const struct pl_world *w, struct pl_conn *c, const struct pl_ops *ops,
                         void *ctx)
{
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (!s->live || s->closing || s->path < 0)
			continue;
		if (!pl_path_data_ok(c, s->path) && !s->backup) {
			if (pl_flag(c, s, true, ops, ctx))
				s->held = true;
		} else if (pl_path_data_ok(c, s->path) && s->held) {
			s->held = false;
			if (c->tune.v[MR_MK_MODE] == MR_PATH_AGGREGATE &&
			    !w->policy->paths[s->path].backup)
				pl_flag(c, s, false, ops, ctx);
		}
	}
}

/* A listed path other than `path` that may carry data and where a subflow could be made now. */
static bool other_path_usable(const struct pl_world *w, const struct pl_conn *c, int path,
                              double now)
{
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if (k != path && pl_path_data_ok(c, k) && pl_retry_allows(c, k, now) &&
		    pl_path_addr(w, k, c->family, NULL))
			return true;
	}
	return false;
}

/* Paths the connection may not use now (no_path): their subflows are flagged backup while
 * another subflow carries the data (drain_ms: no new data goes there), then reset; with no
 * other subflow and none coming, reset at once (flagged backup, the only subflow would still
 * carry everything). Returns a drain's end still to come, 0 for none. */
static double leave_no_path(const struct pl_world *w, struct pl_conn *c, double now,
                            const struct pl_ops *ops, void *ctx)
{
	double wake = 0;
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (!s->live || s->closing || s->path < 0 || !(c->no_path & (1u << s->path))) {
			s->drain_end = 0;
			continue;
		}
		s->promo = PL_PROMO_NONE; /* created backup to protect it: it stays so */
		bool other = false;
		for (int k = 0; k < c->n_sub && !other; k++) {
			const struct pl_sub *o = &c->s[k];
			other = k != i && o->live && !o->closing && o->path >= 0 &&
			        mr_paths_lists(&c->pp, o->path) && !(c->no_path & (1u << o->path));
		}
		if (!other && other_path_usable(w, c, s->path, now))
			continue; /* a subflow elsewhere is coming: this one carries until then */
		if (other && !s->drain_end && w->drain_ms > 0) {
			if (!s->backup && pl_flag(c, s, true, ops, ctx))
				s->held = true;
			s->drain_end = now + w->drain_ms;
		}
		if (other && s->drain_end && now < s->drain_end) {
			wake = pl_earliest(wake, s->drain_end);
			continue;
		}
		pl_reset(c, s, "its path is not to be used now", ops, ctx);
	}
	return wake;
}

/* The retry waits still to come on paths without a subflow, 0 for none. */
static double retries_due(const struct pl_conn *c, double now)
{
	double wake = 0;
	for (size_t i = 0; i < c->pp.list.n; i++) {
		const struct pl_retry *r = &c->retry[c->pp.list.idx[i]];
		if (r->fails && r->at > now)
			wake = pl_earliest(wake, r->at);
	}
	return wake;
}

double pl_plan(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx)
{
	if (!c->created || !c->established)
		return 0;
	if (!pl_decide(w, c, now, ops, ctx))
		return c->t_established + w->grace_ms;
	if (c->pp.origin == MR_PATHS_NONE)
		return 0;
	if (c->server) {
		for (size_t i = 0; i < c->pp.list.n; i++) {
			int k = c->pp.list.idx[i];
			if (!(c->announced & (1u << k)) && !(c->no_path & (1u << k)))
				announce(w, c, k, ops, ctx);
		}
		return pl_earliest(promote(w, c, now, ops, ctx),
		                   leave_no_path(w, c, now, ops, ctx));
	}
	/* A path without a usable address has no retry pending: made at once when it is back. */
	for (size_t i = 0; i < c->pp.list.n; i++)
		if (!pl_path_addr(w, c->pp.list.idx[i], c->family, NULL))
			pl_retry_forget(c, c->pp.list.idx[i]);
	double wake = promote(w, c, now, ops, ctx);
	wake = pl_earliest(wake, close_stale(w, c, now, ops, ctx));
	hold_no_data(w, c, ops, ctx);
	wake = pl_earliest(wake, leave_no_path(w, c, now, ops, ctx));
	switch (c->tune.v[MR_MK_MODE]) {
	case MR_PATH_HANDOVER:
		wake = pl_earliest(wake, pl_handover(w, c, now, ops, ctx));
		break;
	case MR_PATH_INTERACTIVE:
		wake = pl_earliest(wake, pl_interactive(w, c, now, ops, ctx));
		break;
	default:
		pl_aggregate(w, c, now, ops, ctx);
		break;
	}
	wake = pl_earliest(wake, join_timeouts(w, c, now, ops, ctx));
	return pl_earliest(wake, retries_due(c, now));
}
