/* SPDX-License-Identifier: MIT */
#include "pathd/samples.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>

#include "os/msg.h"
#include "pathd/daemon.h"
#include "pathd/diag.h"
#include "pathd/events.h"
#include "planner/measure.h"
#include "planner/planner.h"

double pd_samples_next(const struct pd_daemon *d)
{
	return d->sample_at;
}

struct feed {
	struct pd_daemon *d;
	double now;
};

static void on_subflow(const struct pd_diag_conn *x, void *arg)
{
	struct feed *f = arg;
	struct pl_conn *c = pd_conn_find(&f->d->conns, x->token);
	if (!c || !c->sample_every)
		return;
	pl_sub_sampled(c, &x->loc, x->lport, &x->rem, x->rport, x->state == TCP_SYN_SENT, &x->tcp,
	               f->now);
}

void pd_samples_take(struct pd_daemon *d, double now)
{
	if (!d->sample_at || now < d->sample_at)
		return;
	d->sample_at = 0;
	/* The connection that asked may have closed meanwhile: no dump for nobody. */
	size_t wanted = 0;
	for (size_t i = 0; i < d->conns.n; i++)
		wanted += d->conns.c[i].sample_every > 0;
	if (!wanted)
		return;
	struct feed f = {d, now};
	if (pd_diag_dump(true, on_subflow, &f) < 0 && !d->sample_warned) {
		lr_warn("sock_diag: %s: subflows not measured (handover and interactive modes "
		        "see only link changes)",
		        strerror(errno));
		d->sample_warned = true;
	}
	d->n_samples++;
	unsigned long ops = d->pm.n_create + d->pm.n_destroy + d->pm.n_set_flags + d->pm.n_errors;
	/* Planned by index: planning never adds or removes a connection. */
	for (size_t i = 0; i < d->conns.n; i++)
		if (d->conns.c[i].sample_every)
			pd_plan(d, &d->conns.c[i], now);
	/* The state file is written again only when the samples changed something. */
	if (d->pm.n_create + d->pm.n_destroy + d->pm.n_set_flags + d->pm.n_errors != ops)
		d->live.dirty = true;
}
