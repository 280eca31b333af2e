/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's planner (launcher/planner) driven with a recording table
 * of path-manager operations: each case replays what the kernel and the
 * programs report (connections, subflows, links, registrations, restarts)
 * and compares every operation the planner asked for, with its arguments,
 * in order. A changed decision changes the record, and the case fails.
 *
 * The world: wired (c1), wifi (c2) and cellular (c3, backup by config);
 * ssh lists wifi and cellular, rsync wired and wifi, curl wifi only; the
 * defaults are all three. The peer is 198.19.0.1 port 5001.
 */
#include "planner/retry.h"
#include "planner_world.h"

static const char conf[] = "paths = {\n"
                           "  wired    = { dev = \"c1\"; };\n"
                           "  wifi     = { dev = \"c2\"; };\n"
                           "  cellular = { dev = \"c3\"; backup = true; };\n"
                           "};\n"
                           "programs = (\n"
                           "  { match = \"ssh\";   paths = [ \"wifi\", \"cellular\" ]; },\n"
                           "  { match = \"rsync\"; paths = [ \"wired\", \"wifi\" ]; },\n"
                           "  { match = \"curl\";  paths = [ \"wifi\" ]; }\n"
                           ");\n"
                           "defaults = { paths = [ \"wired\", \"wifi\", \"cellular\" ]; };\n";

static int setup(void **state)
{
	(void)state;
	return rec_setup(conf);
}

/* ---- cases ---- */

/* rsync (wired, wifi) from wired: one subflow on wifi, with its interface index, active. */
static void test_registered_client(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xa1, WIRED, "/usr/bin/rsync", 100);
	assert_true(plan(&c, 100) == 0);
	expect("create 000000a1 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	assert_string_equal(debug_log, "token 000000a1 (/usr/bin/rsync): paths wired, wifi\n");
	/* Nothing changes: nothing more, whatever the number of calls. */
	plan(&c, 101);
	sub_up(&c, WIFI, 40001, false, 102);
	plan(&c, 102);
	plan(&c, 5000);
	expect("");
	assert_int_equal(c.n_sub, 2);
}

/* A connection is planned only once both CREATED and ESTABLISHED have been seen. */
static void test_waits_for_established(void **state)
{
	struct pl_conn c;
	struct pl_addr rem = peer();
	(void)state;
	memset(&c, 0, sizeof(c));
	c.token = 0xa2;
	pl_conn_owner(&c, 1, 1000, "/usr/bin/rsync");
	pl_conn_seen(&world, &c, false, AF_INET, addr_of(WIRED), 40000, &rem, 5001, false, 10);
	assert_true(plan(&c, 10) == 0);
	expect("");
	pl_conn_seen(&world, &c, true, 0, &(struct pl_addr){0}, 0, &rem, 0, false, 20);
	plan(&c, 20);
	expect("create 000000a2 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
}

/* Unregistered: nothing during the grace period (the wake-up is its end), then the defaults. */
static void test_grace_expiry(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xb1, WIRED, NULL, 1000);
	assert_true(plan(&c, 1000) == 1050);
	assert_true(plan(&c, 1049) == 1050);
	expect("");
	assert_false(c.decided);
	assert_true(plan(&c, 1050) == 0);
	expect("create 000000b1 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n"
	       "create 000000b1 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
	assert_string_equal(
	    debug_log, "token 000000b1 (unregistered): paths wired, wifi, cellular (backup)\n");
}

/* No program lists its own paths: waiting for a registration buys nothing. */
static void test_no_wait_without_sections(void **state)
{
	struct pl_conn c;
	(void)state;
	world.wait_registration = false;
	client(&c, 0xb2, WIFI, NULL, 1000);
	assert_true(plan(&c, 1000) == 0);
	expect("create 000000b2 wired 198.18.1.1 if=11 -> 198.19.0.1:5001\n"
	       "create 000000b2 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
}

/* A registration after the grace period: the defaults are corrected to curl's wifi only. */
static void test_late_registration(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xb3, WIRED, NULL, 0);
	plan(&c, 60);
	sub_up(&c, WIFI, 40001, false, 61);
	sub_up(&c, CELL, 40002, true, 62);
	expect("create 000000b3 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n"
	       "create 000000b3 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
	pl_conn_owner(&c, 77, 1000, "/usr/bin/curl");
	assert_false(c.decided);
	plan(&c, 1500);
	expect("destroy 000000b3 198.18.1.1:40000 -> 198.19.0.1:5001 (unlisted interface)\n"
	       "destroy 000000b3 198.18.3.1:40002 -> 198.19.0.1:5001 (unlisted interface)\n");
	/* The same owner again decides nothing anew. */
	pl_conn_owner(&c, 77, 1000, "/usr/bin/curl");
	assert_true(c.decided);
	plan(&c, 1600);
	expect("");
}

/* Wifi goes down: its subflow is closed; nothing while it is down; back up: a new one. */
static void test_link_down_and_up(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xc1, WIRED, "/usr/bin/rsync", 0);
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, false, 1);
	expect("create 000000c1 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	iface(WIFI)->up = false;
	plan(&c, 100);
	expect("destroy 000000c1 198.18.2.1:40001 -> 198.19.0.1:5001 (its path went away)\n");
	plan(&c, 101); /* SUB_CLOSED not seen yet: not closed twice */
	sub_closed(&c, WIFI, 40001, 0, 101);
	plan(&c, 102);
	expect("");
	/* Back: made at once (closed by the daemon, not a failure to wait for). */
	iface(WIFI)->up = true;
	plan(&c, 200);
	expect("create 000000c1 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	assert_string_equal(info_log, "");
}

/* The only subflow is never closed, even when its path goes away. */
static void test_last_subflow_kept(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xc2, WIFI, "/usr/bin/curl", 0);
	plan(&c, 0);
	expect("");
	iface(WIFI)->up = false;
	plan(&c, 10);
	expect("");
}

/* Wifi's address changes: the subflow from the old one goes, one from the new one comes. */
static void test_address_change(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xc3, WIRED, "/usr/bin/rsync", 0);
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, false, 1);
	expect("create 000000c3 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	struct pl_addr old = *addr_of(WIFI), rem = peer();
	set_addr(WIFI, "198.18.2.9");
	plan(&c, 50);
	expect("destroy 000000c3 198.18.2.1:40001 -> 198.19.0.1:5001 (its path went away)\n"
	       "create 000000c3 wifi 198.18.2.9 if=12 -> 198.19.0.1:5001\n");
	pl_sub_closed(&c, &old, 40001, &rem, 5001, 0, 51);
	plan(&c, 51);
	expect("");
}

/* A refused create is not tried on every event: after 1 s, then 2 s, and so on. */
static void test_create_refused(void **state)
{
	struct pl_conn c;
	(void)state;
	create_rc[WIFI] = -ENETUNREACH;
	client(&c, 0xc4, WIRED, "/usr/bin/rsync", 0);
	assert_true(plan(&c, 0) == 1000);
	assert_true(plan(&c, 1) == 1000);
	expect("create 000000c4 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	assert_int_equal(c.n_sub, 1);
	assert_true(plan(&c, 1000) == 3000); /* refused again: 2 s */
	expect("create 000000c4 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	assert_string_equal(info_log, "token 000000c4: subflow on wifi again (retry 1, after 1 s): "
	                              "refused (ENETUNREACH)\n");
	create_rc[WIFI] = 0;
	plan(&c, 2999);
	expect("");
	plan(&c, 3000);
	expect("create 000000c4 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
}

/*
 * Subflows that come back: a join that never came up, one reset after it carried data, the
 * initial one closed by the peer: each path waits 1 s, 2 s, 4 s... (failures in a row), each
 * retry logged with its reason; a subflow that carried data for as long as the last wait
 * resets the count; a path without its address waits for nothing once it is back.
 */
static void test_closed_subflows(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xc5, WIRED, "/usr/bin/rsync", 0);
	plan(&c, 0);
	expect("create 000000c5 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	sub_closed(&c, WIFI, 40001, ECONNREFUSED, 10); /* refused by the peer: never came up */
	assert_true(plan(&c, 10) == 1010);
	expect("");
	/* Sampled while wifi retries: a join that does not come up is closed 2.5 s later. */
	assert_true(plan(&c, 1010) == 3510);
	expect("create 000000c5 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	sub_up(&c, WIFI, 40002, false, 1011);
	sub_closed(&c, WIFI, 40002, ECONNRESET, 1500); /* reset after it came up */
	assert_true(plan(&c, 1500) == 3500);
	plan(&c, 3500);
	expect("create 000000c5 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	assert_string_equal(info_log,
	                    "token 000000c5: subflow on wifi again (retry 1, after 1 s): never "
	                    "established (ECONNREFUSED)\n"
	                    "token 000000c5: subflow on wifi again (retry 2, after 2 s): reset "
	                    "(ECONNRESET)\n");
	assert_int_equal(c.retry[WIFI].fails, 2);
	assert_false(pl_retry_unreachable(&c, WIFI));
	/* Data flows on the new one: the count goes back to 0 once it lived 2 s (the last wait). */
	sub_up(&c, WIFI, 40003, false, 3501);
	struct pl_addr rem = peer();
	struct pl_sample x = {.bytes_acked = 1000, .unacked = 1};
	pl_sub_sampled(&c, addr_of(WIFI), 40003, &rem, 5001, false, &x, 4000);
	x.bytes_acked = 5000;
	pl_sub_sampled(&c, addr_of(WIFI), 40003, &rem, 5001, false, &x, 5000);
	assert_int_equal(c.retry[WIFI].fails, 2); /* 1.5 s: not yet */
	x.bytes_acked = 9000;
	pl_sub_sampled(&c, addr_of(WIFI), 40003, &rem, 5001, false, &x, 5600);
	assert_int_equal(c.retry[WIFI].fails, 0);
	/* The initial subflow closed by the peer (no error): wired waits 1 s like any path. */
	sub_closed(&c, WIRED, 40000, 0, 6000);
	plan(&c, 6000);
	expect("");
	plan(&c, 7000);
	expect("create 000000c5 wired 198.18.1.1 if=11 -> 198.19.0.1:5001\n");
	assert_non_null(strstr(info_log, "subflow on wired again (retry 1, after 1 s): closed by "
	                                 "the peer\n"));
	/* Wired fails twice more in a row: unreachable; its interface goes: forgotten. */
	sub_closed(&c, WIRED, 0, ETIMEDOUT, 7100);
	plan(&c, 9100);
	sub_closed(&c, WIRED, 0, ETIMEDOUT, 9200);
	assert_true(pl_retry_unreachable(&c, WIRED));
	iface(WIRED)->up = false;
	plan(&c, 9300);
	assert_false(pl_retry_unreachable(&c, WIRED));
	iface(WIRED)->up = true;
	record[0] = '\0';
	plan(&c, 9301);
	expect("create 000000c5 wired 198.18.1.1 if=11 -> 198.19.0.1:5001\n");
}

/* A SUB_CLOSED is matched by its port first: the closing subflow it names goes, not a join on
 * the same path whose port is not known yet, and no failure is counted. */
static void test_closed_exact_port(void **state)
{
	struct pl_conn c;
	struct pl_addr rem = peer();
	(void)state;
	client(&c, 0xc6, WIRED, "/usr/bin/rsync", 0);
	plan(&c, 0);
	expect("create 000000c6 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	struct pl_sub *old = pl_sub_add(&world, &c, addr_of(WIFI), 40001, &rem, 5001);
	old->live = old->ours = old->closing = true;
	sub_closed(&c, WIFI, 40001, 0, 10);
	assert_int_equal(c.n_sub, 2);
	assert_int_equal(c.s[1].lport, 0);
	assert_false(c.s[1].closing);
	assert_int_equal(c.retry[WIFI].fails, 0);
}

/* ssh (wifi, cellular): cellular is a backup path, and stays one even when protected. */
static void test_backup_path(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xd1, WIFI, "/usr/bin/ssh", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	plan(&c, 0);
	sub_up(&c, CELL, 40001, true, 1);
	assert_true(plan(&c, 1) == 0);
	plan(&c, 100);
	expect("create 000000d1 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
}

/* ssh whose wifi was down at connect(): the initial subflow on cellular is flagged backup. */
static void test_initial_on_backup_path(void **state)
{
	struct pl_conn c;
	(void)state;
	iface(WIFI)->up = false;
	client(&c, 0xd2, CELL, "/usr/bin/ssh", 0);
	plan(&c, 0);
	expect("set_backup 000000d2 198.18.3.1:40000 -> 198.19.0.1:5001 on\n");
	assert_true(c.s[0].backup);
	/* The peer's MP_PRIO (SUB_PRIORITY) does not undo it, nor make it flagged again. */
	struct pl_addr rem = peer();
	pl_sub_priority(&c, addr_of(CELL), 40000, &rem, 5001, false);
	assert_true(c.s[0].backup);
	plan(&c, 1);
	expect("");
	/* Wifi comes: its subflow is an active one; cellular stays a backup. */
	iface(WIFI)->up = true;
	plan(&c, 2);
	expect("create 000000d2 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
}

/* The unlisted initial subflow (routing picked wired for curl) goes once wifi is live. */
static void test_unlisted_initial(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xd3, WIRED, "/usr/bin/curl", 0);
	plan(&c, 0);
	expect("create 000000d3 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	plan(&c, 1); /* wifi not established yet: the initial one is all there is */
	expect("");
	sub_up(&c, WIFI, 40001, false, 2);
	plan(&c, 2);
	expect("destroy 000000d3 198.18.1.1:40000 -> 198.19.0.1:5001 (unlisted interface)\n");
}

/*
 * Protection: the wifi join is created backup, and re-flagged active (SET_FLAGS with the
 * token, both addresses and ports) promote_ms after its SUB_ESTABLISHED, once.
 */
static void test_protected_join(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xe1, WIRED, "/usr/bin/rsync", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	assert_true(plan(&c, 0) == 0);
	expect("create 000000e1 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
	assert_true(plan(&c, 50) == 0); /* not established: no clock runs */
	/* The event's flag is the peer's (0 from 6.10 on): the daemon's own flag stands. */
	sub_up(&c, WIFI, 40001, false, 100);
	assert_true(c.s[1].backup);
	assert_true(plan(&c, 100) == 120);
	assert_true(plan(&c, 119.9) == 120);
	expect("");
	assert_true(plan(&c, 120) == 0);
	expect("set_backup 000000e1 198.18.2.1:40001 -> 198.19.0.1:5001 off\n");
	assert_non_null(strstr(debug_log, "token 000000e1: subflow on wifi from port 40001 "
	                                  "promoted to active\n"));
	assert_false(c.s[1].backup);
	plan(&c, 500);
	expect("");
}

/* Without protection the same join is active from the start and never re-flagged. */
static void test_unprotected_join(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xe2, WIRED, "/usr/bin/rsync", 0);
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, false, 100);
	assert_true(plan(&c, 100) == 0);
	plan(&c, 200);
	expect("create 000000e2 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	assert_null(strstr(debug_log, "promoted"));
}

/* promote_ms 0: promoted on the SUB_ESTABLISHED itself. */
static void test_protected_at_once(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xe3, WIRED, "/usr/bin/rsync", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 0};
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, true, 100);
	assert_true(plan(&c, 100) == 0);
	expect("create 000000e3 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n"
	       "set_backup 000000e3 198.18.2.1:40001 -> 198.19.0.1:5001 off\n");
}

/* A protected join that closes before its promotion is forgotten (its successor is protected
 * in turn); a refused promotion leaves it backup, and is not tried again. */
static void test_protected_closed_or_refused(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xe4, WIRED, "/usr/bin/rsync", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, true, 100);
	plan(&c, 110);
	sub_closed(&c, WIFI, 40001, 0, 110);
	assert_true(plan(&c, 120) == 1110);
	plan(&c, 1110);
	expect("create 000000e4 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n"
	       "create 000000e4 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
	set_backup_rc = -EINVAL;
	sub_up(&c, WIFI, 40002, true, 1200);
	plan(&c, 1220);
	plan(&c, 1300);
	expect("set_backup 000000e4 198.18.2.1:40002 -> 198.19.0.1:5001 off\n");
	assert_true(c.s[1].backup);
	assert_null(strstr(debug_log, "promoted"));
}

/* curl on wifi only, protected, started on wired: the unlisted initial subflow stays until
 * the wifi join is promoted, so data never moves onto a join the receiver may not have
 * finished. */
static void test_protected_unlisted_initial(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xe5, WIRED, "/usr/bin/curl", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, true, 10);
	assert_true(plan(&c, 10) == 30);
	expect("create 000000e5 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n");
	plan(&c, 30);
	expect("set_backup 000000e5 198.18.2.1:40001 -> 198.19.0.1:5001 off\n"
	       "destroy 000000e5 198.18.1.1:40000 -> 198.19.0.1:5001 (unlisted interface)\n");
}

/* A promotion due on a join whose path went away: closed, not promoted. */
static void test_protected_path_gone(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0xe6, WIRED, "/usr/bin/rsync", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	plan(&c, 0);
	sub_up(&c, WIFI, 40001, true, 10);
	iface(WIFI)->up = false;
	plan(&c, 40);
	expect("create 000000e6 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001 backup\n"
	       "destroy 000000e6 198.18.2.1:40001 -> 198.19.0.1:5001 (its path went away)\n");
}

/*
 * Restart: a daemon adopts an rsync connection with its subflows (sock_diag) and its owner;
 * a new config lists wifi only for rsync; a join of ours left backup by a daemon that did
 * not live to promote it is promoted; the wired subflow goes once a listed one is active.
 */
static void test_adoption(void **state)
{
	static const char conf2[] =
	    "paths = { wired = { dev = \"c1\"; }; wifi = { dev = \"c2\"; };"
	    " cellular = { dev = \"c3\"; backup = true; }; };\n"
	    "programs = ( { match = \"rsync\"; paths = [ \"wifi\" ]; } );\n";
	struct mr_policy p2;
	struct mr_config_error err;
	struct pl_conn c;
	struct pl_addr rem = peer();
	(void)state;
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, conf2, strlen(conf2), "t2", &p2, &err), 0);
	world.policy = &p2;
	memset(&c, 0, sizeof(c));
	c.token = 0xf1;
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	/* adopt.c: the connection, its initial subflow, then each subflow with its flags. */
	c.created = c.established = c.adopted = true;
	c.t_created = c.t_established = 1000 - world.grace_ms;
	c.family = AF_INET;
	c.loc = *addr_of(WIRED);
	c.lport = 40000;
	c.rem = rem;
	c.rport = 5001;
	struct pl_sub *s = pl_sub_add(&world, &c, &c.loc, 40000, &rem, 5001);
	s->live = s->initial = true;
	pl_sub_adopted(&world, &c, addr_of(WIRED), 40000, &rem, 5001, false, false, 1000);
	pl_sub_adopted(&world, &c, addr_of(WIFI), 40001, &rem, 5001, true, true, 1000);
	assert_int_equal(c.n_sub, 2);
	pl_conn_owner(&c, 4242, 1000, "/usr/bin/rsync");
	assert_true(plan(&c, 1000) == 1020);
	expect("");
	plan(&c, 1020);
	expect("set_backup 000000f1 198.18.2.1:40001 -> 198.19.0.1:5001 off\n"
	       "destroy 000000f1 198.18.1.1:40000 -> 198.19.0.1:5001 (unlisted interface)\n");
	world.policy = &policy;
	mr_policy_free(&p2);
}

/* Adopted with no owner found: the defaults at once (its grace period is over). */
static void test_adoption_without_owner(void **state)
{
	struct pl_conn c;
	struct pl_addr rem = peer();
	(void)state;
	memset(&c, 0, sizeof(c));
	c.token = 0xf2;
	c.created = c.established = c.adopted = true;
	c.t_created = c.t_established = 1000 - world.grace_ms;
	c.family = AF_INET;
	c.loc = *addr_of(WIFI);
	c.rem = rem;
	c.lport = 40000;
	c.rport = 5001;
	struct pl_sub *s = pl_sub_add(&world, &c, &c.loc, 40000, &rem, 5001);
	s->live = s->initial = true;
	pl_sub_adopted(&world, &c, addr_of(WIRED), 40001, &rem, 5001, true, false, 1000);
	plan(&c, 1000);
	expect("create 000000f2 cellular 198.18.3.1 if=13 -> 198.19.0.1:5001 backup\n");
}

/* Server side: the listed addresses other than the connection's own are announced, once;
 * nothing is created there. */
static void test_server_announce(void **state)
{
	struct pl_conn c;
	struct pl_addr loc = *addr_of(WIRED), rem = peer();
	(void)state;
	memset(&c, 0, sizeof(c));
	c.token = 0x51;
	pl_conn_seen(&world, &c, true, AF_INET, &loc, 5001, &rem, 40000, true, 0);
	pl_conn_owner(&c, 9, 0, "/usr/bin/rsync");
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	assert_true(plan(&c, 0) == 0);
	/* Protected: announced as backup, so the peer's join carries no data yet. */
	expect("announce 00000051 wifi 198.18.2.1 backup\n");
	/* The peer's join arrives: this event means this end has finished it, so it is made
	 * active at once (MP_PRIO), and only once. */
	pl_sub_established(&world, &c, addr_of(WIFI), 5001, &rem, 40001, true, 5);
	plan(&c, 5);
	expect("set_backup 00000051 198.18.2.1:5001 -> 198.19.0.1:40001 off\n");
	pl_sub_established(&world, &c, addr_of(WIFI), 5001, &rem, 40001, true, 6);
	plan(&c, 6);
	plan(&c, 100);
	expect("");
	/* A path without an address is announced when it gets one. */
	memset(&c, 0, sizeof(c));
	c.token = 0x52;
	iface(WIFI)->n_addr = 0;
	pl_conn_seen(&world, &c, true, AF_INET, &loc, 5001, &rem, 40002, true, 0);
	pl_conn_owner(&c, 9, 0, "/usr/bin/rsync");
	plan(&c, 0);
	expect("");
	iface(WIFI)->n_addr = 2;
	plan(&c, 10);
	plan(&c, 20);
	expect("announce 00000052 wifi 198.18.2.1\n");
}

/* integrity = "accept-risk": no protection on either side (the daemon asks the planner with
 * the owner's value once the paths are decided). */
static void test_accept_risk(void **state)
{
	struct pl_conn c;
	struct pl_addr loc = *addr_of(WIRED), rem = peer();
	(void)state;
	/* The decision records the owner's integrity: the protect default here. */
	memset(&c, 0, sizeof(c));
	c.token = 0x71;
	pl_conn_owner(&c, 1, 0, "/usr/bin/rsync");
	pl_conn_seen(&world, &c, true, AF_INET, &loc, 40000, &rem, 5001, false, 0);
	c.prot = (struct pl_protection){.on = false, .promote_ms = 20};
	plan(&c, 0);
	assert_true(c.decided);
	assert_int_equal(c.integrity, MR_INTEGRITY_PROTECT);
	expect("create 00000071 wifi 198.18.2.1 if=12 -> 198.19.0.1:5001\n");
	/* A server whose owner accepts the risk announces plainly, and leaves joins alone. */
	memset(&c, 0, sizeof(c));
	c.token = 0x72;
	pl_conn_seen(&world, &c, true, AF_INET, &loc, 5001, &rem, 40000, true, 0);
	pl_conn_owner(&c, 9, 0, "/usr/bin/rsync");
	c.prot = (struct pl_protection){.on = false, .promote_ms = 20};
	plan(&c, 0);
	expect("announce 00000072 wifi 198.18.2.1\n");
	pl_sub_established(&world, &c, addr_of(WIFI), 5001, &rem, 40001, false, 5);
	plan(&c, 5);
	expect("");
}

/* IPv6: the subflows use the path's IPv6 address. */
static void test_ipv6(void **state)
{
	struct pl_conn c;
	struct pl_addr loc = ip("fd00:1::1"), rem = ip("fd00:99::1");
	(void)state;
	memset(&c, 0, sizeof(c));
	c.token = 0x61;
	pl_conn_owner(&c, 1, 0, "/usr/bin/rsync");
	pl_conn_seen(&world, &c, true, AF_INET6, &loc, 40000, &rem, 5001, false, 0);
	plan(&c, 0);
	expect("create 00000061 wifi fd00:2::1 if=12 -> fd00:99::1:5001\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_registered_client, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_waits_for_established, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grace_expiry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_wait_without_sections, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_late_registration, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_down_and_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_subflow_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_address_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_closed_subflows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_closed_exact_port, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_initial_on_backup_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlisted_initial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protected_join, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unprotected_join, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protected_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protected_closed_or_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protected_unlisted_initial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protected_path_gone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_adoption, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_adoption_without_owner, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_announce, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_risk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
