/* SPDX-License-Identifier: MIT */
#include "live/render.h"

#include <stdio.h>
#include <string.h>

/* Text widths (negative: left-aligned); each cell is followed by one space. */
#define W_PID    7
#define W_PROG   (-15)
#define W_IF     (-10)
#define W_PNAME  (-10)
#define W_ADDR   (-21)
#define W_STATE  (-11)
#define W_KIND   (-4)
#define W_BACKUP (-6)
#define W_RATE   11
#define W_RTT    9
#define W_RETR   7
#define W_TOTAL  10
#define W_TOKEN  (-8)
#define W_PATHS  15 /* the last column: not padded, but needs about this much */
#define W_SUBS   8

static int cw(int w)
{
	return (w < 0 ? -w : w) + 1;
}

/* Optional columns in the order they are given room, with their width. */
static const struct {
	unsigned col;
	int width;
} optional[] = {
    {LV_COL_RTT, W_RTT + 1},
    {LV_COL_ADDR, -W_ADDR + 1},
    {LV_COL_FLAGS, -W_KIND + 1 - W_BACKUP + 1},
    {LV_COL_RETR, W_RETR + 1},
    {LV_COL_STATE, -W_STATE + 1},
    {LV_COL_TOTALS, 2 * (W_TOTAL + 1)},
    {LV_COL_PATHS, W_PATHS},
    {LV_COL_TOKEN, -W_TOKEN + 1},
};

unsigned lv_columns_for(int width)
{
	if (width <= 0)
		return LV_COL_ALL;
	int used = cw(W_PID) + cw(W_PROG) + 2 * cw(W_RATE);
	unsigned cols = 0;
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		if (used + optional[i].width <= width) {
			used += optional[i].width;
			cols |= optional[i].col;
		}
	return cols;
}

static bool on(const struct lv_out *o, const struct lv_layout *l, unsigned col)
{
	return o->json || (l->cols & col);
}

static void header(struct lv_out *o, const struct lv_view *v, const struct lv_layout *l)
{
	const struct lv_sample *s = v->cur;
	const struct lv_limits *lim = &s->lim;
	char buf[160];

	lv_text(o, "mptcp-run top  ");
	lv_text(o, l->clock ? l->clock : "");
	if (o->json)
		lv_secs(o, "time", 0, s->wall);
	lv_text(o, "  every ");
	lv_secs(o, "interval", 0, l->interval);
	lv_text(o, " s  sort: ");
	lv_str(o, "sort", 0, lv_sort_name(l->sort));
	if (o->json || (l->filter && *l->filter)) {
		lv_text(o, "  program: ");
		lv_str(o, "filter", 0, l->filter ? l->filter : "");
	}
	lv_flag(o, "paused", 0, l->paused, "  [paused]");
	lv_nl(o);
	lv_text(o, "MPTCP connections ");
	lv_u64(o, "mptcp_connections", 0, s->n_conns);
	lv_text(o, " (fell back to TCP: ");
	lv_u64(o, "fallback", 0, s->fallback);
	lv_text(o, ")  plain TCP connections ");
	lv_u64(o, "tcp_connections", 0, s->tcp_plain);
	lv_text(o, "  path daemon: ");
	lv_flag(o, "pathd", 0, s->pathd, "running");
	lv_text(o, s->pathd ? "" : "not running");
	lv_nl(o);

	/* What this sample could not see, and why. */
	lv_open(o, "limits", '{');
	if (o->json || lim->no_diag) {
		snprintf(buf, sizeof(buf), "sock_diag dump failed (error %d): nothing to show  ",
		         lim->diag_err);
		lv_text(o, lim->no_diag ? buf : "");
		lv_flag(o, "no_diag", 0, lim->no_diag, "");
	}
	if (o->json || lim->owners_unknown) {
		lv_text(o, "owner unknown: ");
		lv_u64(o, "owners_unknown", 0, lim->owners_unknown);
		lv_text(o, " connection(s)  ");
	}
	if (o->json || lim->procs_unreadable) {
		lv_text(o, "/proc/PID/fd not readable: ");
		lv_u64(o, "procs_unreadable", 0, lim->procs_unreadable);
		lv_text(o, " process(es) (other users': run as root)");
	}
	if (lim->no_diag || lim->owners_unknown || lim->procs_unreadable)
		lv_nl(o);
	lv_close(o, '{');
}

/* The interface table is narrower than the connections': its byte totals fit sooner. */
static bool iface_totals(const struct lv_out *o, const struct lv_layout *l)
{
	int need = 2 + cw(W_IF) + cw(W_PNAME) + cw(W_SUBS) + 2 * cw(W_RATE) + 2 * cw(W_TOTAL);
	return o->json || l->width <= 0 || l->width >= need;
}

static void iface_table(struct lv_out *o, const struct lv_view *v, const struct lv_layout *l)
{
	lv_nl(o);
	lv_text(o, "  ");
	lv_head(o, W_IF, "IFACE");
	lv_head(o, W_PNAME, "PATH");
	lv_head(o, W_SUBS, "SUBFLOWS");
	lv_head(o, W_RATE, "TX/s");
	lv_head(o, W_RATE, "RX/s");
	if (iface_totals(o, l)) {
		lv_head(o, W_TOTAL, "TX");
		lv_head(o, W_TOTAL, "RX");
	}
	lv_nl(o);
	lv_open(o, "interfaces", '[');
	for (size_t i = 0; i < v->n_ifs; i++) {
		const struct lv_iface *x = &v->ifs[i];
		lv_open(o, NULL, '{');
		lv_text(o, "  ");
		lv_str(o, LV_K_IFNAME, W_IF, x->ifname);
		lv_str(o, LV_K_PATH, W_PNAME, x->pathname);
		lv_u64(o, "subflows", W_SUBS, x->subflows);
		lv_rate(o, "tx_rate", W_RATE, x->rate.tx);
		lv_rate(o, "rx_rate", W_RATE, x->rate.rx);
		if (iface_totals(o, l)) {
			lv_bytes(o, "tx_bytes", W_TOTAL, x->tx_bytes);
			lv_bytes(o, "rx_bytes", W_TOTAL, x->rx_bytes);
		}
		if (o->json)
			lv_u64(o, "backup_subflows", 0, x->backup);
		lv_close(o, '{');
		lv_nl(o);
	}
	if (v->n_ifs == 0)
		lv_text(o, "  (no subflow)\n");
	lv_close(o, '[');
}

static void conn_heading(struct lv_out *o, const struct lv_layout *l)
{
	lv_nl(o);
	lv_head(o, W_PID, "PID");
	lv_head(o, W_PROG, "PROGRAM/IFACE");
	if (l->cols & LV_COL_ADDR)
		lv_head(o, W_ADDR, "REMOTE/LOCAL");
	if (l->cols & LV_COL_STATE)
		lv_head(o, W_STATE, "STATE");
	if (l->cols & LV_COL_FLAGS)
		lv_head(o, W_KIND - W_BACKUP + 1, "FLAGS");
	lv_head(o, W_RATE, "TX/s");
	lv_head(o, W_RATE, "RX/s");
	if (l->cols & LV_COL_RTT)
		lv_head(o, W_RTT, "RTT");
	if (l->cols & LV_COL_RETR)
		lv_head(o, W_RETR, "RETRANS");
	if (l->cols & LV_COL_TOTALS) {
		lv_head(o, W_TOTAL, "TX");
		lv_head(o, W_TOTAL, "RX");
	}
	if (l->cols & LV_COL_TOKEN)
		lv_head(o, W_TOKEN, "TOKEN");
	if (l->cols & LV_COL_PATHS)
		lv_head(o, 0, "PATHS");
	lv_nl(o);
}

static void subflow_row(struct lv_out *o, const struct lv_view *v, const struct lv_layout *l,
                        size_t i)
{
	const struct lv_subflow *f = &v->cur->sfs[i];
	char a[80];

	lv_open(o, NULL, '{');
	lv_text(o, "  ");
	lv_str(o, LV_K_IFNAME, W_IF, f->ifname[0] ? f->ifname : "?");
	lv_str(o, LV_K_PATH, W_PNAME, f->pathname);
	if (on(o, l, LV_COL_ADDR)) {
		lv_str(o, "local", W_ADDR, lv_endpoint_str(&f->loc, f->lport, a, sizeof(a)));
		if (o->json)
			lv_str(o, "remote", 0, lv_endpoint_str(&f->rem, f->rport, a, sizeof(a)));
	}
	if (on(o, l, LV_COL_STATE))
		lv_str(o, "state", W_STATE, lv_state_name(f->state));
	if (on(o, l, LV_COL_FLAGS)) {
		lv_str(o, "kind", W_KIND, f->initial ? "init" : "join");
		lv_flag(o, "backup", W_BACKUP, f->backup, "backup");
	}
	lv_rate(o, "tx_rate", W_RATE, v->sf[i].tx);
	lv_rate(o, "rx_rate", W_RATE, v->sf[i].rx);
	if (on(o, l, LV_COL_RTT))
		lv_ms(o, "rtt_ms", W_RTT, f->rtt_us / 1000.0);
	if (on(o, l, LV_COL_RETR))
		lv_u64(o, "retrans", W_RETR, f->retrans);
	if (on(o, l, LV_COL_TOTALS)) {
		lv_bytes(o, "bytes_acked", W_TOTAL, f->bytes_acked);
		lv_bytes(o, "bytes_received", W_TOTAL, f->bytes_received);
	}
	if (o->json) {
		lv_u64(o, "bytes_sent", 0, f->bytes_sent);
		lv_u64(o, "bytes_retrans", 0, f->bytes_retrans);
	}
	lv_close(o, '{');
	lv_nl(o);
}

static void conn_row(struct lv_out *o, const struct lv_view *v, const struct lv_layout *l, size_t i)
{
	const struct lv_conn *c = &v->cur->conns[i];
	char a[80];

	lv_open(o, NULL, '{');
	if (c->pid || o->json)
		lv_u64(o, "pid", W_PID, (uint64_t)c->pid);
	else
		lv_str(o, "pid", W_PID, "?");
	if (c->prog[0]) {
		lv_str(o, "program", W_PROG, c->prog);
	} else {
		snprintf(a, sizeof(a), "? uid %u", (unsigned)c->uid);
		lv_str(o, "program", W_PROG, o->json ? "" : a);
	}
	if (o->json) {
		lv_u64(o, "uid", 0, c->uid);
		lv_u64(o, "bytes_sent", 0, c->bytes_sent);
		lv_str(o, "local", 0, lv_endpoint_str(&c->loc, c->lport, a, sizeof(a)));
	}
	if (on(o, l, LV_COL_ADDR))
		lv_str(o, "remote", W_ADDR, lv_endpoint_str(&c->rem, c->rport, a, sizeof(a)));
	if (on(o, l, LV_COL_STATE))
		lv_str(o, "state", W_STATE, lv_state_name(c->state));
	if (on(o, l, LV_COL_FLAGS))
		lv_flag(o, "fallback", W_KIND - W_BACKUP + 1, c->fallback, "fallback");
	lv_rate(o, "tx_rate", W_RATE, v->conn[i].tx);
	lv_rate(o, "rx_rate", W_RATE, v->conn[i].rx);
	if (l->cols & LV_COL_RTT && !o->json)
		lv_blank(o, W_RTT);
	if (l->cols & LV_COL_RETR && !o->json)
		lv_blank(o, W_RETR);
	if (on(o, l, LV_COL_TOTALS)) {
		lv_bytes(o, "bytes_acked", W_TOTAL, c->bytes_acked);
		lv_bytes(o, "bytes_received", W_TOTAL, c->bytes_received);
	}
	if (on(o, l, LV_COL_TOKEN)) {
		snprintf(a, sizeof(a), "%08x", c->token);
		lv_str(o, "token", W_TOKEN, a);
	}
	if (on(o, l, LV_COL_PATHS))
		lv_str(o, "paths", 0, c->paths);
	lv_nl(o);
	lv_open(o, "subflows", '[');
	for (size_t k = 0; k < c->n_sf; k++)
		subflow_row(o, v, l, c->first_sf + k);
	lv_close(o, '[');
	lv_close(o, '{');
}

void lv_render(struct lv_out *o, const struct lv_view *v, const struct lv_layout *l)
{
	lv_open(o, NULL, '{');
	header(o, v, l);
	iface_table(o, v, l);
	conn_heading(o, l);
	lv_open(o, "connections", '[');
	for (size_t i = 0; i < v->n_order; i++)
		conn_row(o, v, l, v->order[i]);
	if (v->n_order == 0)
		lv_text(o, (l->filter && *l->filter) ? "(no MPTCP connection of that program)\n"
		                                     : "(no MPTCP connection)\n");
	lv_close(o, '[');
	lv_close(o, '{');
}
