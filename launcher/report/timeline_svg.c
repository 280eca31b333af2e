/* SPDX-License-Identifier: MIT */
/*
 * The timeline figure: per connection three panels over one time axis --
 * cumulative bytes per interface, throughput per interface, RTT per subflow
 * -- with the events as dashed vertical lines, a legend per panel, axes with
 * units. Colours follow the interface, so a path keeps its colour in every
 * panel. Each panel carries its scale as data-* attributes and each series
 * its interface, so a test can read the figure back; every text is
 * XML-escaped.
 */
#include "report/timeline.h"

#include "live/out.h"
#include "report/svg_doc.h"

#include <math.h>
#include <string.h>

#define WIDTH   980
#define PLOT_X  90  /* left edge of the plots */
#define PLOT_W  620 /* plot width */
#define LEGEND  (PLOT_X + PLOT_W + 20)
#define PANEL_H 170
#define GAP     62
#define TITLE_H 64

/* A round step giving about 5 ticks up to max. */
static double nice_step(double max)
{
	if (!(max > 0))
		return 1;
	double raw = max / 5, mag = pow(10, floor(log10(raw)));
	double f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* The colour of an interface: by its order among the connection's interfaces. */
static const char *colour(const struct lr_tl_conn *c, const char *ifname)
{
	for (size_t i = 0; i < c->n_if; i++)
		if (strcmp(c->bytes_if[i].ifname, ifname) == 0)
			return lr_svg_colour(i);
	return "#666";
}

struct panel {
	const char *kind, *title, *unit;
	double scale; /* value / scale = plotted number in unit */
	double ymax, xmax;
	int y; /* top */
};

static double px_x(const struct panel *p, double t)
{
	return PLOT_X + (p->xmax > 0 ? t / p->xmax * PLOT_W : 0);
}

static double px_y(const struct panel *p, double v)
{
	return p->y + PANEL_H - (p->ymax > 0 ? v / p->scale / p->ymax * PANEL_H : 0);
}

static void frame(FILE *out, const struct panel *p)
{
	double ys = nice_step(p->ymax), xs = nice_step(p->xmax);

	fprintf(out,
	        "<g class=\"panel\" data-kind=\"%s\" data-unit=\"%s\" data-x0=\"%d\" "
	        "data-xs=\"%.6f\" data-y0=\"%d\" data-ys=\"%.6f\" data-scale=\"%.6g\">\n",
	        p->kind, p->unit, PLOT_X, p->xmax > 0 ? PLOT_W / p->xmax : 0, p->y + PANEL_H,
	        p->ymax > 0 ? PANEL_H / p->ymax : 0, p->scale);
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">", PLOT_X, p->y - 8);
	lr_svg_text(out, p->title);
	fprintf(out, " (%s)</text>\n", p->unit);
	fprintf(out,
	        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
	        "stroke=\"#999\"/>\n",
	        PLOT_X, p->y, PLOT_W, PANEL_H);
	for (int i = 0; i * ys <= p->ymax * 1.0001; i++) {
		double v = i * ys;
		double y = p->y + PANEL_H - v / p->ymax * PANEL_H;
		fprintf(
		    out,
		    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%g</text>\n",
		    PLOT_X, y, PLOT_X + PLOT_W, y, PLOT_X - 6, y + 4, v);
	}
	for (int i = 0; i * xs <= p->xmax * 1.0001; i++) {
		double t = i * xs;
		double x = px_x(p, t);
		fprintf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
		    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%g</text>\n",
		    x, p->y + PANEL_H, x, p->y + PANEL_H + 4, x, p->y + PANEL_H + 16, t);
	}
	fprintf(out,
	        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">time (s)</text>\n",
	        PLOT_X + PLOT_W / 2, p->y + PANEL_H + 30);
}

static void line(FILE *out, const struct panel *p, const struct lr_tl_series *s, const char *stroke,
                 const char *dash)
{
	fprintf(out, "<polyline class=\"series\" data-ifname=\"");
	lr_svg_text(out, s->ifname);
	fprintf(out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s%s%s points=\"", stroke,
	        dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	for (size_t i = 0; i < s->n; i++)
		fprintf(out, "%s%.1f,%.1f", i ? " " : "", px_x(p, s->t[i]), px_y(p, s->v[i]));
	fprintf(out, "\"><title>");
	lr_svg_text(out, s->label);
	fprintf(out, "</title></polyline>\n");
}

static void legend(FILE *out, const struct panel *p, const struct lr_tl_series *s, size_t n,
                   const struct lr_tl_conn *c, bool dashed)
{
	for (size_t i = 0; i < n; i++) {
		int y = p->y + 12 + (int)i * 16;
		fprintf(out,
		        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		        "stroke-width=\"2.5\"%s/><text x=\"%d\" y=\"%d\" font-size=\"11\">",
		        LEGEND, y - 4, LEGEND + 18, y - 4, colour(c, s[i].ifname),
		        dashed && (i % 2) ? " stroke-dasharray=\"4 3\"" : "", LEGEND + 24, y);
		lr_svg_text(out, s[i].label);
		fprintf(out, "</text>\n");
	}
	if (n == 0)
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">(no data)</text>\n", LEGEND,
		        p->y + 12);
}

/* The events as dashed lines over the three panels; labels on the first panel's top. */
static void events(FILE *out, const struct lr_tl *tl, const struct panel *p, int bottom)
{
	int row = 0;
	for (size_t i = 0; i < tl->n_ev; i++) {
		const struct lr_tl_event *e = &tl->ev[i];
		/* One label for events of a kind that come together (two subflows ending). */
		bool labelled = strcmp(e->what, "subflow-up") != 0 &&
		                !(i > 0 && strcmp(tl->ev[i - 1].what, e->what) == 0 &&
		                  fabs(tl->ev[i - 1].t - e->t) < 0.01);
		double x = px_x(p, e->t < 0 ? 0 : e->t);
		fprintf(
		    out,
		    "<line class=\"event\" data-t=\"%.3f\" data-what=\"%s\" x1=\"%.1f\" y1=\"%d\" "
		    "x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"5 4\"><title>",
		    e->t, e->what, x, p->y, x, bottom, labelled ? "#c00" : "#bbb");
		lr_svg_text(out, e->text);
		fprintf(out, "</title></line>\n");
		if (!labelled)
			continue;
		/* Right of the line, or left of it in the last third: labels stay in the plot. */
		bool left = x > PLOT_X + PLOT_W * 0.66;
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c00\"%s>%.2f s ",
		        left ? x - 3 : x + 3, p->y + 11 + 11 * (row++ % 5),
		        left ? " text-anchor=\"end\"" : "", e->t);
		lr_svg_text(out, e->what[0] == 'm' ? e->text : e->what);
		fprintf(out, "</text>\n");
	}
}

static double series_max(const struct lr_tl_series *s, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s[i].n; k++)
			m = s[i].v[k] > m ? s[i].v[k] : m;
	return m;
}

/* A round ceiling for the axis, in the panel's unit. */
static double ceiling(double v)
{
	double s = nice_step(v);
	return v > 0 ? ceil(v / s) * s : 1;
}

static int conn_block(FILE *out, const struct lr_tl *tl, const struct lr_tl_conn *c, int y)
{
	double xmax = ceiling(tl->t_end > 0 ? tl->t_end : 1);
	double bmax = series_max(c->bytes_if, c->n_if), rmax = series_max(c->rate_if, c->n_if);
	double tmax = series_max(c->rtt_sf, c->n_sf);
	double bscale = bmax >= 1e9 ? 1e9 : bmax >= 1e6 ? 1e6 : bmax >= 1e3 ? 1e3 : 1;
	const char *bunit = bscale == 1e9   ? "GB"
	                    : bscale == 1e6 ? "MB"
	                    : bscale == 1e3 ? "kB"
	                                    : "B";
	struct panel pb = {"bytes",
	                   "Cumulative bytes per interface, sent + received",
	                   bunit,
	                   bscale,
	                   ceiling(bmax / bscale),
	                   xmax,
	                   y + TITLE_H};
	struct panel pr = {"rate",
	                   "Throughput per interface, sent + received",
	                   "Mbit/s",
	                   1e6,
	                   ceiling(rmax / 1e6),
	                   xmax,
	                   pb.y + PANEL_H + GAP};
	struct panel pt = {"rtt", "Smoothed RTT per subflow", "ms", 1, ceiling(tmax),
	                   xmax,  pr.y + PANEL_H + GAP};

	fprintf(out, "<g class=\"connection\" data-token=\"%08x\">\n", c->token);
	fprintf(out, "<text x=\"20\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">", y + 20);
	lr_svg_text(out, c->title);
	fprintf(out, "</text>\n<text x=\"20\" y=\"%d\" font-size=\"11\">", y + 38);
	lr_svg_text(out, c->close[0] ? c->close : "still open at the end of the timeline");
	fprintf(out, "</text>\n");
	frame(out, &pb);
	for (size_t i = 0; i < c->n_if; i++)
		line(out, &pb, &c->bytes_if[i], colour(c, c->bytes_if[i].ifname), NULL);
	legend(out, &pb, c->bytes_if, c->n_if, c, false);
	fprintf(out, "</g>\n");
	frame(out, &pr);
	for (size_t i = 0; i < c->n_if; i++)
		line(out, &pr, &c->rate_if[i], colour(c, c->rate_if[i].ifname), NULL);
	legend(out, &pr, c->rate_if, c->n_if, c, false);
	fprintf(out, "</g>\n");
	frame(out, &pt);
	for (size_t i = 0; i < c->n_sf; i++)
		line(out, &pt, &c->rtt_sf[i], colour(c, c->rtt_sf[i].ifname),
		     (i % 2) ? "4 3" : NULL);
	legend(out, &pt, c->rtt_sf, c->n_sf, c, true);
	fprintf(out, "</g>\n");
	events(out, tl, &pb, pt.y + PANEL_H);
	fprintf(out, "</g>\n");
	return pt.y + PANEL_H + 50;
}

void lr_tl_svg(const struct lr_tl *tl, const struct lr_tl_conn *c, size_t n, size_t total,
               FILE *out)
{
	int block = TITLE_H + 3 * PANEL_H + 2 * GAP + 50;
	int height = 70 + (int)(n ? n : 1) * block + 30;
	char dur[32];

	lr_svg_begin(out, WIDTH, height);
	fprintf(out, "<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">mptcp-run "
	             "timeline: ");
	lr_svg_text(out, tl->command);
	snprintf(dur, sizeof(dur), "%.1f", tl->t_end);
	fprintf(out,
	        "</text>\n<text x=\"20\" y=\"46\" font-size=\"11\">%s s, a sample every %.2f s "
	        "from outside the program; %zu connection(s)%s; dashed red lines: events (marks, "
	        "links, DATA_FIN, subflows ended), grey: subflows added</text>\n",
	        dur, tl->interval, total, total > n ? ", the largest drawn" : "");
	int y = 60;
	for (size_t i = 0; i < n; i++)
		y = conn_block(out, tl, &c[i], y);
	if (n == 0)
		fprintf(out, "<text x=\"20\" y=\"90\">no MPTCP connection of the command was seen "
		             "(shorter than one interval, or not MPTCP)</text>\n");
	fprintf(out, "</svg>\n");
}

void lr_tl_print(const struct lr_tl *tl, const struct lr_tl_conn *c, size_t n, size_t total,
                 const char *name, FILE *out)
{
	char h[32];
	fprintf(out, "timeline %s: %s (pid %d), %.1f s, %zu samples every %.2f s", name,
	        tl->command, tl->pid, tl->t_end, tl->n_samples, tl->interval);
	if (!tl->ended)
		fprintf(out, ", no end line (the launcher was stopped)\n");
	else if (tl->signal)
		fprintf(out, ", killed by signal %d\n", tl->signal);
	else
		fprintf(out, ", exit status %d\n", tl->status);
	fprintf(out, "connections: %zu%s\n", total, total > n ? " (the largest shown)" : "");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "\n%s\n", c[i].title);
		for (size_t k = 0; k < c[i].n_if; k++) {
			const struct lr_tl_series *s = &c[i].bytes_if[k];
			double last = s->n ? s->v[s->n - 1] : 0;
			fprintf(out, "  %-24s %12s %6.1f%%\n", s->label,
			        lv_human(h, sizeof(h), last, "B"),
			        c[i].bytes ? 100.0 * last / (double)c[i].bytes : 0.0);
		}
		if (c[i].close[0])
			fprintf(out, "  close: %s\n", c[i].close);
	}
	size_t shown = 0;
	for (size_t i = 0; i < tl->n_ev; i++)
		if (strcmp(tl->ev[i].what, "subflow-up") != 0) {
			if (!shown++)
				fprintf(out, "\nevents:\n");
			fprintf(out, "  %7.2f s  %-16s %s\n", tl->ev[i].t, tl->ev[i].what,
			        tl->ev[i].text);
		}
	if (tl->skipped)
		fprintf(out, "(%u line(s) skipped: cut short or not a timeline's)\n", tl->skipped);
}
