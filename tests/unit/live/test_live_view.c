/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the live view's decisions (launcher/live/): rates from two
 * samples, totals per interface across closed subflows, order and filter,
 * the columns a terminal width gets, and the one renderer whose text and
 * JSON must carry the same numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "live/render.h"
#include "live/view.h"

static void addr4(struct lv_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, a->a), 1);
}

static struct lv_conn *conn(struct lv_sample *s, uint32_t token, pid_t pid, const char *prog,
                            const char *rem)
{
	struct lv_conn *c = lv_sample_add_conn(s);
	assert_non_null(c);
	c->token = token;
	c->state = 1;
	c->pid = pid;
	snprintf(c->prog, sizeof(c->prog), "%s", prog);
	addr4(&c->loc, "198.18.1.1");
	addr4(&c->rem, rem);
	c->lport = 40000;
	c->rport = 5000;
	return c;
}

static struct lv_subflow *sf(struct lv_sample *s, uint32_t token, const char *ifname,
                             const char *loc, uint16_t lport, uint64_t sent, uint64_t recv)
{
	struct lv_subflow *f = lv_sample_add_subflow(s);
	assert_non_null(f);
	f->token = token;
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	addr4(&f->loc, loc);
	addr4(&f->rem, "198.18.1.2");
	f->lport = lport;
	f->rport = 5000;
	f->state = 1;
	f->bytes_sent = f->bytes_acked = sent;
	f->bytes_received = recv;
	f->rtt_us = 4000;
	return f;
}

/* Two paths, 0.5 s apart: 1 MB and 0.5 MB sent on them in between. */
static void two_samples(struct lv_sample *a, struct lv_sample *b)
{
	lv_sample_init(a);
	lv_sample_init(b);
	a->t = 10.0;
	conn(a, 0xaa, 100, "ncat", "198.18.1.2");
	sf(a, 0xaa, "c1", "198.18.1.1", 40000, 1000000, 10);
	sf(a, 0xaa, "c2", "198.18.2.1", 40001, 2000000, 20);
	lv_sample_link(a);
	b->t = 10.5;
	conn(b, 0xaa, 100, "ncat", "198.18.1.2");
	sf(b, 0xaa, "c1", "198.18.1.1", 40000, 2000000, 10);
	sf(b, 0xaa, "c2", "198.18.2.1", 40001, 2500000, 520);
	lv_sample_link(b);
}

static void test_rates(void **state)
{
	struct lv_sample a, b;
	struct lv_totals tot = {0};
	struct lv_view v;
	(void)state;
	two_samples(&a, &b);
	lv_totals_update(&tot, &a, &b);
	assert_int_equal(lv_view_build(&v, &a, &b, &tot, LV_SORT_RATE, NULL), 0);
	assert_true(v.dt > 0.499 && v.dt < 0.501);
	assert_int_equal(v.n_ifs, 2);
	assert_string_equal(v.ifs[0].ifname, "c1");
	assert_true(v.ifs[0].rate.tx > 1999999 && v.ifs[0].rate.tx < 2000001);
	assert_true(v.ifs[1].rate.tx > 999999 && v.ifs[1].rate.tx < 1000001);
	assert_true(v.ifs[1].rate.rx > 999 && v.ifs[1].rate.rx < 1001);
	assert_true(v.conn[0].tx > 2999999 && v.conn[0].tx < 3000001);
	assert_int_equal(v.ifs[0].tx_bytes, 2000000);
	/* First sample: no rates, but the bytes. */
	lv_view_free(&v);
	assert_int_equal(lv_view_build(&v, NULL, &a, NULL, LV_SORT_RATE, NULL), 0);
	assert_true(v.dt == 0 && v.ifs[0].rate.tx == 0);
	assert_int_equal(v.ifs[1].tx_bytes, 2000000);
	lv_view_free(&v);
	lv_sample_free(&a);
	lv_sample_free(&b);
}

/* A subflow that appears counts all its bytes; one that ends keeps its bytes in the totals. */
static void test_new_and_closed_subflows(void **state)
{
	struct lv_sample a, b, c;
	struct lv_totals tot = {0};
	struct lv_view v;
	(void)state;
	two_samples(&a, &b);
	lv_sample_init(&c);
	c.t = 11.0;
	conn(&c, 0xaa, 100, "ncat", "198.18.1.2");
	sf(&c, 0xaa, "c2", "198.18.2.1", 40001, 3000000, 520);
	sf(&c, 0xaa, "c3", "198.18.3.1", 40002, 100000, 0); /* new */
	lv_sample_link(&c);
	lv_totals_update(&tot, &a, &b);
	lv_totals_update(&tot, &b, &c);
	assert_int_equal(lv_view_build(&v, &b, &c, &tot, LV_SORT_RATE, NULL), 0);
	assert_int_equal(v.n_ifs, 3);
	/* c1 closed: no subflow, no rate, its 2 MB kept. */
	assert_string_equal(v.ifs[0].ifname, "c1");
	assert_int_equal(v.ifs[0].subflows, 0);
	assert_true(v.ifs[0].rate.tx == 0);
	assert_int_equal(v.ifs[0].tx_bytes, 2000000);
	assert_string_equal(v.ifs[2].ifname, "c3");
	assert_true(v.ifs[2].rate.tx > 199999 && v.ifs[2].rate.tx < 200001);
	lv_view_free(&v);
	/* A counter that went backwards is a new socket: its bytes are new. */
	c.sfs[0].bytes_acked = 10;
	assert_int_equal(lv_view_build(&v, &b, &c, &tot, LV_SORT_RATE, NULL), 0);
	assert_true(v.sf[0].tx > 19 && v.sf[0].tx < 21);
	lv_view_free(&v);
	lv_sample_free(&a);
	lv_sample_free(&b);
	lv_sample_free(&c);
}

static void test_sort_and_filter(void **state)
{
	struct lv_sample a, b;
	struct lv_view v;
	(void)state;
	lv_sample_init(&a);
	lv_sample_init(&b);
	a.t = 1;
	b.t = 2;
	conn(&a, 1, 30, "curl", "198.18.1.9");
	conn(&a, 2, 20, "ncat", "198.18.1.2");
	conn(&a, 3, 10, "ssh", "198.18.1.5");
	sf(&a, 1, "c1", "198.18.1.1", 1, 0, 0);
	sf(&a, 2, "c1", "198.18.1.1", 2, 0, 0);
	sf(&a, 3, "c1", "198.18.1.1", 3, 0, 0);
	lv_sample_link(&a);
	conn(&b, 1, 30, "curl", "198.18.1.9");
	conn(&b, 2, 20, "ncat", "198.18.1.2");
	conn(&b, 3, 10, "ssh", "198.18.1.5");
	sf(&b, 1, "c1", "198.18.1.1", 1, 500, 0);
	sf(&b, 2, "c1", "198.18.1.1", 2, 900, 0);
	sf(&b, 3, "c1", "198.18.1.1", 3, 100, 0);
	lv_sample_link(&b);
	assert_int_equal(lv_view_build(&v, &a, &b, NULL, LV_SORT_RATE, NULL), 0);
	assert_int_equal(v.n_order, 3);
	assert_int_equal(b.conns[v.order[0]].token, 2);
	assert_int_equal(b.conns[v.order[2]].token, 3);
	lv_view_free(&v);
	assert_int_equal(lv_view_build(&v, &a, &b, NULL, LV_SORT_PID, NULL), 0);
	assert_int_equal(b.conns[v.order[0]].pid, 10);
	lv_view_free(&v);
	assert_int_equal(lv_view_build(&v, &a, &b, NULL, LV_SORT_PROGRAM, NULL), 0);
	assert_string_equal(b.conns[v.order[0]].prog, "curl");
	lv_view_free(&v);
	assert_int_equal(lv_view_build(&v, &a, &b, NULL, LV_SORT_REMOTE, NULL), 0);
	assert_int_equal(b.conns[v.order[0]].token, 2);
	assert_int_equal(b.conns[v.order[2]].token, 1);
	lv_view_free(&v);
	assert_int_equal(lv_view_build(&v, &a, &b, NULL, LV_SORT_RATE, "nca"), 0);
	assert_int_equal(v.n_order, 1);
	assert_int_equal(b.conns[v.order[0]].token, 2);
	/* Interface totals are the namespace's, whatever the filter. */
	assert_int_equal(v.ifs[0].tx_bytes, 1500);
	lv_view_free(&v);
	assert_int_equal(lv_sort_next(LV_SORT_REMOTE), LV_SORT_RATE);
	lv_sample_free(&a);
	lv_sample_free(&b);
}

static void test_columns_for_width(void **state)
{
	(void)state;
	assert_int_equal(lv_columns_for(0), LV_COL_ALL);
	assert_int_equal(lv_columns_for(40), 0);
	unsigned c80 = lv_columns_for(80);
	assert_true(c80 & LV_COL_RTT);
	assert_true(c80 & LV_COL_ADDR);
	assert_false(c80 & LV_COL_TOTALS);
	unsigned c120 = lv_columns_for(120);
	assert_true((c120 & c80) == c80);
	assert_true(c120 & LV_COL_FLAGS);
	assert_int_equal(lv_columns_for(400), LV_COL_ALL);
}

static void test_human(void **state)
{
	char b[32];
	(void)state;
	assert_string_equal(lv_human(b, sizeof(b), 999, "B"), "999 B");
	assert_string_equal(lv_human(b, sizeof(b), 1234, "B"), "1.23 kB");
	assert_string_equal(lv_human(b, sizeof(b), 5870000, "B/s"), "5.87 MB/s");
	assert_string_equal(lv_human(b, sizeof(b), 45600000, "B"), "45.6 MB");
	assert_string_equal(lv_human(b, sizeof(b), -1, "B"), "0 B");
}

/* The text and the JSON of one snapshot carry the same numbers. */
static void test_render_text_and_json_agree(void **state)
{
	struct lv_sample a, b;
	struct lv_view v;
	struct lr_buf tb, jb;
	struct lv_out to, jo;
	struct lv_layout l = {.width = 0, .cols = LV_COL_ALL, .interval = 0.5, .clock = "12:00:00"};
	(void)state;
	two_samples(&a, &b);
	b.conns[0].bytes_acked = 4500000;
	assert_int_equal(lv_view_build(&v, &a, &b, NULL, LV_SORT_RATE, NULL), 0);
	lr_buf_init(&tb);
	lr_buf_init(&jb);
	lv_out_init(&to, &tb, false);
	lv_out_init(&jo, &jb, true);
	lv_render(&to, &v, &l);
	lv_render(&jo, &v, &l);
	char *text = lr_buf_take(&tb), *js = lr_buf_take(&jb);
	assert_non_null(text);
	assert_non_null(js);
	json_error_t err;
	json_t *root = json_loads(js, 0, &err);
	assert_non_null(root);
	json_t *ifs = json_object_get(root, "interfaces");
	assert_int_equal(json_array_size(ifs), 2);
	json_t *c1 = json_array_get(ifs, 0);
	assert_string_equal(json_string_value(json_object_get(c1, "ifname")), "c1");
	assert_int_equal(json_integer_value(json_object_get(c1, "tx_rate")), 2000000);
	assert_int_equal(json_integer_value(json_object_get(c1, "tx_bytes")), 2000000);
	json_t *c = json_array_get(json_object_get(root, "connections"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "program")), "ncat");
	assert_string_equal(json_string_value(json_object_get(c, "token")), "000000aa");
	assert_int_equal(json_integer_value(json_object_get(c, "tx_rate")), 3000000);
	json_t *f = json_array_get(json_object_get(c, "subflows"), 1);
	assert_string_equal(json_string_value(json_object_get(f, "local")), "198.18.2.1:40001");
	assert_true(json_real_value(json_object_get(f, "rtt_ms")) == 4.0);
	/* The same figures in the text: 2.00 MB/s on c1, 3.00 MB/s for the connection. */
	assert_non_null(strstr(text, "2.00 MB/s"));
	assert_non_null(strstr(text, "3.00 MB/s"));
	assert_non_null(strstr(text, "198.18.2.1:40001"));
	assert_non_null(strstr(text, "4.00 ms"));
	assert_non_null(strstr(text, "ncat"));
	json_decref(root);
	free(text);
	free(js);
	/* A narrow terminal: no address, the rates still there. */
	l.width = 60;
	l.cols = lv_columns_for(60);
	lr_buf_init(&tb);
	lv_out_init(&to, &tb, false);
	lv_render(&to, &v, &l);
	text = lr_buf_take(&tb);
	assert_null(strstr(text, "198.18.2.1:40001"));
	assert_non_null(strstr(text, "3.00 MB/s"));
	free(text);
	lv_view_free(&v);
	lv_sample_free(&a);
	lv_sample_free(&b);
}

static void test_endpoints_and_states(void **state)
{
	struct lv_addr a;
	uint16_t p;
	char buf[80];
	(void)state;
	assert_true(lv_endpoint_parse("198.18.1.1:5000", &a, &p));
	assert_int_equal(p, 5000);
	assert_string_equal(lv_endpoint_str(&a, p, buf, sizeof(buf)), "198.18.1.1:5000");
	assert_true(lv_endpoint_parse("[fd00:0:0:1::1]:443", &a, &p));
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(lv_endpoint_str(&a, p, buf, sizeof(buf)), "[fd00:0:0:1::1]:443");
	assert_false(lv_endpoint_parse("nonsense", &a, &p));
	assert_false(lv_endpoint_parse("1.2.3.4:99999", &a, &p));
	assert_int_equal(lv_state_from_name(lv_state_name(8)), 8);
	assert_int_equal(lv_state_from_name("bogus"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rates),
	    cmocka_unit_test(test_new_and_closed_subflows),
	    cmocka_unit_test(test_sort_and_filter),
	    cmocka_unit_test(test_columns_for_width),
	    cmocka_unit_test(test_human),
	    cmocka_unit_test(test_render_text_and_json_agree),
	    cmocka_unit_test(test_endpoints_and_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
