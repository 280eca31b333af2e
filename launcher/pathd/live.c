/* SPDX-License-Identifier: MIT */
#include "pathd/live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/msg.h"
#include "pathd/clock.h"
#include "pathd/daemon.h"
#include "pathd/usage.h"
#include "pathd/state_file.h"
#include "planner/retry.h"

void pd_live_latency(struct pd_daemon *d, double ms)
{
	d->live.lat[d->live.n_lat++ % PD_LAT] = ms;
}

double pd_live_next(const struct pd_daemon *d)
{
	return d->live.dirty ? d->live.last_write + PD_STATE_MS : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Milliseconds to the microsecond, as the file has always shown them (no binary noise). */
static double to_us(double ms)
{
	return (double)(long long)(ms * 1000. + 0.5) / 1000.;
}

static void percentiles(const struct pd_daemon *d, double *p50, double *p99)
{
	const struct pd_live_view *l = &d->live;
	static double s[PD_LAT];
	size_t n = l->n_lat < PD_LAT ? l->n_lat : PD_LAT;
	*p50 = *p99 = 0;
	if (!n)
		return;
	memcpy(s, l->lat, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	*p50 = to_us(s[n / 2]);
	*p99 = to_us(s[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
}

static void endpoint(char *buf, size_t size, const struct pl_addr *a, unsigned port)
{
	char b[64];
	snprintf(buf, size, "%s:%u", pl_addr_str(a, b, sizeof(b)), port);
}

static struct pd_state_budget state_budget(const struct mr_budget *b)
{
	return (struct pd_state_budget){.bytes = b->bytes, .per = b->per, .start = b->start};
}

/* A counter's period and the next one's start, in the file's form. */
static void periods(const struct pl_count *k, struct pl_date date, char *period, char *resets)
{
	const struct mr_budget b = {.per = k->per, .start = k->start};
	struct pl_date start = pl_period_start(&b, date);
	pl_date_key(start, period);
	pl_date_key(pl_period_next(&b, start), resets);
}

/* Kinds and budgets of path i: its interfaces now, its total use in its budget's period. */
static void fill_path_budget(const struct pd_daemon *d, size_t i, struct pl_date date,
                             struct pd_state_path *sp)
{
	const struct mr_path *mp = &d->o->policy->paths[i];
	sp->kind = mr_kind_name((enum mr_kind)mp->kind);
	for (const struct pl_iface *f = NULL; (f = pl_iface_next(&d->world, (int)i, f));)
		if (sp->n_ifaces < PD_STATE_IFACES)
			snprintf(sp->ifaces[sp->n_ifaces++], sizeof(sp->ifaces[0]), "%s", f->name);
	sp->metered = mr_path_counted(d->o->policy, (int)i);
	sp->budget = state_budget(&mp->budget);
	if (!sp->metered || !d->usage.on)
		return;
	const struct mr_budget *b = mp->budget.bytes ? &mp->budget : &pl_month;
	struct pl_count *k = pl_ledger_find(&d->usage.ledger, PL_PROGRAM_ALL, (int)i, b);
	if (!k)
		return;
	sp->used = pl_count_bytes(k, date);
	sp->over = pl_count_over(k, mp->budget.bytes, date);
	periods(k, date, sp->period, sp->resets);
}

static void fill_paths(const struct pd_daemon *d, struct pl_date date, struct pd_state_path *out)
{
	const struct mr_policy *p = d->o->policy;
	for (size_t i = 0; i < p->n_paths; i++) {
		const struct pl_iface *x = pl_iface_of_path(&d->world, (int)i);
		struct pd_state_path *sp = &out[i];
		*sp = (struct pd_state_path){.name = p->paths[i].name,
		                             .dev = p->paths[i].dev,
		                             .backup = p->paths[i].backup,
		                             .up = x && x->up};
		/* A path of a kind: the addresses of all its interfaces. */
		for (; x; x = pl_iface_next(&d->world, (int)i, x))
			for (int k = 0; k < x->n_addr && sp->n_addrs < PD_STATE_ADDRS; k++)
				pl_addr_str(&x->addr[k], sp->addrs[sp->n_addrs++],
				            PD_STATE_ENDPOINT);
		for (x = NULL; (x = pl_iface_next(&d->world, (int)i, x));)
			sp->up = sp->up || x->up;
		fill_path_budget(d, i, date, sp);
	}
}

/* Each program's counters of this period; n: how many fit in out. */
static size_t fill_usage(const struct pd_daemon *d, struct pl_date date, struct pd_state_usage *out)
{
	const struct pl_ledger *l = &d->usage.ledger;
	size_t n = 0;
	for (size_t i = 0; d->usage.on && i < l->n; i++) {
		const struct pl_count *k = &l->v[i];
		if (!k->program[0] || !pl_count_bytes(k, date))
			continue;
		struct pd_state_usage *u = &out[n++];
		*u = (struct pd_state_usage){.program = k->program,
		                             .path = d->o->policy->paths[k->path].name,
		                             .bytes = pl_count_bytes(k, date)};
		/* The budget it counts against, if it is the program's own. */
		if (k->limit)
			u->budget = (struct pd_state_budget){k->limit, k->per, k->start};
		u->over = pl_count_over(k, k->limit, date);
		periods(k, date, u->period, u->resets);
	}
	return n;
}

/* The paths of c that wait for a retry, into out (room for MR_PATHS_MAX); how many. */
static size_t fill_retries(const struct pd_daemon *d, const struct pl_conn *c, double now,
                           struct pd_state_retry *out)
{
	size_t n = 0;
	for (size_t i = 0; c->decided && i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		const struct pl_retry *r = &c->retry[k];
		if (!r->fails)
			continue;
		out[n] = (struct pd_state_retry){
		    .path = d->o->policy->paths[k].name,
		    .fails = r->fails,
		    .unreachable = pl_retry_unreachable(c, k),
		    .retry_in_ms = r->at > now ? to_us(r->at - now) : 0,
		};
		pl_fail_text(r, out[n].why, sizeof(out[n].why));
		n++;
	}
	return n;
}

static size_t n_retries(const struct pl_conn *c)
{
	size_t n = 0;
	for (int k = 0; k < MR_PATHS_MAX; k++)
		n += c->retry[k].fails > 0;
	return n;
}

static void fill_conn(const struct pd_daemon *d, const struct pl_conn *c, struct pd_state_conn *sc,
                      struct pd_state_sub *subs)
{
	const struct mr_policy *p = d->o->policy;
	*sc = (struct pd_state_conn){
	    .token = c->token,
	    .server = c->server,
	    .state = c->established ? PD_CONN_ESTABLISHED
	             : c->created   ? PD_CONN_CREATED
	                            : PD_CONN_REGISTERED,
	    .pid = c->registered ? c->pid : 0,
	    .uid = c->registered ? (long long)c->uid : -1,
	    .exe = c->registered ? c->exe : "",
	    .mode = c->decided ? mr_path_mode_name((enum mr_path_mode)c->tune.v[MR_MK_MODE]) : "",
	    .subs = subs,
	    .n_subs = (size_t)c->n_sub,
	};
	endpoint(sc->local, sizeof(sc->local), &c->loc, c->lport);
	endpoint(sc->remote, sizeof(sc->remote), &c->rem, c->rport);
	if (c->decided)
		mr_format_paths(p, &c->pp.list, sc->paths, sizeof(sc->paths));
	for (int k = 0; k < c->n_sub; k++) {
		const struct pl_sub *s = &c->s[k];
		subs[k] = (struct pd_state_sub){
		    .path = s->path >= 0 ? p->paths[s->path].name : "(unlisted)",
		    .backup = s->backup,
		    .live = s->live,
		    .initial = s->initial,
		    .promoting = s->promo != PL_PROMO_NONE,
		    .rtt_ms = s->h.sampled ? (double)s->h.rtt_ms : 0,
		};
		endpoint(subs[k].local, sizeof(subs[k].local), &s->loc, s->lport);
	}
}

void pd_live_write(struct pd_daemon *d, double now, bool force)
{
	struct pd_live_view *l = &d->live;
	if (!force && (!l->dirty || now - l->last_write < PD_STATE_MS))
		return;
	l->dirty = false;
	l->last_write = now;
	if (!d->o->state_path)
		return;
	size_t n_subs = 0, n_retry = 0;
	for (size_t i = 0; i < d->conns.n; i++) {
		n_subs += (size_t)d->conns.c[i].n_sub;
		n_retry += n_retries(&d->conns.c[i]);
	}
	struct pd_state s = {
	    .pid = getpid(),
	    .config = d->o->conf_path,
	    .paths = calloc(d->o->policy->n_paths, sizeof(*s.paths)),
	    .n_paths = d->o->policy->n_paths,
	    .conns = calloc(d->conns.n ? d->conns.n : 1, sizeof(*s.conns)),
	    .n_conns = d->conns.n,
	    .usage = calloc(d->usage.ledger.n ? d->usage.ledger.n : 1, sizeof(*s.usage)),
	};
	struct pd_state_sub *subs = calloc(n_subs ? n_subs : 1, sizeof(*subs));
	struct pd_state_retry *retries = calloc(n_retry ? n_retry : 1, sizeof(*retries));
	if (!s.paths || !s.conns || !subs || !retries || !s.usage) {
		lr_warn("out of memory: %s not written", d->o->state_path);
		goto out;
	}
	struct pl_date date = pd_local_date();
	fill_paths(d, date, s.paths);
	s.n_usage = fill_usage(d, date, s.usage);
	for (size_t i = 0, k = 0, r = 0; i < d->conns.n; i++) {
		fill_conn(d, &d->conns.c[i], &s.conns[i], subs + k);
		k += (size_t)d->conns.c[i].n_sub;
		s.conns[i].retries = retries + r;
		s.conns[i].n_retries = fill_retries(d, &d->conns.c[i], now, retries + r);
		r += s.conns[i].n_retries;
	}
	unsigned long ok, refused, limited;
	pd_reg_stats(d->reg, &ok, &refused, &limited);
	s.counters = (struct pd_state_counters){
	    .connections = d->conns.n_total,
	    .subflow_create = d->pm.n_create,
	    .subflow_destroy = d->pm.n_destroy,
	    .set_flags = d->pm.n_set_flags,
	    .announce = d->pm.n_announce,
	    .errors = d->pm.n_errors,
	    .registrations = ok,
	    .refused = refused,
	    .rate_limited = limited,
	    .uid_capped = d->conns.n_capped,
	    .command_ms = to_us(d->pm.cmd_ms),
	};
	s.latency.n = l->n_lat;
	percentiles(d, &s.latency.p50, &s.latency.p99);
	int rc = pd_state_write(d->o->state_path, &s);
	if (rc < 0)
		lr_dbg("%s not written: %s", d->o->state_path, strerror(-rc));
out:
	free(retries);
	free(subs);
	free(s.conns);
	free(s.usage);
	free(s.paths);
}
