/* SPDX-License-Identifier: MIT */
#include "planner/planner.h"

#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static void say(const struct pl_ops *ops, void *ctx,
                                                      const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!ops->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ops->debug(ctx, line);
}

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
		say(ops, ctx, "token %08x (%s%s): paths %s", c->token,
		    c->registered ? c->exe : "unregistered", c->server ? ", server" : "", buf);
	}
	return true;
}

/* Whether c has a subflow (not being closed) on path from interface f's address a: one per
 * interface of a path (a path of a kind may have several). */
static bool has_sub_from(const struct pl_conn *c, int path, const struct pl_iface *f,
                         const struct pl_addr *a)
{
	for (int i = 0; i < c->n_sub; i++) {
		const struct pl_sub *s = &c->s[i];
		if (s->path == path && !s->closing &&
		    (s->ifindex == f->ifindex || pl_addr_eq(&s->loc, a)))
			return true;
	}
	return false;
}

/* The backup flag a subflow on path gets under use u (the config's for PL_USE_ANY). */
static bool use_backup(const struct pl_world *w, int path, uint8_t u)
{
	return u == PL_USE_BACKUP || (u == PL_USE_ANY && w->policy->paths[path].backup);
}

static void create(const struct pl_world *w, struct pl_conn *c, int path, const struct pl_iface *f,
                   const struct pl_addr *a, const struct pl_ops *ops, void *ctx)
{
	if (c->n_sub >= PL_SUBS)
		return;
	uint8_t u = c->use[path];
	bool path_backup = use_backup(w, path, u);
	/* A protected join carries no data until the receiver has surely finished it. */
	bool protect = c->prot.on && !path_backup;
	bool backup = path_backup || protect;
	if (ops->subflow_create(ctx, c, path, a, f->ifindex, backup) < 0) {
		c->failed |= 1u << path;
		return;
	}
	struct pl_sub *s = pl_sub_add(w, c, a, 0, &c->rem, c->rport); /* room checked above */
	s->path = path;
	s->ifindex = f->ifindex;
	s->ours = true;
	s->backup = backup;
	s->flagged = true;
	s->forced = u == PL_USE_BACKUP || u == PL_USE_ACTIVE ? u : 0;
	if (protect)
		s->promo = PL_PROMO_AWAIT_ESTABLISHED;
}

static void destroy(struct pl_conn *c, struct pl_sub *s, const char *why, const struct pl_ops *ops,
                    void *ctx)
{
	if (s->closing || !s->lport)
		return; /* its local port comes with SUB_ESTABLISHED */
	ops->subflow_destroy(ctx, c, s, why);
	s->closing = true; /* tried once, whatever the answer */
}

/* Closes s at once, what it holds unsent dropped (subflow_reset), or with a FIN without it. */
static void reset(struct pl_conn *c, struct pl_sub *s, const char *why, const struct pl_ops *ops,
                  void *ctx)
{
	if (s->closing || !s->lport)
		return;
	if (ops->subflow_reset)
		ops->subflow_reset(ctx, c, s, why);
	else
		ops->subflow_destroy(ctx, c, s, why);
	s->closing = true; /* tried once, whatever the answer */
}

static void announce(const struct pl_world *w, struct pl_conn *c, int path,
                     const struct pl_ops *ops, void *ctx)
{
	const struct pl_addr *a = pl_path_addr(w, path, c->family, NULL);
	if (!a || pl_addr_eq(a, &c->loc))
		return;
	/* Protected: the peer is asked (the address's backup flag, B in the MP_JOIN SYN/ACK) to
	 * put no data on a join to it until this end has finished the join and says so. */
	ops->announce(ctx, c, path, a, c->prot.on);
	c->announced |= 1u << path;
}

static double earliest(double a, double b)
{
	return !a || (b && b < a) ? b : a;
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
		if (now < s->promote_at) {
			wake = earliest(wake, s->promote_at);
			continue;
		}
		s->promo =
		    PL_PROMO_NONE; /* tried once: a refusal leaves it backup, which is safe */
		if (!mr_paths_lists(&c->pp, s->path) || !pl_path_has_addr(w, s->path, &s->loc))
			continue; /* to be closed instead */
		if (c->use[s->path] >= PL_USE_BACKUP) {
			s->forced =
			    PL_USE_BACKUP; /* its path carries no data now: it stays backup */
			continue;
		}
		if (ops->set_backup(ctx, c, s, false) == 0) {
			s->backup = false;
			say(ops, ctx, "token %08x: subflow on %s from port %u promoted to active",
			    c->token, w->policy->paths[s->path].name, s->lport);
		}
	}
	return wake;
}

/* Another subflow of c than s that can carry data (live, listed, its path not PL_USE_NONE). */
static bool other_carrier(const struct pl_conn *c, const struct pl_sub *s)
{
	for (int i = 0; i < c->n_sub; i++) {
		const struct pl_sub *o = &c->s[i];
		if (o != s && o->live && !o->closing && mr_paths_lists(&c->pp, o->path) &&
		    c->use[o->path] != PL_USE_NONE)
			return true;
	}
	return false;
}

/* A listed path other than `path` that may carry data and where a subflow could be made. */
static bool other_path_usable(const struct pl_world *w, const struct pl_conn *c, int path)
{
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if (k != path && c->use[k] != PL_USE_NONE && !(c->failed & (1u << k)) &&
		    pl_path_addr(w, k, c->family, NULL))
			return true;
	}
	return false;
}

/*
 * Subflow s on a listed path under its use: flagged backup or active when the use says so,
 * back to the config's flag when it no longer does; with PL_USE_NONE drained first (flagged
 * backup while another subflow carries the data, drain_ms) and then closed. Returns whether
 * the use decided (the config's rules then do not apply); *wake: a drain's end.
 */
static bool apply_use(const struct pl_world *w, struct pl_conn *c, struct pl_sub *s, double now,
                      double *wake, const struct pl_ops *ops, void *ctx)
{
	uint8_t u = c->use[s->path];
	if (s->promo != PL_PROMO_NONE && u != PL_USE_NONE)
		return u != PL_USE_ANY; /* promote() decides, under the use */
	if (u == PL_USE_NONE) {
		s->promo = PL_PROMO_NONE; /* created backup to protect it: it carries nothing */
		bool other = other_carrier(c, s);
		if (!other && other_path_usable(w, c, s->path))
			return true; /* a subflow elsewhere is coming: this one carries until then
			              */
		if (other && !s->drain_end && w->drain_ms > 0) {
			if (!s->backup) {
				ops->set_backup(ctx, c, s, true);
				s->backup = s->flagged = true; /* tried once, whatever the answer */
				s->forced = PL_USE_BACKUP;
			}
			s->drain_end = now + w->drain_ms;
		}
		if (other && s->drain_end && now < s->drain_end) {
			*wake = earliest(*wake, s->drain_end);
			return true;
		}
		reset(c, s, "its path is not to be used now", ops, ctx);
		return true;
	}
	s->drain_end = 0;
	bool want;
	if (u == PL_USE_BACKUP || u == PL_USE_ACTIVE)
		want = u == PL_USE_BACKUP;
	else if (s->forced)
		want = w->policy->paths[s->path].backup; /* the use is over: the config's flag */
	else
		return false;
	if (s->backup != want) {
		ops->set_backup(ctx, c, s, want);
		s->flagged = true; /* tried once, whatever the answer */
		s->backup = want;
		say(ops, ctx, "token %08x: subflow on %s from port %u flagged %s", c->token,
		    w->policy->paths[s->path].name, s->lport, want ? "backup" : "active");
	}
	s->forced = u == PL_USE_ANY ? 0 : u;
	return true;
}

double pl_plan(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx)
{
	const struct mr_policy *p = w->policy;
	if (!c->created || !c->established)
		return 0;
	if (!pl_decide(w, c, now, ops, ctx))
		return c->t_established + w->grace_ms;
	if (c->pp.origin == MR_PATHS_NONE)
		return 0;
	if (c->server) {
		for (size_t i = 0; i < c->pp.list.n; i++) {
			int k = c->pp.list.idx[i];
			if (!(c->announced & (1u << k)) && c->use[k] != PL_USE_NONE)
				announce(w, c, k, ops, ctx);
		}
		double wake = promote(w, c, now, ops, ctx);
		for (int i = 0; i < c->n_sub; i++) {
			struct pl_sub *s = &c->s[i];
			if (s->live && !s->closing && mr_paths_lists(&c->pp, s->path))
				apply_use(w, c, s, now, &wake, ops, ctx);
		}
		return wake;
	}
	double wake = promote(w, c, now, ops, ctx);
	/* A listed subflow that carries data: established and not waiting for its promotion. */
	bool listed_live = false;
	for (int i = 0; i < c->n_sub; i++)
		if (c->s[i].live && !c->s[i].closing && c->s[i].promo == PL_PROMO_NONE &&
		    mr_paths_lists(&c->pp, c->s[i].path) && c->use[c->s[i].path] != PL_USE_NONE)
			listed_live = true;
	/* Subflows to close: unlisted, or their path lost its interface or address. */
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (s->closing || !s->live)
			continue;
		bool listed = mr_paths_lists(&c->pp, s->path);
		bool gone = listed && !pl_path_has_addr(w, s->path, &s->loc);
		if (gone && c->n_sub > 1)
			destroy(c, s, "its path went away", ops, ctx);
		else if (!listed && listed_live)
			destroy(c, s, "unlisted interface", ops, ctx);
		else if (listed && apply_use(w, c, s, now, &wake, ops, ctx))
			continue;
		else if (listed && s->initial && p->paths[s->path].backup && !s->backup) {
			/* Started on a backup path (nothing else was usable): flagged as one. */
			ops->set_backup(ctx, c, s, true);
			s->backup = s->flagged = true; /* tried once, whatever the answer */
		}
	}
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if ((c->failed & (1u << k)) || c->use[k] == PL_USE_NONE)
			continue;
		for (const struct pl_iface *f = NULL; (f = pl_iface_next(w, k, f));) {
			const struct pl_addr *a = pl_iface_addr(f, c->family);
			if (a && !has_sub_from(c, k, f, a) && !(c->failed & (1u << k)))
				create(w, c, k, f, a, ops, ctx);
		}
	}
	return wake;
}

void pl_retry(struct pl_conn *c)
{
	c->failed = 0;
}
