/* SPDX-License-Identifier: MIT */
/*
 * The planner's per-path inputs from budgets (pl_conn.no_data: a path that may
 * not carry data now; pl_conn.no_path: one the connection may not use at all)
 * and paths of a kind, driven with a recording table of path-manager
 * operations like tests/unit/pathd/test_planner.c: every operation asked for,
 * with its arguments, in order.
 *
 * The world: wired is a device (eth0), wifi and cellular are kinds (cellular
 * a backup path); the interfaces are eth0, two Wi-Fi cards (wlp2s0, wlp3s0)
 * and a modem (wwan0). rsync lists wired, wifi and cellular; ssh wifi and
 * cellular. The peer is 198.19.0.1 port 5001.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/libconfig_linked.h"
#include "planner/planner.h"
#include "planner/retry.h"
#include "policy/config_text.h"

static const char conf[] =
    "paths = {\n"
    "  wired    = { dev = \"eth0\"; };\n"
    "  wifi     = { kind = \"wifi\"; };\n"
    "  cellular = { kind = \"cellular\"; backup = true; };\n"
    "};\n"
    "programs = (\n"
    "  { match = \"rsync\"; paths = [ \"wired\", \"wifi\", \"cellular\" ]; },\n"
    "  { match = \"ssh\";   paths = [ \"wifi\", \"cellular\" ]; }\n"
    ");\n";

enum { WIRED, WIFI, CELL };
enum { IF_ETH, IF_WLP2, IF_WWAN, IF_WLP3 }; /* slots in the interface table */

static struct mr_policy policy;
static struct pl_ifaces ifs;
static struct pl_world world;
static char record[4096];

static struct pl_addr ip(const char *text)
{
	struct pl_addr a = {.family = strchr(text, ':') ? AF_INET6 : AF_INET};
	assert_int_equal(inet_pton(a.family, text, a.a), 1);
	return a;
}

static struct pl_addr peer(void)
{
	return ip("198.19.0.1");
}

__attribute__((format(printf, 1, 2))) static void add(const char *fmt, ...)
{
	size_t n = strlen(record);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(record + n, sizeof(record) - n, fmt, ap);
	va_end(ap);
}

static int rec_create(void *ctx, const struct pl_conn *c, int path, const struct pl_addr *loc,
                      int ifindex, bool backup)
{
	char b[64];
	(void)ctx;
	add("create %08x %s %s if=%d%s\n", c->token, policy.paths[path].name,
	    pl_addr_str(loc, b, sizeof(b)), ifindex, backup ? " backup" : "");
	return 0;
}

static int rec_destroy(void *ctx, const struct pl_conn *c, const struct pl_sub *s, const char *why)
{
	char b[64];
	(void)ctx;
	add("destroy %08x %s:%u (%s)\n", c->token, pl_addr_str(&s->loc, b, sizeof(b)), s->lport,
	    why);
	return 0;
}

static int rec_reset(void *ctx, const struct pl_conn *c, const struct pl_sub *s, const char *why)
{
	char b[64];
	(void)ctx;
	add("reset %08x %s:%u (%s)\n", c->token, pl_addr_str(&s->loc, b, sizeof(b)), s->lport, why);
	return 0;
}

static int rec_set_backup(void *ctx, const struct pl_conn *c, const struct pl_sub *s, bool backup)
{
	char b[64];
	(void)ctx;
	add("set_backup %08x %s:%u %s\n", c->token, pl_addr_str(&s->loc, b, sizeof(b)), s->lport,
	    backup ? "on" : "off");
	return 0;
}

static int rec_announce(void *ctx, const struct pl_conn *c, int path, const struct pl_addr *loc,
                        bool backup)
{
	char b[64];
	(void)ctx;
	add("announce %08x %s %s%s\n", c->token, policy.paths[path].name,
	    pl_addr_str(loc, b, sizeof(b)), backup ? " backup" : "");
	return 0;
}

static const struct pl_ops ops = {
    .subflow_create = rec_create,
    .subflow_destroy = rec_destroy,
    .subflow_reset = rec_reset,
    .set_backup = rec_set_backup,
    .announce = rec_announce,
    .debug = NULL,
};

#define expect(want)                                                                               \
	do {                                                                                       \
		assert_string_equal(record, want);                                                 \
		record[0] = '\0';                                                                  \
	} while (0)

static double plan(struct pl_conn *c, double now)
{
	return pl_plan(&world, c, now, &ops, NULL);
}

static void iface(int slot, int ifindex, const char *name, enum mr_kind kind, const char *v4)
{
	struct pl_iface *f = &ifs.ifs[slot];
	f->ifindex = ifindex;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->kind = (uint8_t)kind;
	f->up = true;
	f->n_addr = 1;
	f->addr[0] = ip(v4);
}

static int setup(void **state)
{
	struct mr_config_error err;
	(void)state;
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, conf, strlen(conf), "t", &policy, &err), 0);
	memset(&ifs, 0, sizeof(ifs));
	/* eth0 is Ethernet too: the device a path names wins over the kind no path has. */
	iface(IF_ETH, 11, "eth0", MR_KIND_ETHERNET, "198.18.1.1");
	iface(IF_WLP2, 12, "wlp2s0", MR_KIND_WIFI, "198.18.2.1");
	iface(IF_WWAN, 13, "wwan0", MR_KIND_CELLULAR, "198.18.3.1");
	world = (struct pl_world){.policy = &policy,
	                          .ifs = &ifs,
	                          .grace_ms = 50,
	                          .wait_registration = true,
	                          .drain_ms = 500};
	record[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mr_policy_free(&policy);
	return 0;
}

/* A client connection of exe whose initial subflow leaves from v4 port 40000 at t. */
static void client(struct pl_conn *c, uint32_t token, const char *v4, const char *exe, double t)
{
	struct pl_addr rem = peer(), loc = ip(v4);
	memset(c, 0, sizeof(*c));
	c->token = token;
	c->t_seen = t;
	pl_conn_owner(c, 1000, 1000, exe);
	pl_conn_seen(&world, c, false, AF_INET, &loc, 40000, &rem, 5001, false, t);
	pl_conn_seen(&world, c, true, 0, &(struct pl_addr){0}, 0, &rem, 0, false, t);
}

static void sub_up(struct pl_conn *c, const char *v4, uint16_t lport, bool backup, double now)
{
	struct pl_addr rem = peer(), loc = ip(v4);
	assert_non_null(pl_sub_established(&world, c, &loc, lport, &rem, 5001, backup, now));
}

static void sub_closed(struct pl_conn *c, const char *v4, uint16_t lport)
{
	struct pl_addr rem = peer(), loc = ip(v4);
	pl_sub_closed(c, &loc, lport, &rem, 5001, 0, 0);
}

/* ---- kinds ---- */

/* The paths of a kind take their interfaces by kind, whatever their names. */
static void test_kind_paths(void **state)
{
	struct pl_conn c;
	(void)state;
	assert_int_equal(pl_path_of_iface(&world, &ifs.ifs[IF_WLP2]), WIFI);
	assert_int_equal(pl_path_of_iface(&world, &ifs.ifs[IF_WWAN]), CELL);
	assert_int_equal(pl_path_of_iface(&world, &ifs.ifs[IF_ETH]), WIRED);
	client(&c, 0x11, "198.18.1.1", "/usr/bin/rsync", 0);
	plan(&c, 0);
	expect("create 00000011 wifi 198.18.2.1 if=12\n"
	       "create 00000011 cellular 198.18.3.1 if=13 backup\n");
}

/* Every interface of a path's kind gets a subflow: a second Wi-Fi card that comes up, and
 * one that goes away, one subflow each. */
static void test_kind_second_interface(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x12, "198.18.2.1", "/usr/bin/ssh", 0);
	plan(&c, 0);
	sub_up(&c, "198.18.3.1", 40001, true, 1);
	expect("create 00000012 cellular 198.18.3.1 if=13 backup\n");
	iface(IF_WLP3, 14, "wlp3s0", MR_KIND_WIFI, "198.18.4.1");
	plan(&c, 10);
	sub_up(&c, "198.18.4.1", 40002, false, 11);
	expect("create 00000012 wifi 198.18.4.1 if=14\n");
	plan(&c, 12);
	expect("");
	assert_int_equal(c.s[2].path, WIFI);
	ifs.ifs[IF_WLP3].up = false;
	plan(&c, 20);
	expect("destroy 00000012 198.18.4.1:40002 (its path went away)\n");
	/* An interface of no kind a path names is nobody's. */
	iface(IF_WLP3, 15, "veth0", MR_KIND_NONE, "198.18.5.1");
	sub_closed(&c, "198.18.4.1", 40002);
	plan(&c, 30);
	expect("");
	assert_int_equal(pl_path_of_iface(&world, &ifs.ifs[IF_WLP3]), -1);
}

/* ---- what a connection may do on a path ---- */

#define BIT(path) (1u << (path))

/* no_data: the path's subflows are flagged backup, new ones are created so; once it may carry
 * data again, the config's flag (wifi: active). */
static void test_no_data(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x21, "198.18.1.1", "/usr/bin/rsync", 0);
	c.no_data = BIT(WIFI);
	plan(&c, 0);
	expect("create 00000021 wifi 198.18.2.1 if=12 backup\n"
	       "create 00000021 cellular 198.18.3.1 if=13 backup\n");
	sub_up(&c, "198.18.2.1", 40001, true, 1);
	sub_up(&c, "198.18.3.1", 40002, true, 1);
	plan(&c, 2);
	expect("");
	c.no_data = 0;
	plan(&c, 3);
	expect("set_backup 00000021 198.18.2.1:40001 off\n");
	plan(&c, 4);
	expect("");
	/* The wired initial subflow held backup, then given back. */
	c.no_data = BIT(WIRED);
	plan(&c, 5);
	expect("set_backup 00000021 198.18.1.1:40000 on\n");
	c.no_data = 0;
	plan(&c, 6);
	expect("set_backup 00000021 198.18.1.1:40000 off\n");
}

/* no_path with another subflow carrying data: first flagged backup (no new data goes there),
 * reset drain_ms later; no subflow is made there again while it lasts. */
static void test_no_path_drained(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x23, "198.18.2.1", "/usr/bin/rsync", 0);
	plan(&c, 0);
	sub_up(&c, "198.18.1.1", 40001, false, 1);
	sub_up(&c, "198.18.3.1", 40002, true, 1);
	expect("create 00000023 wired 198.18.1.1 if=11\n"
	       "create 00000023 cellular 198.18.3.1 if=13 backup\n");
	c.no_path = BIT(WIFI);
	assert_true(plan(&c, 100) == 600);
	expect("set_backup 00000023 198.18.2.1:40000 on\n");
	assert_true(plan(&c, 599) == 600);
	expect("");
	plan(&c, 600);
	expect("reset 00000023 198.18.2.1:40000 (its path is not to be used now)\n");
	sub_closed(&c, "198.18.2.1", 40000);
	plan(&c, 601);
	expect("");
	/* Cellular is backup already: reset when its drain is over, no re-flag. */
	c.no_path = BIT(WIFI) | BIT(CELL);
	assert_true(plan(&c, 700) == 1200);
	expect("");
	plan(&c, 1200);
	expect("reset 00000023 198.18.3.1:40002 (its path is not to be used now)\n");
	/* Usable again: subflows come back. */
	sub_closed(&c, "198.18.3.1", 40002);
	c.no_path = 0;
	plan(&c, 1300);
	expect("create 00000023 wifi 198.18.2.1 if=12\n"
	       "create 00000023 cellular 198.18.3.1 if=13 backup\n");
}

/* no_path on the only subflow: while another path's subflow is being made it keeps
 * carrying; with nothing else usable it is reset at once (flagged backup, the only subflow
 * would still carry everything). */
static void test_no_path_only_path(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x24, "198.18.3.1", "/usr/bin/ssh", 0);
	ifs.ifs[IF_WLP2].up = false;
	c.no_path = BIT(CELL);
	plan(&c, 0);
	expect("set_backup 00000024 198.18.3.1:40000 on\n"
	       "reset 00000024 198.18.3.1:40000 (its path is not to be used now)\n");

	client(&c, 0x25, "198.18.3.1", "/usr/bin/ssh", 0);
	ifs.ifs[IF_WLP2].up = true;
	c.no_path = BIT(CELL);
	plan(&c, 0);
	expect("set_backup 00000025 198.18.3.1:40000 on\n"
	       "create 00000025 wifi 198.18.2.1 if=12\n");
	plan(&c, 1);
	expect("");
	sub_up(&c, "198.18.2.1", 40001, false, 2);
	assert_true(plan(&c, 2) == 502);
	expect("");
	plan(&c, 502);
	expect("reset 00000025 198.18.3.1:40000 (its path is not to be used now)\n");
}

/* Without a reset operation, a subflow leaving a path is closed (SUBFLOW_DESTROY). */
static void test_no_path_without_reset(void **state)
{
	struct pl_conn c;
	struct pl_ops no_reset = ops;
	(void)state;
	no_reset.subflow_reset = NULL;
	client(&c, 0x28, "198.18.3.1", "/usr/bin/ssh", 0);
	ifs.ifs[IF_WLP2].up = false;
	c.no_path = BIT(CELL);
	pl_plan(&world, &c, 0, &no_reset, NULL);
	expect("set_backup 00000028 198.18.3.1:40000 on\n"
	       "destroy 00000028 198.18.3.1:40000 (its path is not to be used now)\n");
	pl_plan(&world, &c, 1, &no_reset, NULL);
	expect("");
}

/* A protected join on a path in no_data is not promoted; once the path may carry data it is,
 * promote_ms after it was established. */
static void test_no_data_protected(void **state)
{
	struct pl_conn c;
	(void)state;
	client(&c, 0x26, "198.18.1.1", "/usr/bin/rsync", 0);
	c.prot = (struct pl_protection){.on = true, .promote_ms = 20};
	plan(&c, 0);
	expect("create 00000026 wifi 198.18.2.1 if=12 backup\n"
	       "create 00000026 cellular 198.18.3.1 if=13 backup\n");
	sub_up(&c, "198.18.2.1", 40001, true, 1);
	c.no_data = BIT(WIFI);
	plan(&c, 21);
	expect("");
	plan(&c, 50);
	expect("");
	c.no_data = 0;
	plan(&c, 60);
	expect("set_backup 00000026 198.18.2.1:40001 off\n");
}

/* Server side: no announce of a path the connection may not use; its joins there reset. */
static void test_no_path_server(void **state)
{
	struct pl_conn c;
	struct pl_addr loc = ip("198.18.1.1"), rem = peer(), wifi = ip("198.18.2.1");
	(void)state;
	memset(&c, 0, sizeof(c));
	c.token = 0x27;
	pl_conn_seen(&world, &c, true, AF_INET, &loc, 5001, &rem, 40000, true, 0);
	pl_conn_owner(&c, 9, 0, "/usr/bin/rsync");
	c.no_path = BIT(CELL);
	plan(&c, 0);
	expect("announce 00000027 wifi 198.18.2.1\n");
	pl_sub_established(&world, &c, &wifi, 5001, &rem, 40001, false, 5);
	c.no_path = BIT(WIFI); /* cellular allowed again: announced now */
	plan(&c, 6);
	expect("announce 00000027 cellular 198.18.3.1\n"
	       "set_backup 00000027 198.18.2.1:5001 on\n");
	plan(&c, 506);
	expect("reset 00000027 198.18.2.1:5001 (its path is not to be used now)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kind_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kind_second_interface, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_path_drained, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_path_only_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_path_without_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_data_protected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_path_server, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
