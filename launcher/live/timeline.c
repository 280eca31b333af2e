/* SPDX-License-Identifier: MIT */
#include "live/timeline.h"

#include "live/render.h"

#include <stdio.h>
#include <string.h>

enum {
	ST_ESTABLISHED = 1,
	ST_FIN_WAIT1 = 4,
	ST_FIN_WAIT2 = 5,
	ST_TIME_WAIT = 6,
	ST_CLOSE_WAIT = 8,
	ST_LAST_ACK = 9,
	ST_CLOSING = 11,
};

static bool has_sf(const struct lv_sample *s, const struct lv_subflow *f)
{
	for (size_t i = 0; i < s->n_sfs; i++)
		if (lv_subflow_same(&s->sfs[i], f))
			return true;
	return false;
}

/* Whose DATA_FIN came first, judged from the connection's state. */
static const char *fin_by(uint8_t st)
{
	switch (st) {
	case ST_FIN_WAIT1:
	case ST_FIN_WAIT2:
	case ST_CLOSING:
	case ST_TIME_WAIT:
		return "sent by this end";
	case ST_CLOSE_WAIT:
	case ST_LAST_ACK:
		return "received from the peer";
	default:
		return NULL;
	}
}

static size_t add(struct lv_event *out, size_t n, size_t max, const char *what, const char *ifname,
                  const char *text)
{
	if (n >= max)
		return n;
	memset(&out[n], 0, sizeof(out[n]));
	out[n].what = what;
	snprintf(out[n].ifname, sizeof(out[n].ifname), "%s", ifname ? ifname : "");
	snprintf(out[n].text, sizeof(out[n].text), "%s", text);
	return n + 1;
}

size_t lv_events(const struct lv_sample *prev, const struct lv_sample *cur,
                 const struct lv_links *lprev, const struct lv_links *lcur, struct lv_event *out,
                 size_t max)
{
	size_t n = 0, i, k;
	char t[160], a[80];

	for (i = 0; lprev && lcur && i < lcur->n; i++)
		for (k = 0; k < lprev->n; k++)
			if (strcmp(lprev->e[k].name, lcur->e[i].name) == 0 &&
			    lprev->e[k].up != lcur->e[i].up) {
				snprintf(t, sizeof(t), "%s %s", lcur->e[i].name,
				         lcur->e[i].up ? "up" : "down");
				n = add(out, n, max,
				        lcur->e[i].up ? LV_EV_LINK_UP : LV_EV_LINK_DOWN,
				        lcur->e[i].name, t);
			}
	if (!prev)
		return n;
	for (i = 0; i < cur->n_sfs; i++) {
		const struct lv_subflow *f = &cur->sfs[i];
		if (has_sf(prev, f))
			continue;
		snprintf(t, sizeof(t), "subflow %s %s%s", f->ifname[0] ? f->ifname : "?",
		         lv_endpoint_str(&f->loc, f->lport, a, sizeof(a)),
		         f->backup ? " (backup)" : "");
		n = add(out, n, max, LV_EV_SUBFLOW_UP, f->ifname, t);
	}
	for (i = 0; i < prev->n_sfs; i++) {
		const struct lv_subflow *f = &prev->sfs[i];
		if (has_sf(cur, f))
			continue;
		snprintf(t, sizeof(t), "subflow %s %s ended (last seen %s)",
		         f->ifname[0] ? f->ifname : "?",
		         lv_endpoint_str(&f->loc, f->lport, a, sizeof(a)), lv_state_name(f->state));
		n = add(out, n, max, LV_EV_SUBFLOW_CLOSED, f->ifname, t);
	}
	for (i = 0; i < prev->n_conns; i++) {
		const struct lv_conn *p = &prev->conns[i];
		const struct lv_conn *c = lv_sample_find(cur, p->token);
		if (!c) {
			snprintf(t, sizeof(t), "connection %08x gone (last seen %s)", p->token,
			         lv_state_name(p->state));
			n = add(out, n, max, LV_EV_CONN_CLOSED, NULL, t);
			continue;
		}
		const char *by = fin_by(c->state);
		if (by && !fin_by(p->state)) {
			snprintf(t, sizeof(t), "DATA_FIN %s (connection %08x %s)", by, c->token,
			         lv_state_name(c->state));
			n = add(out, n, max, LV_EV_DATA_FIN, NULL, t);
		}
	}
	return n;
}

void lv_sample_retain(struct lv_sample *s, const uint32_t *tokens, size_t n)
{
	size_t i, k, kept = 0;

	for (i = 0; i < s->n_conns; i++) {
		for (k = 0; k < n && tokens[k] != s->conns[i].token; k++)
			;
		if (k < n)
			s->conns[kept++] = s->conns[i];
	}
	s->n_conns = kept;
	lv_sample_link(s);
}

static void json_str(struct lr_buf *b, const char *key, const char *v)
{
	struct lv_out o;
	lv_out_init(&o, b, true);
	o.comma[0] = true;
	lv_str(&o, key, 0, v);
}

void lv_tl_start(struct lr_buf *b, double wall, double interval, int pid, const char *command)
{
	char n[160];
	snprintf(n, sizeof(n),
	         "{\"" LV_TL_TYPE "\":\"" LV_TL_START "\",\"version\":%d,\"wall\":%.3f,"
	         "\"interval\":%.3f,\"pid\":%d",
	         LV_TL_VERSION, wall, interval, pid);
	lr_buf_adds(b, n);
	json_str(b, "command", command);
	lr_buf_adds(b, "}\n");
}

void lv_tl_sample(struct lr_buf *b, const struct lv_view *v, double interval, double t)
{
	struct lv_layout l = {.interval = interval, .cols = LV_COL_ALL};
	struct lv_out o;
	char n[96];

	snprintf(n, sizeof(n),
	         "{\"" LV_TL_TYPE "\":\"" LV_TL_SAMPLE "\",\"t\":%.3f,\"snapshot\":", t);
	lr_buf_adds(b, n);
	lv_out_init(&o, b, true);
	lv_render(&o, v, &l);
	lr_buf_adds(b, "}\n");
}

void lv_tl_event(struct lr_buf *b, double t, double wall, const struct lv_event *e)
{
	char n[128];
	if (t >= 0)
		snprintf(n, sizeof(n),
		         "{\"" LV_TL_TYPE "\":\"" LV_TL_EVENT "\",\"t\":%.3f,\"wall\":%.3f", t,
		         wall);
	else
		snprintf(n, sizeof(n), "{\"" LV_TL_TYPE "\":\"" LV_TL_EVENT "\",\"wall\":%.3f",
		         wall);
	lr_buf_adds(b, n);
	json_str(b, "what", e->what);
	json_str(b, LV_K_IFNAME, e->ifname);
	json_str(b, "text", e->text);
	lr_buf_adds(b, "}\n");
}

void lv_tl_end(struct lr_buf *b, double t, int status, int signal)
{
	char n[96];
	if (signal > 0)
		snprintf(n, sizeof(n),
		         "{\"" LV_TL_TYPE "\":\"" LV_TL_END "\",\"t\":%.3f,\"signal\":%d}\n", t,
		         signal);
	else
		snprintf(n, sizeof(n),
		         "{\"" LV_TL_TYPE "\":\"" LV_TL_END "\",\"t\":%.3f,\"status\":%d}\n", t,
		         status);
	lr_buf_adds(b, n);
}
