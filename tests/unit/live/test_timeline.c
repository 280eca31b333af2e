/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the timeline: the events found between two samples
 * (live/timeline.c), and a timeline written with the writer's functions,
 * read back and drawn by the report (report/timeline_*.c): the series per
 * interface, the cut path's rate going to 0, the marks placed by their wall
 * clock, and an SVG with one series per interface in each panel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/timeline.h"
#include "report/timeline.h"

static void addr4(struct lv_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, a->a), 1);
}

/* The connection 0xbb at time t with its subflows on c1 and (if c2) c2. */
static void sample(struct lv_sample *s, double t, uint8_t state, uint64_t b1, bool c2, uint64_t b2)
{
	lv_sample_init(s);
	s->t = t;
	s->wall = 1000 + t;
	struct lv_conn *c = lv_sample_add_conn(s);
	c->token = 0xbb;
	c->state = state;
	c->pid = 42;
	snprintf(c->prog, sizeof(c->prog), "ncat");
	addr4(&c->loc, "198.18.1.1");
	addr4(&c->rem, "198.18.1.2");
	c->lport = 4000;
	c->rport = 5000;
	for (int i = 0; i < (c2 ? 2 : 1); i++) {
		struct lv_subflow *f = lv_sample_add_subflow(s);
		f->token = 0xbb;
		snprintf(f->ifname, sizeof(f->ifname), "c%d", i + 1);
		addr4(&f->loc, i ? "198.18.2.1" : "198.18.1.1");
		addr4(&f->rem, "198.18.1.2");
		f->lport = (uint16_t)(4000 + i);
		f->rport = 5000;
		f->state = 1;
		f->initial = i == 0;
		f->bytes_sent = f->bytes_acked = i ? b2 : b1;
		f->rtt_us = 3000;
	}
	lv_sample_link(s);
}

static void test_events(void **state)
{
	struct lv_sample a, b, c;
	struct lv_links la = {0}, lb = {0};
	struct lv_event ev[16];
	(void)state;
	sample(&a, 0, 1, 100, false, 0);
	sample(&b, 1, 4, 200, true, 50); /* c2 joined; we sent DATA_FIN */
	la.n = lb.n = 1;
	snprintf(la.e[0].name, LV_IFNAME, "c2");
	lb.e[0] = la.e[0];
	la.e[0].up = true;
	lb.e[0].up = false;
	size_t n = lv_events(&a, &b, &la, &lb, ev, 16);
	assert_int_equal(n, 3);
	assert_string_equal(ev[0].what, LV_EV_LINK_DOWN);
	assert_string_equal(ev[0].ifname, "c2");
	assert_string_equal(ev[1].what, LV_EV_SUBFLOW_UP);
	assert_string_equal(ev[1].ifname, "c2");
	assert_string_equal(ev[2].what, LV_EV_DATA_FIN);
	assert_non_null(strstr(ev[2].text, "sent by this end"));
	/* The peer's DATA_FIN (CLOSE-WAIT), then the connection gone. */
	sample(&c, 2, 8, 200, true, 50);
	n = lv_events(&a, &c, NULL, NULL, ev, 16);
	assert_string_equal(ev[n - 1].what, LV_EV_DATA_FIN);
	assert_non_null(strstr(ev[n - 1].text, "received from the peer"));
	lv_sample_free(&c);
	lv_sample_init(&c);
	n = lv_events(&b, &c, NULL, NULL, ev, 16);
	assert_int_equal(n, 3);
	assert_string_equal(ev[0].what, LV_EV_SUBFLOW_CLOSED);
	assert_string_equal(ev[2].what, LV_EV_CONN_CLOSED);
	/* Bounded. */
	assert_int_equal(lv_events(&b, &c, NULL, NULL, ev, 1), 1);
	lv_sample_free(&a);
	lv_sample_free(&b);
}

static void test_retain(void **state)
{
	struct lv_sample s;
	uint32_t keep = 0xcc;
	(void)state;
	sample(&s, 0, 1, 1, true, 2);
	lv_sample_retain(&s, &keep, 1);
	assert_int_equal(s.n_conns, 0);
	assert_int_equal(s.n_sfs, 0);
	lv_sample_free(&s);
}

/*
 * 2 s at 0.2 s: both paths carry 1 MB per interval until c1 is cut at 1.0 s
 * (a mark), then c2 alone; c1's subflow ends at 1.6 s.
 */
static char *write_timeline(size_t *len)
{
	struct lr_buf b;
	struct lv_sample prev, cur;
	struct lv_totals tot = {0};
	uint64_t b1 = 0, b2 = 0;
	bool have = false;

	lr_buf_init(&b);
	lv_tl_start(&b, 1000.0, 0.2, 42, "ncat 198.18.1.2 5000");
	lv_sample_init(&prev);
	for (int i = 0; i <= 10; i++) {
		double t = i * 0.2;
		if (t <= 1.0 + 1e-9)
			b1 += 1000000;
		b2 += 1000000;
		sample(&cur, t, 1, b1, true, b2);
		if (t > 1.5) { /* c1's subflow gone */
			cur.n_sfs = 0;
			struct lv_subflow *f = lv_sample_add_subflow(&cur);
			struct lv_sample scratch; /* for the c2 subflow */
			sample(&scratch, 0, 1, 0, true, b2);
			*f = scratch.sfs[1];
			lv_sample_free(&scratch);
			lv_sample_link(&cur);
		}
		if (i == 5) {
			struct lv_event e = {.what = LV_EV_MARK};
			snprintf(e.text, sizeof(e.text), "cut c1");
			lv_tl_event(&b, -1, 1000.0 + t, &e);
		}
		if (have)
			lv_totals_update(&tot, &prev, &cur);
		struct lv_view v;
		assert_int_equal(
		    lv_view_build(&v, have ? &prev : NULL, &cur, &tot, LV_SORT_PID, NULL), 0);
		lv_tl_sample(&b, &v, 0.2, t);
		lv_view_free(&v);
		lv_sample_move(&prev, &cur);
		have = true;
	}
	lv_tl_end(&b, 2.0, 0, 0);
	lv_sample_free(&prev);
	char *s = lr_buf_take(&b);
	*len = strlen(s);
	return s;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_read_and_draw(void **state)
{
	size_t len, n, total;
	struct lr_tl tl;
	struct lr_tl_conn *c;
	(void)state;
	char *text = write_timeline(&len);
	FILE *in = fmemopen(text, len, "r");
	assert_int_equal(lr_tl_read(in, &tl), 0);
	fclose(in);
	assert_true(tl.ended);
	assert_int_equal(tl.n_samples, 11);
	assert_string_equal(tl.command, "ncat 198.18.1.2 5000");
	assert_int_equal(lr_tl_conns(&tl, &c, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].n_if, 2);
	assert_string_equal(c[0].bytes_if[0].ifname, "c1");
	/* Cumulative at the end: c1 6 MB (kept after its subflow ended), c2 11 MB. */
	const struct lr_tl_series *s1 = &c[0].bytes_if[0], *s2 = &c[0].bytes_if[1];
	assert_true(s1->v[s1->n - 1] == 6e6);
	assert_true(s2->v[s2->n - 1] == 11e6);
	assert_int_equal(c[0].bytes, 17000000);
	/* c1's rate: 40 Mbit/s up to the cut, 0 from the next interval on. */
	const struct lr_tl_series *r1 = &c[0].rate_if[0];
	for (size_t i = 0; i < r1->n; i++) {
		if (r1->t[i] <= 1.0 + 1e-9)
			assert_true(r1->v[i] > 39.9e6 && r1->v[i] < 40.1e6);
		else
			assert_true(r1->v[i] == 0);
	}
	/* The mark is placed by its wall clock. */
	size_t k;
	for (k = 0; k < tl.n_ev && strcmp(tl.ev[k].what, "mark") != 0; k++)
		;
	assert_true(k < tl.n_ev);
	assert_true(tl.ev[k].t > 0.99 && tl.ev[k].t < 1.01);
	/* The drawing: 3 panels, one series per interface in two, per subflow in the third. */
	char *svg = NULL;
	size_t svg_len = 0;
	FILE *out = open_memstream(&svg, &svg_len);
	lr_tl_svg(&tl, c, n, total, out);
	fclose(out);
	assert_int_equal(count(svg, "<g class=\"panel\""), 3);
	assert_int_equal(count(svg, "class=\"series\" data-ifname=\"c1\""), 3);
	assert_int_equal(count(svg, "class=\"series\" data-ifname=\"c2\""), 3);
	assert_int_equal(count(svg, "data-what=\"mark\""), 1);
	assert_non_null(strstr(svg, "cut c1"));
	assert_non_null(strstr(svg, "Mbit/s"));
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	lr_tl_conns_free(c, total);
	lr_tl_free(&tl);
	free(text);
}

static void test_not_a_timeline(void **state)
{
	char line[] = "{\"at\":\"close\",\"program\":\"ncat\"}\n";
	struct lr_tl tl;
	(void)state;
	FILE *in = fmemopen(line, strlen(line), "r");
	assert_int_equal(lr_tl_read(in, &tl), 1);
	fclose(in);
	lr_tl_free(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_retain),
	    cmocka_unit_test(test_read_and_draw),
	    cmocka_unit_test(test_not_a_timeline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
