/* SPDX-License-Identifier: MIT */
/* `mptcp-run top`: what its command side (top.c) hands to the live screen (top_screen.c). */
#ifndef MPTCP_RUN_LAUNCHER_CMD_TOP_H
#define MPTCP_RUN_LAUNCHER_CMD_TOP_H

#include "live/view.h"
#include "sampler/sampler.h"

struct lr_top {
	struct ls_sampler *sp;
	double interval; /* seconds */
	enum lv_sort sort;
	char filter[64];
	struct lv_sample prev, cur;
	struct lv_totals tot;
	bool have_prev;
};

/* Takes the next sample: cur becomes prev, and totals follow. */
void lr_top_sample(struct lr_top *t);

/*
 * Renders the current view as text for a terminal of width columns (0: no
 * limit) or as JSON; malloc'd, NULL when out of memory.
 */
char *lr_top_render(const struct lr_top *t, int width, bool json, bool paused);

/* The ncurses screen until 'q'. Returns the exit status. */
int lr_top_screen(struct lr_top *t);

#endif
