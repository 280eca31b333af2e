/* SPDX-License-Identifier: MIT */
/* `mptcp-run top`: the samples it keeps and the snapshot it renders, for both its outputs. */
#include "cmd/top.h"
#include "live/render.h"

#include <time.h>

void lr_top_sample(struct lr_top *t)
{
	if (t->have_prev || t->cur.t > 0) {
		lv_sample_move(&t->prev, &t->cur);
		t->have_prev = true;
	}
	ls_sample(t->sp, &t->cur, 0);
	if (t->have_prev)
		lv_totals_update(&t->tot, &t->prev, &t->cur);
}

char *lr_top_render(const struct lr_top *t, int width, bool json, bool paused)
{
	struct lv_view v;
	struct lr_buf b;
	struct lv_out o;
	char clock[16] = "";
	time_t now = (time_t)t->cur.wall;
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (lv_view_build(&v, t->have_prev ? &t->prev : NULL, &t->cur, &t->tot, t->sort,
	                  t->filter) < 0)
		return NULL;
	struct lv_layout l = {
	    .width = width,
	    .cols = lv_columns_for(width),
	    .interval = t->interval,
	    .sort = t->sort,
	    .filter = t->filter,
	    .paused = paused,
	    .clock = clock,
	};
	lr_buf_init(&b);
	lv_out_init(&o, &b, json);
	lv_render(&o, &v, &l);
	lv_view_free(&v);
	return lr_buf_take(&b);
}
