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
static bool decide(const struct pl_world *w, struct pl_conn *c, double now,
                   const struct pl_ops *ops, void *ctx)
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
	c->decided = true;
	if (ops->debug) {
		char buf[256];
		mr_format_paths(w->policy, &c->pp.list, buf, sizeof(buf));
		say(ops, ctx, "token %08x (%s%s): paths %s", c->token,
		    c->registered ? c->exe : "unregistered", c->server ? ", server" : "", buf);
	}
	return true;
}

static bool has_sub_on(const struct pl_conn *c, int path)
{
	for (int i = 0; i < c->n_sub; i++)
		if (c->s[i].path == path && !c->s[i].closing)
			return true;
	return false;
}

static void create(const struct pl_world *w, struct pl_conn *c, int path, const struct pl_ops *ops,
                   void *ctx)
{
	int ifindex = 0;
	const struct pl_addr *a = pl_path_addr(w, path, c->family, &ifindex);
	if (!a || c->n_sub >= PL_SUBS)
		return;
	bool path_backup = w->policy->paths[path].backup;
	/* A protected join carries no data until the receiver has surely finished it. */
	bool protect = c->prot.on && !path_backup;
	bool backup = path_backup || protect;
	if (ops->subflow_create(ctx, c, path, a, ifindex, backup) < 0) {
		c->failed |= 1u << path;
		return;
	}
	struct pl_sub *s = pl_sub_add(w, c, a, 0, &c->rem, c->rport); /* room checked above */
	s->path = path;
	s->ours = true;
	s->backup = backup;
	s->flagged = true;
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
		const struct pl_addr *a = pl_path_addr(w, s->path, c->family, NULL);
		if (!mr_paths_lists(&c->pp, s->path) || !a || !pl_addr_eq(a, &s->loc))
			continue; /* to be closed instead */
		if (ops->set_backup(ctx, c, s, false) == 0) {
			s->backup = false;
			say(ops, ctx, "token %08x: subflow on %s from port %u promoted to active",
			    c->token, w->policy->paths[s->path].name, s->lport);
		}
	}
	return wake;
}

double pl_plan(const struct pl_world *w, struct pl_conn *c, double now, const struct pl_ops *ops,
               void *ctx)
{
	const struct mr_policy *p = w->policy;
	if (!c->created || !c->established)
		return 0;
	if (!decide(w, c, now, ops, ctx))
		return c->t_established + w->grace_ms;
	if (c->pp.origin == MR_PATHS_NONE)
		return 0;
	if (c->server) {
		for (size_t i = 0; i < c->pp.list.n; i++) {
			int k = c->pp.list.idx[i];
			if (!(c->announced & (1u << k)))
				announce(w, c, k, ops, ctx);
		}
		return promote(w, c, now, ops, ctx);
	}
	double wake = promote(w, c, now, ops, ctx);
	/* A listed subflow that carries data: established and not waiting for its promotion. */
	bool listed_live = false;
	for (int i = 0; i < c->n_sub; i++)
		if (c->s[i].live && !c->s[i].closing && c->s[i].promo == PL_PROMO_NONE &&
		    mr_paths_lists(&c->pp, c->s[i].path))
			listed_live = true;
	/* Subflows to close: unlisted, or their path lost its interface or address. */
	for (int i = 0; i < c->n_sub; i++) {
		struct pl_sub *s = &c->s[i];
		if (s->closing || !s->live)
			continue;
		bool listed = mr_paths_lists(&c->pp, s->path);
		const struct pl_addr *a =
		    s->path >= 0 ? pl_path_addr(w, s->path, c->family, NULL) : NULL;
		bool gone = listed && (!a || !pl_addr_eq(a, &s->loc));
		if (gone && c->n_sub > 1)
			destroy(c, s, "its path went away", ops, ctx);
		else if (!listed && listed_live)
			destroy(c, s, "unlisted interface", ops, ctx);
		else if (listed && s->initial && p->paths[s->path].backup && !s->backup) {
			/* Started on a backup path (nothing else was usable): flagged as one. */
			ops->set_backup(ctx, c, s, true);
			s->backup = s->flagged = true; /* tried once, whatever the answer */
		}
	}
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if (!has_sub_on(c, k) && !(c->failed & (1u << k)))
			create(w, c, k, ops, ctx);
	}
	return wake;
}

void pl_retry(struct pl_conn *c)
{
	c->failed = 0;
}
