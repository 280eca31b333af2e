/* SPDX-License-Identifier: MIT */
#include "planner/act.h"

#include <stdarg.h>
#include <stdio.h>

#include "planner/retry.h"

static void line(void (*out)(void *, const char *), void *ctx, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	out(ctx, buf);
}

void pl_say(const struct pl_ops *ops, void *ctx, const char *fmt, ...)
{
	va_list ap;
	if (!ops->debug)
		return;
	va_start(ap, fmt);
	line(ops->debug, ctx, fmt, ap);
	va_end(ap);
}

void pl_note(const struct pl_ops *ops, void *ctx, const char *fmt, ...)
{
	va_list ap;
	if (!ops->info)
		return;
	va_start(ap, fmt);
	line(ops->info, ctx, fmt, ap);
	va_end(ap);
}

const char *pl_path_name(const struct pl_world *w, int path)
{
	return path >= 0 && (size_t)path < w->policy->n_paths ? w->policy->paths[path].name
	                                                      : "(unlisted)";
}

const struct pl_iface *pl_free_iface(const struct pl_world *w, const struct pl_conn *c, int path)
{
	for (const struct pl_iface *f = NULL; (f = pl_iface_next(w, path, f));) {
		const struct pl_addr *a = pl_iface_addr(f, c->family);
		bool taken = false;
		for (int i = 0; a && i < c->n_sub && !taken; i++) {
			const struct pl_sub *s = &c->s[i];
			taken = s->path == path && !s->closing &&
			        (s->ifindex == f->ifindex || pl_addr_eq(&s->loc, a));
		}
		if (a && !taken)
			return f;
	}
	return NULL;
}

struct pl_sub *pl_create(const struct pl_world *w, struct pl_conn *c, int path, bool backup,
                         bool promote, double now, const struct pl_ops *ops, void *ctx)
{
	const struct pl_iface *f = pl_free_iface(w, c, path);
	if (!f || c->n_sub >= PL_SUBS || (c->no_path & (1u << path)))
		return NULL;
	int ifindex = f->ifindex;
	const struct pl_addr *a = pl_iface_addr(f, c->family);
	struct pl_retry *r = &c->retry[path];
	if (r->fails) {
		char why[96];
		r->tries++;
		pl_note(ops, ctx, "token %08x: subflow on %s again (retry %u, after %.0f s): %s",
		        c->token, pl_path_name(w, path), r->tries,
		        pl_retry_delay_ms(r->fails) / 1000., pl_fail_text(r, why, sizeof(why)));
	}
	int rc = ops->subflow_create(ctx, c, path, a, ifindex, backup);
	if (rc < 0) {
		pl_retry_fail(c, path, PL_FAIL_REFUSED, rc, now);
		return NULL;
	}
	struct pl_sub *s = pl_sub_add(w, c, a, 0, &c->rem, c->rport); /* room checked above */
	s->path = path;
	s->ifindex = ifindex;
	s->ours = true;
	s->backup = backup;
	s->flagged = true;
	s->t_create = now;
	if (promote)
		s->promo = PL_PROMO_AWAIT_ESTABLISHED;
	return s;
}

bool pl_destroy(struct pl_conn *c, struct pl_sub *s, const char *why, const struct pl_ops *ops,
                void *ctx)
{
	if (s->closing || !s->lport)
		return false; /* its local port comes with SUB_ESTABLISHED (or a sample) */
	ops->subflow_destroy(ctx, c, s, why);
	s->closing = true; /* tried once, whatever the answer */
	return true;
}

bool pl_reset(struct pl_conn *c, struct pl_sub *s, const char *why, const struct pl_ops *ops,
              void *ctx)
{
	if (s->closing || !s->lport)
		return false;
	if (ops->subflow_reset)
		ops->subflow_reset(ctx, c, s, why);
	else
		ops->subflow_destroy(ctx, c, s, why);
	s->closing = true; /* tried once, whatever the answer */
	return true;
}

bool pl_flag(struct pl_conn *c, struct pl_sub *s, bool backup, const struct pl_ops *ops, void *ctx)
{
	if (ops->set_backup(ctx, c, s, backup) < 0)
		return false;
	s->backup = backup;
	s->flagged = true;
	return true;
}

bool pl_sub_usable(const struct pl_world *w, const struct pl_conn *c, const struct pl_sub *s)
{
	return mr_paths_lists(&c->pp, s->path) && pl_path_has_addr(w, s->path, &s->loc);
}

double pl_sub_ready_at(const struct pl_conn *c, const struct pl_sub *s, double now)
{
	if (!c->prot.on || s->initial || now >= s->t_live + c->prot.promote_ms)
		return now;
	return s->t_live + c->prot.promote_ms;
}

bool pl_sub_carrier(const struct pl_world *w, const struct pl_conn *c, const struct pl_sub *s,
                    double now)
{
	return s->live && !s->closing && !s->bad && s->promo == PL_PROMO_NONE &&
	       pl_sub_usable(w, c, s) && pl_sub_ready_at(c, s, now) <= now;
}

bool pl_path_data_ok(const struct pl_conn *c, int path)
{
	return path >= 0 && path < MR_PATHS_MAX && !((c->no_data | c->no_path) & (1u << path));
}

double pl_earliest(double a, double b)
{
	return !a || (b && b < a) ? b : a;
}
