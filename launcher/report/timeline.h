/* SPDX-License-Identifier: MIT */
/*
 * A timeline file (live/timeline.h) read back, and what `mptcp-run report
 * FILE` draws from it: per connection, the cumulative bytes and the
 * throughput of each interface and the RTT of each subflow over time, with
 * the events. The series are computed with live/view.h's arithmetic, the
 * same as `top`'s.
 */
#ifndef MPTCP_RUN_REPORT_TIMELINE_H
#define MPTCP_RUN_REPORT_TIMELINE_H

#include <stdio.h>

#include "live/sample.h"

#define LR_TL_SERIES 16 /* interfaces, subflows per connection */
#define LR_TL_CONNS  6  /* connections drawn, largest first */

struct lr_tl_event {
	double t;
	char what[24];
	char ifname[LV_IFNAME];
	char text[160];
};

struct lr_tl {
	double wall0, interval, t_end;
	char command[256];
	int pid;
	bool ended; /* the "end" line was there */
	int status, signal;
	struct lv_sample *samples;
	size_t n_samples, cap_samples;
	struct lr_tl_event *ev;
	size_t n_ev, cap_ev;
	unsigned skipped; /* lines that were cut short or not a timeline's */
};

/*
 * Reads a timeline. Returns 0; 1 when the first line is not a timeline's
 * start (a connection report, say: nothing consumed but that line); -1 on a
 * read error or out of memory (errno).
 */
int lr_tl_read(FILE *in, struct lr_tl *tl);
void lr_tl_free(struct lr_tl *tl);

struct lr_tl_series {
	char label[96];
	char ifname[LV_IFNAME];
	size_t n;
	double *t, *v;
};

struct lr_tl_conn {
	uint32_t token;
	char title[400];
	char close[256];
	uint64_t bytes; /* sent + received, all interfaces, at the end */
	size_t n_if, n_sf;
	struct lr_tl_series bytes_if[LR_TL_SERIES]; /* cumulative, sent + received */
	struct lr_tl_series rate_if[LR_TL_SERIES];  /* bits per second, sent + received */
	struct lr_tl_series rtt_sf[LR_TL_SERIES];   /* milliseconds */
};

/*
 * The connections of tl with their series, largest first: *total of them in
 * *out, of which the first *n (at most LR_TL_CONNS) are drawn. -1: ENOMEM.
 */
int lr_tl_conns(const struct lr_tl *tl, struct lr_tl_conn **out, size_t *n, size_t *total);
/* Frees the total connections lr_tl_conns returned. */
void lr_tl_conns_free(struct lr_tl_conn *c, size_t total);

/* The text summary and the SVG drawing. */
void lr_tl_print(const struct lr_tl *tl, const struct lr_tl_conn *c, size_t n, size_t total,
                 const char *name, FILE *out);
void lr_tl_svg(const struct lr_tl *tl, const struct lr_tl_conn *c, size_t n, size_t total,
               FILE *out);

#endif
