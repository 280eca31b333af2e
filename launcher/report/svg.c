/* SPDX-License-Identifier: MIT */
/*
 * The SVG drawing of a summary: one stacked bar of the bytes per local
 * address with its legend, then the largest connections, each a bar split
 * by subflow and coloured by local address. Every text from the report is
 * XML-escaped, so the drawing is well-formed whatever the lines held.
 */
#include "report/output.h"

#include "report/svg_doc.h"

#include <stdlib.h>
#include <string.h>

#define WIDTH   900
#define LEFT    20
#define BAR_W   860
#define LABEL_W 340

/* part's length on a bar of length len that stands for whole. */
static double scaled(double len, uint64_t part, uint64_t whole)
{
	return whole ? len * (double)part / (double)whole : 0;
}

/* One segment of a bar: address index a of the summary, with its bytes as tooltip. */
static void segment(FILE *out, const struct lr_report_summary *s, double x, int y, double w, int h,
                    size_t a, uint64_t bytes)
{
	fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>",
	        x, y, w, h, lr_svg_colour(a));
	lr_svg_text(out, s->addrs[a].addr);
	fprintf(out, ": %llu bytes</title></rect>\n", (unsigned long long)bytes);
}

/* The share of bytes per local address: a stacked bar and its legend. Returns the next y. */
static int draw_paths(const struct lr_report_summary *s, FILE *out)
{
	fprintf(out,
	        "<text x=\"%d\" y=\"50\" font-weight=\"bold\">Bytes per local address</text>\n",
	        LEFT);
	double x = LEFT;
	for (size_t i = 0; i < s->n_addrs; i++) {
		double w = scaled(BAR_W, s->addrs[i].bytes, s->total_bytes);
		segment(out, s, x, 60, w, 24, i, s->addrs[i].bytes);
		x += w;
	}
	if (s->n_addrs == 0 || s->total_bytes == 0)
		fprintf(out,
		        "<rect x=\"%d\" y=\"60\" width=\"%d\" height=\"24\" fill=\"#ddd\"/>"
		        "<text x=\"%d\" y=\"76\">no bytes reported</text>\n",
		        LEFT, BAR_W, LEFT + 8);
	int y = 104;
	for (size_t i = 0; i < s->n_addrs; i++, y += 18) {
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>",
		        LEFT, y - 10, lr_svg_colour(i));
		fprintf(out, "<text x=\"%d\" y=\"%d\">", LEFT + 18, y);
		lr_svg_text(out, s->addrs[i].addr);
		fprintf(out, " \xe2\x80\x94 %llu bytes (%.1f%%)</text>\n",
		        (unsigned long long)s->addrs[i].bytes,
		        lr_report_pct(s->addrs[i].bytes, s->total_bytes));
	}
	return y;
}

static int by_conn_bytes_desc(const void *a, const void *b)
{
	const struct lr_report_conn *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* The largest connections (top, sorted, n of them), from y on. */
static void draw_conns(const struct lr_report_summary *s, const struct lr_report_conn *top,
                       size_t n, int y, FILE *out)
{
	fprintf(
	    out,
	    "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Connections by bytes (top %zu)</text>\n",
	    LEFT, y, n);
	y += 12;
	uint64_t max = n ? top[0].bytes : 0;
	for (size_t i = 0; i < n; i++, y += 22) {
		const struct lr_report_conn *c = &top[i];
		fprintf(out, "<text x=\"%d\" y=\"%d\">", LEFT, y + 14);
		lr_svg_text(out, c->label);
		fprintf(out, " (%s)</text>\n", c->conn);
		double cx = LEFT + LABEL_W;
		for (size_t k = 0; k < c->n; k++) {
			double w = scaled(BAR_W - LABEL_W, c->sf[k].bytes, max);
			segment(out, s, cx, y + 2, w, 16, c->sf[k].addr, c->sf[k].bytes);
			cx += w;
		}
	}
}

void lr_report_svg(const struct lr_report_summary *s, FILE *out)
{
	struct lr_report_conn top[LR_REPORT_TOP];
	size_t n_top = s->n_top;

	memcpy(top, s->top, n_top * sizeof(top[0]));
	qsort(top, n_top, sizeof(top[0]), by_conn_bytes_desc);
	int height = 120 + 18 * (int)s->n_addrs + 40 + 22 * (int)n_top + 20;

	lr_svg_begin(out, WIDTH, height);
	fprintf(
	    out,
	    "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">mptcp-run report: "
	    "%zu connections (MPTCP %zu, fallback %zu, TCP by policy %zu, TCP kept %zu)</text>\n",
	    LEFT, s->connections, s->mptcp, s->fallback, s->tcp_policy, s->tcp_kept);
	int y = draw_paths(s, out);
	draw_conns(s, top, n_top, y + 20, out);
	fprintf(out, "</svg>\n");
}
