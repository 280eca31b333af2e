/* SPDX-License-Identifier: MIT */
#include "pathd/wake.h"

#include <stdlib.h>

bool pd_wakes_init(struct pd_wakes *w)
{
	w->n = 0;
	w->h = calloc(PD_WAKES, sizeof(*w->h));
	return w->h != NULL;
}

void pd_wakes_free(struct pd_wakes *w)
{
	free(w->h);
	w->h = NULL;
	w->n = 0;
}

static void swap(struct pd_wake_entry *a, struct pd_wake_entry *b)
{
	struct pd_wake_entry x = *a;
	*a = *b;
	*b = x;
}

static void push(struct pd_wakes *w, double t, uint32_t token)
{
	size_t i = w->n++;
	w->h[i] = (struct pd_wake_entry){t, token};
	while (i && w->h[(i - 1) / 2].t > w->h[i].t) {
		swap(&w->h[(i - 1) / 2], &w->h[i]);
		i = (i - 1) / 2;
	}
}

static void pop_top(struct pd_wakes *w)
{
	size_t i = 0;
	w->h[0] = w->h[--w->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->n && w->h[l].t < w->h[m].t)
			m = l;
		if (r < w->n && w->h[r].t < w->h[m].t)
			m = r;
		if (m == i)
			return;
		swap(&w->h[i], &w->h[m]);
		i = m;
	}
}

void pd_wake_at(struct pd_wakes *w, struct pd_conns *t, struct pl_conn *c, double t_at, double now)
{
	if (!t_at || (c->wake_at > now && c->wake_at <= t_at))
		return; /* nothing to do, or an earlier wake-up is pending: it will plan again */
	c->wake_at = t_at;
	if (w->n == PD_WAKES) {
		/* Only superseded entries fill it beyond one per connection: start afresh. */
		w->n = 0;
		for (size_t i = 0; i < t->n; i++)
			if (t->c[i].wake_at)
				push(w, t->c[i].wake_at, t->c[i].token);
		return;
	}
	push(w, t_at, c->token);
}

double pd_wake_next(const struct pd_wakes *w)
{
	return w->n ? w->h[0].t : 0;
}

struct pl_conn *pd_wake_pop(struct pd_wakes *w, struct pd_conns *t, double now)
{
	while (w->n && w->h[0].t <= now) {
		struct pd_wake_entry e = w->h[0];
		pop_top(w);
		struct pl_conn *c = pd_conn_find(t, e.token);
		if (c && c->wake_at == e.t) {
			c->wake_at = 0;
			return c;
		}
	}
	return NULL;
}
