/* SPDX-License-Identifier: MIT */
/*
 * The planner's path modes (launcher/planner/modes.h) driven like the rest
 * of the planner (planner_world.h: a recording table of operations, the
 * kernel's events and the subflows' samples replayed by hand): handover on a
 * link cut, a stall and a slow path, and back; interactive switches with
 * their hysteresis; the protection of the joins that take over; the paths
 * that may not carry data; how often each connection wants samples. A
 * changed decision changes the record, and the case fails.
 *
 * The world: wired (c1), wifi (c2), cellular (c3), none backup; "ho" lists
 * wifi then cellular in handover mode (stall 1 s, RTT 300 ms, loss 10 %),
 * "ia" the same in interactive mode (every 100 ms, better by 20 % for
 * 500 ms), "hb" wifi and a backup cellular in handover mode.
 */
#include "planner/measure.h"
#include "planner/retry.h"
#include "planner_world.h"

static const char conf[] =
    "paths = { wired = { dev = \"c1\"; }; wifi = { dev = \"c2\"; }; cellular = { dev = \"c3\"; "
    "}; };\n"
    "programs = (\n"
    "  { match = \"ho\"; paths = [ \"wifi\", \"cellular\" ]; path_mode = \"handover\";\n"
    "    handover = { stall_ms = 1000; rtt_ms = 300; loss_pct = 10; }; },\n"
    "  { match = \"ia\"; paths = [ \"wifi\", \"cellular\" ]; path_mode = \"interactive\";\n"
    "    interactive = { every_ms = 100; better_pct = 20; hold_ms = 500; }; }\n"
    ");\n";

static int setup(void **state)
{
	(void)state;
	return rec_setup(conf);
}

static const struct pl_protection prot = {.on = true, .promote_ms = 20};

/* A sample: acked bytes, bytes in flight (segments), RTT in ms. */
static struct pl_sample smp(uint64_t acked, uint32_t unacked, double rtt_ms)
{
	return (struct pl_sample){.bytes_acked = acked,
	                          .unacked = unacked,
	                          .rtt_us = (uint32_t)(rtt_ms * 1000),
	                          .rto_us = 200000,
	                          .segs_out = (uint32_t)(acked / 1000)};
}

/* ---- handover ---- */

/* Wifi works: cellular never gets a subflow, whatever the samples say. */
static void test_handover_idle_path(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x11, WIFI, "/usr/bin/ho", 0);
	c.prot = prot;
	assert_true(plan(&c, 0) == 0);
	assert_int_equal(pl_sample_every(&c), 250);
	for (int t = 250; t <= 5000; t += 250) {
		struct pl_sample x = smp((uint64_t)t * 1000, 10, 5);
		sample(&c, WIFI, 40000, false, &x, t);
		plan(&c, t);
	}
	/* Idle (nothing in flight) for longer than stall_ms: not a stall. */
	struct pl_sample x = smp(5000000, 0, 5);
	sample(&c, WIFI, 40000, false, &x, 9000);
	plan(&c, 9000);
	expect("");
	assert_int_equal(c.n_sub, 1);
	assert_string_equal(debug_log, "token 00000011 (/usr/bin/ho): paths wifi, cellular, "
	                               "handover\n");
}

/*
 * Wifi's link goes down: a cellular join, backup until promote_ms after it is established;
 * wifi's subflow stays until then (the join must not carry data while the receiver may still
 * be finishing it), then goes. Wifi back: the same the other way, and cellular keeps nothing.
 */
static void test_handover_link_cut(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x12, WIFI, "/usr/bin/ho", 0);
	c.prot = prot;
	plan(&c, 0);
	iface(WIFI)->up = false;
	plan(&c, 1000);
	expect("create 00000012 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
	sub_up(&c, CELL, 41000, false, 1001);
	assert_true(plan(&c, 1001) == 1021);
	expect(""); /* wifi kept: the join is not promoted yet */
	plan(&c, 1021);
	expect("set_backup 00000012 198.18.3.1:41000 -> 198.19.0.1:5001 off\n"
	       "destroy 00000012 198.18.2.1:40000 -> 198.19.0.1:5001 (its path went away)\n");
	assert_string_equal(info_log, "token 00000012: handover: subflow on cellular\n"
	                              "token 00000012: handover: data on cellular (was on wifi)\n");
	sub_closed(&c, WIFI, 40000, 0, 1022);
	plan(&c, 1500);
	expect("");
	/* Wifi back: made at once (no retry wait: its address went away). */
	iface(WIFI)->up = true;
	plan(&c, 5000);
	expect("create 00000012 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
	sub_up(&c, WIFI, 40100, false, 5001);
	plan(&c, 5001);
	expect("");
	plan(&c, 5021);
	expect("set_backup 00000012 198.18.2.1:40100 -> 198.19.0.1:5001 off\n"
	       "destroy 00000012 198.18.3.1:41000 -> 198.19.0.1:5001 (handover: data on wifi)\n");
	assert_non_null(strstr(info_log, "handover: data on wifi (was on cellular)\n"));
	assert_false(pl_retry_unreachable(&c, WIFI));
}

/*
 * A silent blackhole on wifi (link up): data in flight and no ACK for stall_ms: judged
 * stalled, cellular takes over; wifi is tried again after 1 s (a join that does not come up in
 * 2.5 s is closed, and the next waits 2 s), and once a wifi join carries data again cellular
 * goes.
 */
static void test_handover_stall(void **state)
{
	struct pl_conn c;
	struct pl_sample x;
	(void)state;
	client(&c, 0x13, WIFI, "/usr/bin/ho", 0);
	c.prot = prot;
	plan(&c, 0);
	x = smp(100000, 10, 5);
	sample(&c, WIFI, 40000, false, &x, 250);
	plan(&c, 250);
	/* From 300 on, nothing is acknowledged: at 1250 the last ACK is 1 s old. */
	x = smp(120000, 10, 5);
	x.last_ack_ms = 0;
	sample(&c, WIFI, 40000, false, &x, 300);
	x.last_ack_ms = 950;
	sample(&c, WIFI, 40000, false, &x, 1250);
	plan(&c, 1250);
	expect("");
	x.last_ack_ms = 1000;
	sample(&c, WIFI, 40000, false, &x, 1300);
	assert_true(pl_stalled(&c, &c.s[0], 1300));
	assert_true(plan(&c, 1300) == 2300); /* wifi's retry */
	expect("create 00000013 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
	assert_string_equal(info_log, "token 00000013: handover: wifi stalled (data in flight, no "
	                              "ACK for 1000 ms)\n"
	                              "token 00000013: handover: subflow on cellular\n");
	sub_up(&c, CELL, 41000, false, 1301);
	plan(&c, 1321);
	expect(
	    "set_backup 00000013 198.18.3.1:41000 -> 198.19.0.1:5001 off\n"
	    "destroy 00000013 198.18.2.1:40000 -> 198.19.0.1:5001 (handover: data on cellular)\n");
	sub_closed(&c, WIFI, 40000, 0, 1322); /* closed by us: not another failure */
	assert_int_equal(c.retry[WIFI].fails, 1);
	/* 1 s later: a wifi join, which the blackhole keeps from coming up. */
	plan(&c, 2300);
	expect("create 00000013 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
	assert_non_null(strstr(info_log, "subflow on wifi again (retry 1, after 1 s): stalled"));
	x = (struct pl_sample){0};
	sample(&c, WIFI, 40200, true, &x, 2500); /* SYN-SENT: its port */
	assert_true(plan(&c, 2500) == 4800);
	plan(&c, 4800);
	expect("destroy 00000013 198.18.2.1:40200 -> 198.19.0.1:5001 (not established in 2500 "
	       "ms)\n");
	assert_int_equal(c.retry[WIFI].fails, 2);
	sub_closed(&c, WIFI, 40200, 0, 4801);
	assert_true(plan(&c, 4801) == 6800);
	expect("");
	/* The blackhole is gone: the next join comes up and takes the data back. */
	plan(&c, 6800);
	expect("create 00000013 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
	sub_up(&c, WIFI, 40300, false, 6801);
	plan(&c, 6821);
	expect("set_backup 00000013 198.18.2.1:40300 -> 198.19.0.1:5001 off\n"
	       "destroy 00000013 198.18.3.1:41000 -> 198.19.0.1:5001 (handover: data on wifi)\n");
	assert_non_null(strstr(info_log, "data on wifi (was on cellular)"));
}

/* Nothing in flight but data waiting with the peer's window open (a firewall dropping what
 * leaves): a stall too. The same with the peer's window closed (it asked us to wait): not. */
static void test_handover_held_back(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x19, WIFI, "/usr/bin/ho", 0);
	plan(&c, 0);
	struct pl_sample x = {.bytes_acked = 1000, .notsent = 65536, .snd_wnd = 0};
	sample(&c, WIFI, 40000, false, &x, 100);
	x.last_ack_ms = 2000;
	sample(&c, WIFI, 40000, false, &x, 2100);
	plan(&c, 2100);
	expect("");
	x.snd_wnd = 65536;
	sample(&c, WIFI, 40000, false, &x, 2200);
	plan(&c, 2200);
	expect("create 00000019 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001\n");
}

/* RTT beyond rtt_ms (or loss beyond loss_pct) for stall_ms while it carries data: too slow. A
 * spike shorter than that is not. */
static void test_handover_slow(void **state)
{
	struct pl_conn c;
	struct pl_sample x;
	(void)state;
	client(&c, 0x14, WIFI, "/usr/bin/ho", 0);
	plan(&c, 0);
	x = smp(100000, 10, 400);
	sample(&c, WIFI, 40000, false, &x, 100);
	x = smp(200000, 10, 400);
	sample(&c, WIFI, 40000, false, &x, 600);
	x = smp(300000, 10, 20); /* back under 300 ms: the clock starts again */
	sample(&c, WIFI, 40000, false, &x, 900);
	plan(&c, 1200);
	expect("");
	x = smp(400000, 10, 500);
	sample(&c, WIFI, 40000, false, &x, 1000);
	x = smp(500000, 10, 500);
	sample(&c, WIFI, 40000, false, &x, 1999);
	plan(&c, 1999);
	expect("");
	x = smp(600000, 10, 500);
	sample(&c, WIFI, 40000, false, &x, 2000);
	plan(&c, 2000);
	expect("create 00000014 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001\n");
	assert_string_equal(info_log, "token 00000014: handover: wifi too slow (RTT 500 ms, loss "
	                              "0 %)\n"
	                              "token 00000014: handover: subflow on cellular\n");
	/* Unprotected: the join is active at once, and wifi goes once it is established. */
	sub_up(&c, CELL, 41000, false, 2001);
	plan(&c, 2001);
	expect("destroy 00000014 198.18.2.1:40000 -> 198.19.0.1:5001 (handover: data on "
	       "cellular)\n");
	/* Loss: 3 of 20 segments sent again, 15 % > 10 %. */
	client(&c, 0x15, WIFI, "/usr/bin/ho", 0);
	plan(&c, 0);
	x = (struct pl_sample){.segs_out = 100, .total_retrans = 0, .unacked = 5, .rtt_us = 5000};
	sample(&c, WIFI, 40000, false, &x, 100);
	x = (struct pl_sample){
	    .bytes_acked = 10, .segs_out = 120, .total_retrans = 3, .unacked = 5, .rtt_us = 5000};
	sample(&c, WIFI, 40000, false, &x, 200);
	x.bytes_acked = 20;
	sample(&c, WIFI, 40000, false, &x, 1200);
	plan(&c, 1200);
	expect("create 00000015 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001\n");
}

/* A path that may not carry data (no_data): its subflow is flagged backup and the next path
 * takes over; once it may again, the data goes back. */
static void test_handover_no_data(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x16, WIFI, "/usr/bin/ho", 0);
	c.prot = prot;
	plan(&c, 0);
	c.no_data = 1u << WIFI;
	plan(&c, 100);
	expect("set_backup 00000016 198.18.2.1:40000 -> 198.19.0.1:5001 on\n"
	       "create 00000016 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
	sub_up(&c, CELL, 41000, false, 101);
	plan(&c, 121);
	expect("set_backup 00000016 198.18.3.1:41000 -> 198.19.0.1:5001 off\n"
	       "destroy 00000016 198.18.2.1:40000 -> 198.19.0.1:5001 (handover: data on "
	       "cellular)\n");
	sub_closed(&c, WIFI, 40000, 0, 122);
	c.no_data = 0;
	plan(&c, 200);
	expect("create 00000016 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
}

/* A backup path in a handover list is still the next one: its join is made active when it
 * takes over. The server side announces as backup (the peer keeps its join idle) and does
 * not re-flag the peer's join. */
static void test_handover_backup_path_and_server(void **state)
{
	static const char conf2[] =
	    "paths = { wifi = { dev = \"c2\"; }; cellular = { dev = \"c3\"; backup = true; }; };\n"
	    "defaults = { path_mode = \"handover\"; integrity = \"accept-risk\"; };\n";
	struct mr_policy p2;
	struct mr_config_error err;
	struct pl_conn c;
	(void)state;
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, conf2, strlen(conf2), "t2", &p2, &err), 0);
	world.policy = &p2;
	world.wait_registration = false;
	client(&c, 0x17, WIFI, NULL, 0);
	plan(&c, 0);
	expect("");
	iface(WIFI)->up = false;
	plan(&c, 10);
	expect("create 00000017 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001\n");
	/* Server: announced backup although integrity is accept-risk (no protection). */
	struct pl_conn s;
	struct pl_addr rem = peer();
	iface(WIFI)->up = true;
	memset(&s, 0, sizeof(s));
	s.token = 0x18;
	pl_conn_seen(&world, &s, true, AF_INET, addr_of(WIFI), 80, &rem, 5001, true, 0);
	s.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	plan(&s, 0);
	expect("announce 00000018 cellular 198.18.3.1 backup\n");
	pl_sub_established(&world, &s, addr_of(CELL), 80, &rem, 6000, true, 5);
	plan(&s, 100);
	expect("");
	world.policy = &policy;
	mr_policy_free(&p2);
}

/* ---- interactive ---- */

/* Every path gets a backup join; the active flag moves to a path better by 20 % and 10 ms for
 * 500 ms, not for less, and never for equal or merely noisy scores. */
static void test_interactive_switch(void **state)
{
	struct pl_conn c;
	struct pl_sample w, k;
	(void)state;
	client(&c, 0x21, WIFI, "/usr/bin/ia", 0);
	c.prot = prot;
	plan(&c, 0);
	expect("create 00000021 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
	assert_int_equal(pl_sample_every(&c), 100);
	sub_up(&c, CELL, 41000, true, 1);
	/* Equal (and small differences): nothing, for 10 s. */
	for (int t = 100; t <= 10000; t += 100) {
		w = smp((uint64_t)t * 100, 5, 20 + (t / 100) % 3);
		k = smp(0, 0, 19);
		sample(&c, WIFI, 40000, false, &w, t);
		sample(&c, CELL, 41000, false, &k, t);
		plan(&c, t);
	}
	/* 40 ms against 31: 22 % better but only 9 ms: nothing either. */
	w = smp(2000000, 5, 40);
	k = smp(0, 0, 31);
	sample(&c, WIFI, 40000, false, &w, 10100);
	sample(&c, CELL, 41000, false, &k, 10100);
	plan(&c, 10100);
	expect("");
	/* Wifi's queue grows: 300 ms against 31; held 500 ms, then the switch. */
	w = smp(2100000, 5, 300);
	sample(&c, WIFI, 40000, false, &w, 10200);
	assert_true(plan(&c, 10200) == 10700);
	w = smp(2200000, 5, 35); /* a good sample inside the hold: the clock starts again */
	sample(&c, WIFI, 40000, false, &w, 10300);
	assert_true(plan(&c, 10300) == 0);
	w = smp(2300000, 5, 300);
	sample(&c, WIFI, 40000, false, &w, 10400);
	assert_true(plan(&c, 10400) == 10900);
	plan(&c, 10899);
	expect("");
	plan(&c, 10900);
	expect("set_backup 00000021 198.18.3.1:41000 -> 198.19.0.1:5001 off\n"
	       "set_backup 00000021 198.18.2.1:40000 -> 198.19.0.1:5001 on\n");
	assert_string_equal(info_log,
	                    "token 00000021: interactive: data on cellular (31.0 ms) from "
	                    "wifi (300.0 ms): better for the hold time\n");
	/* Now cellular is active; wifi's last RTT (300) is its score: no way back while cellular
	 * stays good, and no flapping. */
	for (int t = 11000; t <= 15000; t += 100) {
		k = smp((uint64_t)t * 100, 5, 25);
		sample(&c, CELL, 41000, false, &k, t);
		plan(&c, t);
	}
	expect("");
}

/* Loss counts: RTT + loss x RTO. 20 % loss with a 200 ms RTO adds 40 ms. */
static void test_interactive_loss(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x22, WIFI, "/usr/bin/ia", 0);
	plan(&c, 0);
	sub_up(&c, CELL, 41000, true, 1);
	record[0] = '\0';
	struct pl_sample w = {.segs_out = 100, .unacked = 5, .rtt_us = 10000, .rto_us = 200000};
	struct pl_sample k = {.segs_out = 10, .rtt_us = 12000, .rto_us = 200000};
	sample(&c, WIFI, 40000, false, &w, 100);
	sample(&c, CELL, 41000, false, &k, 100);
	w.segs_out = 150;
	w.total_retrans = 10;
	w.bytes_acked = 1000;
	sample(&c, WIFI, 40000, false, &w, 200);
	assert_true(pl_score(&c.s[0]) > 49.9 && pl_score(&c.s[0]) < 50.1);
	assert_true(plan(&c, 200) == 700);
	plan(&c, 700);
	expect("set_backup 00000022 198.18.3.1:41000 -> 198.19.0.1:5001 off\n"
	       "set_backup 00000022 198.18.2.1:40000 -> 198.19.0.1:5001 on\n");
}

/*
 * The active path goes: the switch is at once, but not onto a join established less than
 * promote_ms ago (protected connections): the planner waits for it.
 */
static void test_interactive_protected(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x23, WIFI, "/usr/bin/ia", 0);
	c.prot = prot;
	plan(&c, 0);
	sub_up(&c, CELL, 41000, true, 100);
	record[0] = '\0';
	iface(WIFI)->up = false;
	assert_true(plan(&c, 105) == 120);
	expect("");
	plan(&c, 120);
	expect("destroy 00000023 198.18.2.1:40000 -> 198.19.0.1:5001 (its path went away)\n"
	       "set_backup 00000023 198.18.3.1:41000 -> 198.19.0.1:5001 off\n");
	assert_non_null(strstr(info_log, "data on cellular"));
}

/* Aggregate connections are sampled only while a path retries; server ones never. */
static void test_sample_every(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x31, WIRED, "/usr/bin/other", 0);
	plan(&c, 100);
	assert_int_equal(pl_sample_every(&c), 0);
	pl_retry_fail(&c, WIFI, PL_FAIL_RESET, 104, 100);
	assert_int_equal(pl_sample_every(&c), 1000);
	c.server = true;
	assert_int_equal(pl_sample_every(&c), 0);
	assert_true(pl_retry_delay_ms(1) == 1000 && pl_retry_delay_ms(3) == 4000 &&
	            pl_retry_delay_ms(7) == 60000 && pl_retry_delay_ms(200) == 60000);
	char buf[64];
	assert_string_equal(pl_fail_text(&c.retry[WIFI], buf, sizeof(buf)), "reset (ECONNRESET)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_handover_idle_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_link_cut, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_stall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_held_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_slow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_no_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_backup_path_and_server, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interactive_switch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interactive_loss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interactive_protected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sample_every, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
