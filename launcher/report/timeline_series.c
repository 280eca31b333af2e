/* SPDX-License-Identifier: MIT */
/*
 * From the samples of a timeline to one set of series per connection:
 * each sample is cut down to the connection, then fed to live/view.h as
 * `top` would (totals across closed subflows, rates between samples), so
 * the figure and the live screen agree on every number.
 */
#include "report/timeline.h"

#include "live/timeline.h"
#include "live/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(struct lr_tl_series *s, size_t cap, double t, double v)
{
	if (!s->t) {
		s->t = calloc(cap, sizeof(double));
		s->v = calloc(cap, sizeof(double));
		if (!s->t || !s->v)
			return -1;
	}
	if (s->n < cap) {
		s->t[s->n] = t;
		s->v[s->n++] = v;
	}
	return 0;
}

/* The series of this label in arr (added when new); NULL when full. */
static struct lr_tl_series *series(struct lr_tl_series *arr, size_t *n, const char *label,
                                   const char *ifname)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(arr[i].label, label) == 0)
			return &arr[i];
	if (*n == LR_TL_SERIES)
		return NULL;
	struct lr_tl_series *s = &arr[(*n)++];
	memset(s, 0, sizeof(*s));
	snprintf(s->label, sizeof(s->label), "%s", label);
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	return s;
}

/* A copy of src holding only the connection token. */
static int only(const struct lv_sample *src, uint32_t token, struct lv_sample *dst)
{
	lv_sample_clear(dst);
	dst->t = src->t;
	dst->wall = src->wall;
	const struct lv_conn *c = lv_sample_find(src, token);
	if (!c)
		return 0;
	struct lv_conn *k = lv_sample_add_conn(dst);
	if (!k)
		return -1;
	*k = *c;
	for (size_t i = 0; i < c->n_sf; i++) {
		struct lv_subflow *f = lv_sample_add_subflow(dst);
		if (!f)
			return -1;
		*f = src->sfs[c->first_sf + i];
	}
	lv_sample_link(dst);
	return 1;
}

static void describe(const struct lr_tl *tl, struct lr_tl_conn *out, const struct lv_conn *c)
{
	char l[80], r[80];
	lv_endpoint_str(&c->loc, c->lport, l, sizeof(l));
	lv_endpoint_str(&c->rem, c->rport, r, sizeof(r));
	snprintf(out->title, sizeof(out->title), "%s%s%d%s %s -> %s (token %08x)%s",
	         c->prog[0] ? c->prog : "?", c->pid ? "[" : "", c->pid, c->pid ? "]" : "", l, r,
	         c->token, c->fallback ? ", fell back to TCP" : "");
	/* The close, from the events about this connection. */
	char hex[16];
	snprintf(hex, sizeof(hex), "%08x", c->token);
	size_t len = 0;
	out->close[0] = '\0';
	for (size_t i = 0; i < tl->n_ev; i++) {
		const struct lr_tl_event *e = &tl->ev[i];
		bool mine = strstr(e->text, hex) != NULL;
		if (!mine || (strcmp(e->what, LV_EV_DATA_FIN) != 0 &&
		              strcmp(e->what, LV_EV_CONN_CLOSED) != 0))
			continue;
		int w = snprintf(out->close + len, sizeof(out->close) - len, "%s%.2f s: %s",
		                 len ? "; " : "", e->t, e->text);
		if (w > 0 && (size_t)w < sizeof(out->close) - len)
			len += (size_t)w;
	}
}

static int one_conn(const struct lr_tl *tl, uint32_t token, struct lr_tl_conn *out)
{
	struct lv_sample a, b, *prev = &a, *cur = &b;
	struct lv_totals tot;
	bool have_prev = false;
	size_t cap = tl->n_samples;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&tot, 0, sizeof(tot));
	out->token = token;
	lv_sample_init(&a);
	lv_sample_init(&b);
	for (size_t i = 0; i < tl->n_samples && rc == 0; i++) {
		int has = only(&tl->samples[i], token, cur);
		if (has < 0) {
			rc = -1;
			break;
		}
		/* Before it exists, nothing; after it is gone, its totals stay one more sample. */
		if (!has && !have_prev)
			continue;
		if (has && !out->title[0])
			describe(tl, out, &cur->conns[0]);
		if (have_prev)
			lv_totals_update(&tot, prev, cur);
		struct lv_view v;
		if (lv_view_build(&v, have_prev ? prev : NULL, cur, &tot, LV_SORT_PID, NULL) < 0) {
			rc = -1;
			break;
		}
		uint64_t all = 0;
		for (size_t k = 0; k < v.n_ifs && rc == 0; k++) {
			const struct lv_iface *x = &v.ifs[k];
			char label[96];
			snprintf(label, sizeof(label), "%s%s%s%s", x->ifname,
			         x->pathname[0] ? " (" : "", x->pathname,
			         x->pathname[0] ? ")" : "");
			struct lr_tl_series *sb =
			    series(out->bytes_if, &out->n_if, label, x->ifname);
			/* The rate series of an interface sits at the same index as its bytes. */
			struct lr_tl_series *sr = sb ? &out->rate_if[sb - out->bytes_if] : NULL;
			if (sr && !sr->label[0]) {
				memcpy(sr->label, sb->label, sizeof(sr->label));
				memcpy(sr->ifname, sb->ifname, sizeof(sr->ifname));
			}
			all += x->tx_bytes + x->rx_bytes;
			if (sb && push(sb, cap, cur->t, (double)(x->tx_bytes + x->rx_bytes)) < 0)
				rc = -1;
			if (sr && has && v.dt > 0 &&
			    push(sr, cap, cur->t, (x->rate.tx + x->rate.rx) * 8) < 0)
				rc = -1;
		}
		out->bytes = all;
		for (size_t k = 0; k < cur->n_sfs && rc == 0; k++) {
			const struct lv_subflow *f = &cur->sfs[k];
			char label[96], ep[80];
			snprintf(label, sizeof(label), "%s %s%s", f->ifname[0] ? f->ifname : "?",
			         lv_endpoint_str(&f->loc, f->lport, ep, sizeof(ep)),
			         f->backup ? " backup" : "");
			struct lr_tl_series *s = series(out->rtt_sf, &out->n_sf, label, f->ifname);
			if (s && f->rtt_us && push(s, cap, cur->t, f->rtt_us / 1000.0) < 0)
				rc = -1;
		}
		lv_view_free(&v);
		struct lv_sample *sw = prev;
		prev = cur;
		cur = sw;
		have_prev = has;
		if (!has)
			break;
	}
	lv_sample_free(&a);
	lv_sample_free(&b);
	return rc;
}

static int by_bytes(const void *x, const void *y)
{
	const struct lr_tl_conn *a = x, *b = y;
	return a->bytes < b->bytes ? 1 : a->bytes > b->bytes ? -1 : 0;
}

int lr_tl_conns(const struct lr_tl *tl, struct lr_tl_conn **out, size_t *n, size_t *total)
{
	uint32_t tokens[256];
	size_t nt = 0;

	for (size_t i = 0; i < tl->n_samples; i++)
		for (size_t k = 0; k < tl->samples[i].n_conns; k++) {
			uint32_t t = tl->samples[i].conns[k].token;
			size_t j;
			for (j = 0; j < nt && tokens[j] != t; j++)
				;
			if (j == nt && nt < sizeof(tokens) / sizeof(tokens[0]))
				tokens[nt++] = t;
		}
	*total = nt;
	*n = 0;
	*out = calloc(nt ? nt : 1, sizeof(**out));
	if (!*out)
		return -1;
	for (size_t i = 0; i < nt; i++) {
		if (one_conn(tl, tokens[i], &(*out)[i]) < 0) {
			lr_tl_conns_free(*out, nt);
			*out = NULL;
			return -1;
		}
	}
	qsort(*out, nt, sizeof(**out), by_bytes);
	*n = nt < LR_TL_CONNS ? nt : LR_TL_CONNS;
	return 0;
}

static void free_series(struct lr_tl_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].t);
		free(s[i].v);
		s[i].t = s[i].v = NULL;
		s[i].n = 0;
	}
}

void lr_tl_conns_free(struct lr_tl_conn *c, size_t total)
{
	for (size_t i = 0; c && i < total; i++) {
		free_series(c[i].bytes_if, c[i].n_if);
		free_series(c[i].rate_if, c[i].n_if);
		free_series(c[i].rtt_sf, c[i].n_sf);
	}
	free(c);
}
