/* SPDX-License-Identifier: MIT */
/*
 * The unit tests' world for the path daemon's planner (launcher/planner),
 * included by each test file of tests/unit/pathd that drives it: three
 * interfaces, wired (c1), wifi (c2) and cellular (c3), each with an IPv4 and
 * an IPv6 address; a recording table of path-manager operations (one line
 * per operation, with its arguments, compared whole by expect()); the debug
 * and info lines the planner wrote; helpers that replay what the kernel
 * reports. The peer is 198.19.0.1 port 5001.
 */
#ifndef MPTCP_RUN_TESTS_UNIT_PATHD_PLANNER_WORLD_H
#define MPTCP_RUN_TESTS_UNIT_PATHD_PLANNER_WORLD_H

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
#include "planner/measure.h"
#include "planner/planner.h"
#include "planner/retry.h"
#include "policy/config_text.h"

enum { WIRED, WIFI, CELL };

/* ---- the world ---- */

static struct mr_policy policy;
static struct pl_ifaces ifs;
static struct pl_world world;

static inline struct pl_addr ip(const char *text)
{
	struct pl_addr a = {.family = strchr(text, ':') ? AF_INET6 : AF_INET};
	assert_int_equal(inet_pton(a.family, text, a.a), 1);
	return a;
}

static inline struct pl_iface *iface(int path)
{
	return &ifs.ifs[path];
}

static inline void set_addr(int path, const char *v4)
{
	iface(path)->addr[0] = ip(v4);
}

static inline const struct pl_addr *addr_of(int path)
{
	return &iface(path)->addr[0];
}

static inline struct pl_addr peer(void)
{
	return ip("198.19.0.1");
}

/* ---- the recording table ---- */

static char record[4096]; /* one line per operation */
static char debug_log[2048];
static char info_log[2048];
static int create_rc[MR_PATHS_MAX]; /* what subflow_create answers, per path */
static int set_backup_rc;

__attribute__((format(printf, 3, 4))) static void add(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static inline const char *str(const struct pl_addr *a, char *b)
{
	return pl_addr_str(a, b, 64);
}

static inline int rec_create(void *ctx, const struct pl_conn *c, int path,
                             const struct pl_addr *loc, int ifindex, bool backup)
{
	char b1[64], b2[64];
	(void)ctx;
	add(record, sizeof(record), "create %08x %s %s if=%d -> %s:%u%s\n", c->token,
	    world.policy->paths[path].name, str(loc, b1), ifindex, str(&c->rem, b2), c->rport,
	    backup ? " backup" : "");
	return create_rc[path];
}

static inline int rec_destroy(void *ctx, const struct pl_conn *c, const struct pl_sub *s,
                              const char *why)
{
	char b1[64], b2[64];
	(void)ctx;
	add(record, sizeof(record), "destroy %08x %s:%u -> %s:%u (%s)\n", c->token,
	    str(&s->loc, b1), s->lport, str(&s->rem, b2), s->rport, why);
	return 0;
}

static inline int rec_set_backup(void *ctx, const struct pl_conn *c, const struct pl_sub *s,
                                 bool backup)
{
	char b1[64], b2[64];
	(void)ctx;
	add(record, sizeof(record), "set_backup %08x %s:%u -> %s:%u %s\n", c->token,
	    str(&s->loc, b1), s->lport, str(&s->rem, b2), s->rport, backup ? "on" : "off");
	return set_backup_rc;
}

static inline int rec_announce(void *ctx, const struct pl_conn *c, int path,
                               const struct pl_addr *loc, bool backup)
{
	char b[64];
	(void)ctx;
	add(record, sizeof(record), "announce %08x %s %s%s\n", c->token,
	    world.policy->paths[path].name, str(loc, b), backup ? " backup" : "");
	return 0;
}

static inline void rec_debug(void *ctx, const char *line)
{
	(void)ctx;
	add(debug_log, sizeof(debug_log), "%s\n", line);
}

static inline void rec_info(void *ctx, const char *line)
{
	(void)ctx;
	add(info_log, sizeof(info_log), "%s\n", line);
}

static const struct pl_ops ops = {
    .subflow_create = rec_create,
    .subflow_destroy = rec_destroy,
    .set_backup = rec_set_backup,
    .announce = rec_announce,
    .debug = rec_debug,
    .info = rec_info,
};

/* The operations since the last call, exactly. */
#define expect(want)                                                                               \
	do {                                                                                       \
		assert_string_equal(record, want);                                                 \
		record[0] = '\0';                                                                  \
	} while (0)

static inline double plan(struct pl_conn *c, double now)
{
	return pl_plan(&world, c, now, &ops, NULL);
}

/* The world for one case: the policy from conf, the three interfaces up with their
 * addresses, nothing recorded. */
static inline int rec_setup(const char *conf)
{
	struct mr_config_error err;
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, conf, strlen(conf), "t", &policy, &err), 0);
	memset(&ifs, 0, sizeof(ifs));
	for (int i = 0; i < 3; i++) {
		struct pl_iface *f = iface(i);
		f->ifindex = 11 + i;
		snprintf(f->name, sizeof(f->name), "c%d", i + 1);
		f->up = true;
		f->n_addr = 2;
		char v4[32], v6[32];
		snprintf(v4, sizeof(v4), "198.18.%d.1", i + 1);
		snprintf(v6, sizeof(v6), "fd00:%d::1", i + 1);
		f->addr[0] = ip(v4);
		f->addr[1] = ip(v6);
	}
	/* An interface no path names. */
	snprintf(ifs.ifs[5].name, IF_NAMESIZE, "lo");
	ifs.ifs[5].ifindex = 1;
	ifs.ifs[5].up = true;
	world = (struct pl_world){
	    .policy = &policy, .ifs = &ifs, .grace_ms = 50, .wait_registration = true};
	record[0] = debug_log[0] = info_log[0] = '\0';
	memset(create_rc, 0, sizeof(create_rc));
	set_backup_rc = 0;
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	mr_policy_free(&policy);
	return 0;
}

/* A client connection whose initial subflow leaves by `path` from port 40000, established at t. */
static inline void client(struct pl_conn *c, uint32_t token, int path, const char *exe, double t)
{
	struct pl_addr rem = peer();
	memset(c, 0, sizeof(*c));
	c->token = token;
	c->t_seen = t;
	if (exe)
		pl_conn_owner(c, 1000, 1000, exe);
	pl_conn_seen(&world, c, false, AF_INET, addr_of(path), 40000, &rem, 5001, false, t);
	pl_conn_seen(&world, c, true, 0, &(struct pl_addr){0}, 0, &rem, 0, false, t);
}

/* SUB_ESTABLISHED of the subflow from path's address, local port lport. */
static inline void sub_up(struct pl_conn *c, int path, uint16_t lport, bool backup, double now)
{
	struct pl_addr rem = peer();
	assert_non_null(
	    pl_sub_established(&world, c, addr_of(path), lport, &rem, 5001, backup, now));
}

/* SUB_CLOSED of that subflow, with the event's error (0: none). */
static inline void sub_closed(struct pl_conn *c, int path, uint16_t lport, int err, double now)
{
	struct pl_addr rem = peer();
	pl_sub_closed(c, addr_of(path), lport, &rem, 5001, err, now);
}

/* A sample of that subflow at now (connecting: still in SYN-SENT). */
static inline void sample(struct pl_conn *c, int path, uint16_t lport, bool connecting,
                          const struct pl_sample *x, double now)
{
	struct pl_addr rem = peer();
	pl_sub_sampled(c, addr_of(path), lport, &rem, 5001, connecting, x, now);
}

#endif
