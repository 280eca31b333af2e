/* SPDX-License-Identifier: MIT */
/*
 * The snapshot `top` shows: a header (counts, what could not be seen), the
 * totals per interface, then each connection with its subflows. One function
 * writes the text screen and the JSON document (live/out.h), so both always
 * carry the same numbers. Which optional columns fit is decided from the
 * terminal's width (lv_columns_for): a narrow terminal loses the least
 * useful columns first, never the rates.
 */
#ifndef MPTCP_RUN_LIVE_RENDER_H
#define MPTCP_RUN_LIVE_RENDER_H

#include "live/out.h"
#include "live/view.h"

enum lv_col {
	LV_COL_ADDR = 1 << 0,   /* remote (connection) / local (subflow) endpoint */
	LV_COL_STATE = 1 << 1,  /* TCP/MPTCP state */
	LV_COL_FLAGS = 1 << 2,  /* initial/join, backup, fallback */
	LV_COL_RTT = 1 << 3,    /* smoothed RTT per subflow */
	LV_COL_RETR = 1 << 4,   /* retransmitted segments per subflow */
	LV_COL_TOTALS = 1 << 5, /* bytes so far, each way */
	LV_COL_TOKEN = 1 << 6,  /* the connection's local token */
	LV_COL_PATHS = 1 << 7,  /* the path daemon's list for the connection */
	LV_COL_ALL = (1 << 8) - 1,
};

struct lv_layout {
	int width;       /* terminal columns; 0: no limit */
	unsigned cols;   /* LV_COL_* shown (text only: JSON has every field) */
	double interval; /* seconds between samples */
	enum lv_sort sort;
	const char *filter; /* "" or NULL: none */
	bool paused;
	const char *clock; /* the sample's local time, "12:00:01" */
};

/* The widest set of optional columns whose rows fit in width (0: all). */
unsigned lv_columns_for(int width);

/* Writes the snapshot of v: text lines, or one JSON object (no newline). */
void lv_render(struct lv_out *o, const struct lv_view *v, const struct lv_layout *l);

/* The JSON field names shared with the timeline and its reader. */
#define LV_K_IFNAME "ifname"
#define LV_K_PATH   "path"

#endif
