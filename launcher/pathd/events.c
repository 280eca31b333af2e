/* SPDX-License-Identifier: MIT */
#include "pathd/events.h"

#include <linux/mptcp.h>
#include <string.h>

#include "os/msg.h"
#include "pathd/clock.h"
#include "pathd/daemon.h"
#include "pathd/usage.h"
#include "pathd/ifaces.h"
#include "pathd/live.h"
#include "pathd/protection.h"
#include "planner/measure.h"
#include "planner/retry.h"
#include "planner/planner.h"

static double earliest(double a, double b)
{
	return !a || (b && b < a) ? b : a;
}

void pd_plan(struct pd_daemon *d, struct pl_conn *c, double now)
{
	c->prot = pd_protection_for(c, d->o->promote_ms);
	/* The paths it may not use, or not for data, now: its budgets. They depend on the owner:
	 * decided first. */
	c->no_data = c->no_path = 0;
	if (c->created && c->established)
		pl_decide(&d->world, c, now, pd_pm_ops(), &d->pm);
	pd_usage_sample(d, c, now); /* counts first: a budget just spent applies now */
	pd_usage_uses(d, c);
	double t = pl_plan(&d->world, c, now, pd_pm_ops(), &d->pm);
	/* Subflows it may just have made are sampled from their first interval on. */
	t = earliest(t, pd_usage_sample(d, c, now));
	pd_wake_at(&d->wakes, &d->conns, c, t, now);
	/* Its next measurement (pathd/samples.h), if it wants them. */
	if ((c->sample_every = pl_sample_every(c))) {
		double at = now + c->sample_every;
		if (!d->sample_at || at < d->sample_at)
			d->sample_at = at;
	}
	/* Waiting for its registration: the channels are read by then (pathd/reg.h). */
	if (c->established && !c->decided)
		pd_reg_expect(d->reg, c->t_established + d->o->grace_ms);
}

void pd_plan_all(struct pd_daemon *d, double now)
{
	for (size_t i = 0; i < d->conns.n; i++)
		pd_plan(d, &d->conns.c[i], now);
}

void pd_on_event(const struct pd_event *e, void *arg)
{
	struct pd_daemon *d = arg;
	double now = pd_now_ms();
	struct pl_conn *c;
	struct pl_sub *s;
	switch (e->type) {
	case MPTCP_EVENT_CREATED:
	case MPTCP_EVENT_ESTABLISHED:
		if (!(c = pd_conn_get(&d->conns, e->token, now)))
			return;
		pl_conn_seen(&d->world, c, e->type == MPTCP_EVENT_ESTABLISHED, e->family, &e->saddr,
		             e->sport, &e->daddr, e->dport, e->server_side, now);
		break;
	case MPTCP_EVENT_CLOSED:
		if ((c = pd_conn_find(&d->conns, e->token))) {
			pd_usage_last(d, c, NULL, now); /* what its subflows carried last */
			pd_conn_drop(&d->conns, c);
		}
		d->live.dirty = true;
		return;
	case MPTCP_EVENT_SUB_ESTABLISHED:
		if (!(c = pd_conn_find(&d->conns, e->token)))
			return;
		s = pl_sub_established(&d->world, c, &e->saddr, e->sport, &e->daddr, e->dport,
		                       e->backup, now);
		if (s && s->ours && !c->t_first_sub) {
			c->t_first_sub = now;
			/* Only registered owners: the others wait grace_ms on purpose. */
			if (c->t_established && c->registered)
				pd_live_latency(d, now - c->t_established);
		}
		break;
	case MPTCP_EVENT_SUB_CLOSED:
		if (!(c = pd_conn_find(&d->conns, e->token)))
			return;
		/* Its last bytes, while the socket is still there (FIN_WAIT after a destroy). */
		if ((s = pl_sub_find(c, &e->saddr, e->sport, &e->daddr, e->dport)))
			pd_usage_last(d, c, s, now);
		pl_sub_closed(c, &e->saddr, e->sport, &e->daddr, e->dport, e->error, now);
		break;
	case MPTCP_EVENT_SUB_PRIORITY:
		if ((c = pd_conn_find(&d->conns, e->token)))
			pl_sub_priority(c, &e->saddr, e->sport, &e->daddr, e->dport, e->backup);
		d->live.dirty = true;
		return;
	default:
		return;
	}
	d->live.dirty = true;
	pd_plan(d, c, now);
}

void pd_on_link(const struct pd_link_ev *e, void *arg)
{
	struct pd_daemon *d = arg;
	pd_ifaces_apply(&d->ifs, e, d->kinds);
	d->live.dirty = true;
}

void pd_on_registration(const struct pd_registration *r, void *arg)
{
	struct pd_daemon *d = arg;
	double now = pd_now_ms();
	struct pl_conn *c = pd_conns_register(&d->conns, r->token, r->pid, r->uid, r->exe, now);
	if (!c) {
		lr_dbg(
		    "token %08x: uid %u holds %d registered connections already, or the table is "
		    "full: ignored",
		    r->token, (unsigned)r->uid, PD_UID_CAP);
		return;
	}
	lr_dbg("token %08x registered by pid %d uid %u (%s)", r->token, (int)r->pid,
	       (unsigned)r->uid, r->exe[0] ? r->exe : "exe unreadable");
	d->live.dirty = true;
	if (!c->created) /* its CREATED has not come (yet): forgotten if it never does */
		pd_wake_at(&d->wakes, &d->conns, c, c->t_seen + PD_ORPHAN_MS, now);
	pd_plan(d, c, now);
}

void pd_on_wakeups(struct pd_daemon *d, double now)
{
	struct pl_conn *c;
	while ((c = pd_wake_pop(&d->wakes, &d->conns, now))) {
		if (c->created) {
			pd_plan(d, c, now);
		} else if (now - c->t_seen >= PD_ORPHAN_MS) {
			pd_conn_drop(&d->conns, c);
			d->live.dirty = true;
		} else {
			pd_wake_at(&d->wakes, &d->conns, c, c->t_seen + PD_ORPHAN_MS, now);
		}
	}
}
