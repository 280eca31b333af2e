/* SPDX-License-Identifier: MIT */
#include "live/view.h"

#include <stdlib.h>
#include <string.h>

static const char *const sort_names[LV_SORT_N] = {"rate", "bytes", "program", "pid", "remote"};

const char *lv_sort_name(enum lv_sort s)
{
	return s < LV_SORT_N ? sort_names[s] : "?";
}

enum lv_sort lv_sort_next(enum lv_sort s)
{
	return (enum lv_sort)(((int)s + 1) % LV_SORT_N);
}

bool lv_subflow_same(const struct lv_subflow *a, const struct lv_subflow *b)
{
	return a->token == b->token && a->lport == b->lport && a->rport == b->rport &&
	       lv_addr_eq(&a->loc, &b->loc) && lv_addr_eq(&a->rem, &b->rem);
}

static const struct lv_subflow *find_sf(const struct lv_sample *s, const struct lv_subflow *f)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_sfs; i++)
		if (lv_subflow_same(&s->sfs[i], f))
			return &s->sfs[i];
	return NULL;
}

/* The entry for ifname in an interface table (added, sorted by name, when new); NULL if full. */
static struct lv_iface *iface_slot(struct lv_iface *ifs, size_t *n, const char *ifname,
                                   const char *pathname)
{
	size_t i;
	for (i = 0; i < *n; i++) {
		int c = strcmp(ifs[i].ifname, ifname);
		if (c == 0) {
			if (!ifs[i].pathname[0] && pathname[0])
				memcpy(ifs[i].pathname, pathname, LV_IFNAME);
			return &ifs[i];
		}
		if (c > 0)
			break;
	}
	if (*n == LV_MAX_IFACES)
		return NULL;
	memmove(&ifs[i + 1], &ifs[i], (*n - i) * sizeof(ifs[0]));
	(*n)++;
	memset(&ifs[i], 0, sizeof(ifs[i]));
	memcpy(ifs[i].ifname, ifname, LV_IFNAME);
	ifs[i].ifname[LV_IFNAME - 1] = '\0';
	memcpy(ifs[i].pathname, pathname, LV_IFNAME);
	ifs[i].pathname[LV_IFNAME - 1] = '\0';
	return &ifs[i];
}

static const char *ifname_of(const struct lv_subflow *f)
{
	return f->ifname[0] ? f->ifname : "?";
}

void lv_totals_update(struct lv_totals *tot, const struct lv_sample *prev,
                      const struct lv_sample *cur)
{
	if (!prev)
		return;
	for (size_t i = 0; i < prev->n_sfs; i++) {
		const struct lv_subflow *f = &prev->sfs[i];
		const struct lv_subflow *now = find_sf(cur, f);
		/* Gone, or a new socket under the same addresses (its counters restarted). */
		if (now && now->bytes_acked >= f->bytes_acked &&
		    now->bytes_received >= f->bytes_received)
			continue;
		struct lv_iface *x = iface_slot(tot->ifs, &tot->n, ifname_of(f), f->pathname);
		if (x) {
			x->tx_bytes += f->bytes_acked;
			x->rx_bytes += f->bytes_received;
		}
	}
}

/* Bytes since the previous sample: all of them for a subflow that is new (or restarted). */
static uint64_t delta(uint64_t now, const struct lv_subflow *old, uint64_t then)
{
	return old && now >= then ? now - then : now;
}

struct sort_ctx {
	const struct lv_view *v;
	enum lv_sort sort;
};

static int cmp_conn(const void *a, const void *b, void *arg)
{
	const struct sort_ctx sctx = *(const struct sort_ctx *)arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct lv_conn *x = &sctx.v->cur->conns[i], *y = &sctx.v->cur->conns[j];
	double rx = sctx.v->conn[i].tx + sctx.v->conn[i].rx;
	double ry = sctx.v->conn[j].tx + sctx.v->conn[j].rx;
	uint64_t bx = 0, by = 0;
	int c = 0;

	switch (sctx.sort) {
	case LV_SORT_RATE:
		c = rx > ry ? -1 : rx < ry ? 1 : 0;
		break;
	case LV_SORT_BYTES:
		for (size_t k = 0; k < x->n_sf; k++)
			bx += sctx.v->cur->sfs[x->first_sf + k].bytes_acked +
			      sctx.v->cur->sfs[x->first_sf + k].bytes_received;
		for (size_t k = 0; k < y->n_sf; k++)
			by += sctx.v->cur->sfs[y->first_sf + k].bytes_acked +
			      sctx.v->cur->sfs[y->first_sf + k].bytes_received;
		c = bx > by ? -1 : bx < by ? 1 : 0;
		break;
	case LV_SORT_PROGRAM:
		c = strcmp(x->prog, y->prog);
		break;
	case LV_SORT_REMOTE:
		c = x->rem.family - y->rem.family;
		if (!c)
			c = memcmp(x->rem.a, y->rem.a, 16);
		if (!c)
			c = (int)x->rport - (int)y->rport;
		break;
	case LV_SORT_PID:
	default:
		break;
	}
	if (!c)
		c = x->pid < y->pid ? -1 : x->pid > y->pid ? 1 : 0;
	if (!c)
		c = x->token < y->token ? -1 : x->token > y->token ? 1 : 0;
	return c;
}

int lv_view_build(struct lv_view *v, const struct lv_sample *prev, const struct lv_sample *cur,
                  const struct lv_totals *tot, enum lv_sort sort, const char *filter)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->cur = cur;
	v->dt = prev && cur->t > prev->t ? cur->t - prev->t : 0;
	v->sf = calloc(cur->n_sfs ? cur->n_sfs : 1, sizeof(v->sf[0]));
	v->conn = calloc(cur->n_conns ? cur->n_conns : 1, sizeof(v->conn[0]));
	v->order = calloc(cur->n_conns ? cur->n_conns : 1, sizeof(v->order[0]));
	if (!v->sf || !v->conn || !v->order) {
		lv_view_free(v);
		return -1;
	}
	if (tot) {
		memcpy(v->ifs, tot->ifs, tot->n * sizeof(tot->ifs[0]));
		v->n_ifs = tot->n;
		for (i = 0; i < v->n_ifs; i++) {
			v->ifs[i].subflows = v->ifs[i].backup = 0;
			v->ifs[i].rate.tx = v->ifs[i].rate.rx = 0;
		}
	}
	for (i = 0; i < cur->n_sfs; i++) {
		const struct lv_subflow *f = &cur->sfs[i];
		const struct lv_subflow *old = v->dt > 0 ? find_sf(prev, f) : NULL;
		if (v->dt > 0) {
			v->sf[i].tx =
			    (double)delta(f->bytes_acked, old, old ? old->bytes_acked : 0) / v->dt;
			v->sf[i].rx =
			    (double)delta(f->bytes_received, old, old ? old->bytes_received : 0) /
			    v->dt;
		}
		struct lv_iface *x = iface_slot(v->ifs, &v->n_ifs, ifname_of(f), f->pathname);
		if (!x)
			continue;
		x->subflows++;
		x->backup += f->backup;
		x->rate.tx += v->sf[i].tx;
		x->rate.rx += v->sf[i].rx;
		x->tx_bytes += f->bytes_acked;
		x->rx_bytes += f->bytes_received;
	}
	for (i = 0; i < cur->n_conns; i++) {
		const struct lv_conn *c = &cur->conns[i];
		for (size_t k = 0; k < c->n_sf; k++) {
			v->conn[i].tx += v->sf[c->first_sf + k].tx;
			v->conn[i].rx += v->sf[c->first_sf + k].rx;
		}
		if (filter && *filter && !strstr(c->prog, filter))
			continue;
		v->order[v->n_order++] = i;
	}
	struct sort_ctx ctx = {v, sort};
	if (v->n_order > 1)
		qsort_r(v->order, v->n_order, sizeof(v->order[0]), cmp_conn, &ctx);
	return 0;
}

void lv_view_free(struct lv_view *v)
{
	free(v->sf);
	free(v->conn);
	free(v->order);
	memset(v, 0, sizeof(*v));
}
