/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's state file against itself: a state written by
 * pd_state_write (the daemon's side) is read back by pd_state_read (what
 * `mptcp-run paths` uses) field by field: awkward strings (quotes,
 * backslashes, control bytes, a path that is not UTF-8), IPv6 endpoints,
 * large counters, connections in every state, none at all, paths of a kind
 * with their interfaces, budgets and their use per path and per program. --json prints
 * what the file holds. A missing file is "no daemon", a broken one an error
 * with jansson's reason, and keys an older daemon did not write read as
 * zero. `mptcp-run top` takes owners and path names from the same reader.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "live/sample.h"
#include "pathd/state_file.h"
#include "sampler/pathd_state.h"

static char dir[] = "/tmp/mptcp-run-state-test.XXXXXX";
static char file[128];

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/pathd.json", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file);
	rmdir(dir);
	return 0;
}

static struct pd_state_sub subs[3] = {
    {.path = "wired", .local = "198.18.1.1:40000", .live = true, .initial = true},
    {.path = "wifi \"5 GHz\"",
     .local = "198.18.2.1:40001",
     .backup = true,
     .live = true,
     .promoting = true,
     .rtt_ms = 12.5},
    {.path = "(unlisted)", .local = "fd00:3::1:0"},
};

static struct pd_state_retry retries[2] = {
    {.path = "wifi \"5 GHz\"",
     .fails = 3,
     .unreachable = true,
     .retry_in_ms = 3999.5,
     .why = "reset (ECONNRESET)"},
    {.path = "cellular", .fails = 1, .retry_in_ms = 0, .why = "stalled (no ACK progress)"},
};

static struct pd_state_conn conns[3] = {
    {.token = 0xdeadbeef,
     .state = PD_CONN_ESTABLISHED,
     .local = "198.18.1.1:40000",
     .remote = "198.19.0.1:5001",
     .pid = 4242,
     .uid = 1000,
     .exe = "/opt/we\\ird/\"bin\"/ssh\ttab",
     .paths = "wifi, cellular (backup)",
     .mode = "handover",
     .subs = subs,
     .n_subs = 3,
     .retries = retries,
     .n_retries = 2},
    {.token = 0x1,
     .server = true,
     .state = PD_CONN_CREATED,
     .local = "fd00:1::1:5001",
     .remote = "fd00:99::1:40002",
     .pid = 0,
     .uid = -1,
     .exe = "",
     .mode = ""},
    {.token = 0x00c0ffee,
     .state = PD_CONN_REGISTERED,
     .local = "-:0",
     .remote = "-:0",
     .pid = 7,
     .uid = 0,
     .exe = "/usr/bin/caf\xc3\xa9",
     .mode = "interactive"},
};

static struct pd_state_path paths[3] = {
    {.name = "wired",
     .dev = "c1",
     .up = true,
     .addrs = {"198.18.1.1", "fd00:1::1"},
     .n_addrs = 2,
     .kind = ""},
    {.name = "cellular",
     .dev = "",
     .backup = true,
     .kind = "cellular",
     .ifaces = {"wwan0", "wwan1"},
     .n_ifaces = 2,
     .metered = true,
     .budget = {.bytes = 5000000000ULL, .per = 0 /* month */, .start = 15},
     .used = 5000000001ULL,
     .period = "2025-06-15T00",
     .resets = "2025-07-15T00",
     .over = true},
    {.name = "wifi \"home\"",
     .dev = "",
     .kind = "wifi",
     .ifaces = {"wlp2s0"},
     .n_ifaces = 1,
     .metered = true,
     .used = 12,
     .period = "2025-06-01T00",
     .resets = "2025-07-01T00"},
};

static struct pd_state_usage usage[2] = {
    {.program = "/usr/bin/rsync",
     .path = "cellular",
     .bytes = 3000000,
     .budget = {.bytes = 1000000, .per = 1 /* day */, .start = 6},
     .period = "2025-06-20T06",
     .resets = "2025-06-21T06",
     .over = true},
    {.program = "/opt/we\\ird \"ssh\"",
     .path = "wifi \"home\"",
     .bytes = 12,
     .period = "2025-06-01T00",
     .resets = "2025-07-01T00"},
};

static struct pd_state sample(void)
{
	return (struct pd_state){
	    .pid = 31337,
	    .config = "/etc/mptcp-run.conf",
	    .paths = paths,
	    .n_paths = 3,
	    .conns = conns,
	    .n_conns = 3,
	    .usage = usage,
	    .n_usage = 2,
	    .counters = {.connections = 1ull << 40,
	                 .subflow_create = 7,
	                 .subflow_destroy = 3,
	                 .set_flags = 5,
	                 .announce = 2,
	                 .errors = 1,
	                 .registrations = 9,
	                 .refused = 4,
	                 .rate_limited = 8,
	                 .uid_capped = 6,
	                 .command_ms = 12.375},
	    .latency = {.n = 43, .p50 = 0.125, .p99 = 3.5},
	};
}

static void assert_same(const struct pd_state *a, const struct pd_state *b)
{
	assert_int_equal(a->pid, b->pid);
	assert_string_equal(a->config, b->config);
	assert_int_equal(a->n_paths, b->n_paths);
	for (size_t i = 0; i < a->n_paths; i++) {
		assert_string_equal(a->paths[i].name, b->paths[i].name);
		assert_string_equal(a->paths[i].dev, b->paths[i].dev);
		assert_int_equal(a->paths[i].backup, b->paths[i].backup);
		assert_int_equal(a->paths[i].up, b->paths[i].up);
		assert_int_equal(a->paths[i].n_addrs, b->paths[i].n_addrs);
		for (size_t k = 0; k < a->paths[i].n_addrs; k++)
			assert_string_equal(a->paths[i].addrs[k], b->paths[i].addrs[k]);
		const struct pd_state_path *x = &a->paths[i], *y = &b->paths[i];
		assert_string_equal(x->kind, y->kind);
		assert_int_equal(x->n_ifaces, y->n_ifaces);
		for (size_t k = 0; k < x->n_ifaces; k++)
			assert_string_equal(x->ifaces[k], y->ifaces[k]);
		assert_int_equal(x->metered, y->metered);
		assert_true(x->budget.bytes == y->budget.bytes);
		assert_int_equal(x->budget.per, y->budget.per);
		assert_int_equal(x->budget.start, y->budget.start);
		assert_true(x->used == y->used);
		assert_string_equal(x->period, y->period);
		assert_string_equal(x->resets, y->resets);
		assert_int_equal(x->over, y->over);
	}
	assert_int_equal(a->n_usage, b->n_usage);
	for (size_t i = 0; i < a->n_usage; i++) {
		const struct pd_state_usage *x = &a->usage[i], *y = &b->usage[i];
		assert_string_equal(x->program, y->program);
		assert_string_equal(x->path, y->path);
		assert_true(x->bytes == y->bytes);
		assert_true(x->budget.bytes == y->budget.bytes);
		assert_int_equal(x->budget.per, y->budget.per);
		assert_int_equal(x->budget.start, y->budget.start);
		assert_string_equal(x->period, y->period);
		assert_string_equal(x->resets, y->resets);
		assert_int_equal(x->over, y->over);
	}
	assert_int_equal(a->n_conns, b->n_conns);
	for (size_t i = 0; i < a->n_conns; i++) {
		const struct pd_state_conn *x = &a->conns[i], *y = &b->conns[i];
		assert_int_equal(x->token, y->token);
		assert_int_equal(x->server, y->server);
		assert_int_equal(x->state, y->state);
		assert_string_equal(x->local, y->local);
		assert_string_equal(x->remote, y->remote);
		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->uid, y->uid);
		assert_string_equal(x->paths, y->paths);
		assert_int_equal(x->n_subs, y->n_subs);
		for (size_t k = 0; k < x->n_subs; k++) {
			assert_string_equal(x->subs[k].path, y->subs[k].path);
			assert_string_equal(x->subs[k].local, y->subs[k].local);
			assert_int_equal(x->subs[k].backup, y->subs[k].backup);
			assert_int_equal(x->subs[k].live, y->subs[k].live);
			assert_int_equal(x->subs[k].initial, y->subs[k].initial);
			assert_int_equal(x->subs[k].promoting, y->subs[k].promoting);
			assert_true(x->subs[k].rtt_ms == y->subs[k].rtt_ms);
		}
		assert_string_equal(x->mode ? x->mode : "", y->mode);
		assert_int_equal(x->n_retries, y->n_retries);
		for (size_t k = 0; k < x->n_retries; k++) {
			const struct pd_state_retry *p = &x->retries[k], *q = &y->retries[k];
			assert_string_equal(p->path, q->path);
			assert_int_equal(p->fails, q->fails);
			assert_int_equal(p->unreachable, q->unreachable);
			assert_true(p->retry_in_ms == q->retry_in_ms);
			assert_string_equal(p->why, q->why);
		}
	}
	const struct pd_state_counters *m = &a->counters, *n = &b->counters;
	assert_true(m->connections == n->connections);
	assert_int_equal(m->subflow_create, n->subflow_create);
	assert_int_equal(m->subflow_destroy, n->subflow_destroy);
	assert_int_equal(m->set_flags, n->set_flags);
	assert_int_equal(m->announce, n->announce);
	assert_int_equal(m->errors, n->errors);
	assert_int_equal(m->registrations, n->registrations);
	assert_int_equal(m->refused, n->refused);
	assert_int_equal(m->rate_limited, n->rate_limited);
	assert_int_equal(m->uid_capped, n->uid_capped);
	assert_true(m->command_ms == n->command_ms);
	assert_int_equal(a->latency.n, b->latency.n);
	assert_true(a->latency.p50 == b->latency.p50);
	assert_true(a->latency.p99 == b->latency.p99);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	static char buf[16384];
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct pd_state s = sample(), r;
	char err[200];
	assert_int_equal(pd_state_write(file, &s), 0);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), 0);
	assert_same(&s, &r);
	/* Strings jansson takes as they are: escapes undone exactly. */
	assert_string_equal(r.conns[0].exe, "/opt/we\\ird/\"bin\"/ssh\ttab");
	assert_string_equal(r.conns[2].exe, "/usr/bin/caf\xc3\xa9");
	assert_string_equal(r.conns[1].exe, "");

	/* --json: what the file holds, one line. */
	char *printed = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&printed, &len);
	assert_int_equal(pd_state_print(m, &r), 0);
	fclose(m);
	assert_string_equal(printed, slurp(file));
	assert_non_null(strchr(printed, '\n'));
	assert_true(strchr(printed, '\n') == printed + len - 1);
	free(printed);
	pd_state_free(&r);
	assert_null(r.json);
}

/* A path that is not UTF-8 is written with '?' for its high bytes, not dropped. */
static void test_not_utf8(void **state)
{
	(void)state;
	struct pd_state s = sample(), r;
	char err[200];
	struct pd_state_conn c = conns[0];
	c.exe = "/tmp/\xff\xfe-prog";
	c.n_subs = 0;
	s.conns = &c;
	s.n_conns = 1;
	assert_int_equal(pd_state_write(file, &s), 0);
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), 0);
	assert_string_equal(r.conns[0].exe, "/tmp/?"
	                                    "?-prog");
	pd_state_free(&r);
}

static void test_empty(void **state)
{
	(void)state;
	struct pd_state s = {.pid = 1, .config = "(built-in)"}, r;
	char err[200];
	assert_int_equal(pd_state_write(file, &s), 0);
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), 0);
	assert_same(&s, &r);
	assert_null(r.conns);
	pd_state_free(&r);
}

static void write_text(const char *text)
{
	FILE *f = fopen(file, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Keys a daemon of an earlier version did not write read as 0, false, "" (uid: -1). */
static void test_older_file(void **state)
{
	(void)state;
	struct pd_state r;
	char err[200];
	write_text("{\"pid\":5,\"config\":\"c\",\"paths\":[{\"name\":\"wifi\",\"dev\":\"c2\"}],"
	           "\"connections\":[{\"token\":\"0000abcd\",\"subflows\":[{\"path\":\"wifi\"}]}],"
	           "\"counters\":{\"subflow_create\":3}}\n");
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), 0);
	assert_int_equal(r.pid, 5);
	assert_int_equal(r.n_paths, 1);
	assert_false(r.paths[0].up);
	assert_int_equal(r.conns[0].token, 0xabcd);
	assert_int_equal(r.conns[0].uid, -1);
	/* Before kinds and budgets: none, nothing counted. */
	assert_string_equal(r.paths[0].kind, "");
	assert_int_equal(r.paths[0].n_ifaces, 0);
	assert_false(r.paths[0].metered);
	assert_true(r.paths[0].budget.bytes == 0);
	assert_true(r.paths[0].used == 0);
	assert_int_equal(r.n_usage, 0);
	assert_int_equal(r.conns[0].state, PD_CONN_REGISTERED);
	assert_string_equal(r.conns[0].exe, "");
	assert_false(r.conns[0].subs[0].promoting);
	assert_true(r.conns[0].subs[0].rtt_ms == 0);
	assert_string_equal(r.conns[0].mode, "");
	assert_int_equal(r.conns[0].n_retries, 0);
	assert_null(r.conns[0].retries);
	assert_int_equal(r.counters.subflow_create, 3);
	assert_int_equal(r.counters.set_flags, 0);
	assert_int_equal(r.latency.n, 0);
	pd_state_free(&r);
}

static void test_missing_and_broken(void **state)
{
	(void)state;
	struct pd_state r;
	char err[200] = "";
	unlink(file);
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), -ENOENT);
	write_text("{\"pid\":");
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	write_text("[1,2]\n");
	assert_int_equal(pd_state_read(file, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a JSON object");
}

/* top's merge (sampler/pathd_state.c) reads the file through the same reader. */
static void test_top_merge(void **state)
{
	(void)state;
	struct pd_state st = sample();
	struct lv_sample smp;
	assert_int_equal(pd_state_write(file, &st), 0);
	lv_sample_init(&smp);
	struct lv_conn *c = lv_sample_add_conn(&smp);
	c->token = 0xdeadbeef;
	c->inode = 77;
	smp.lim.owners_unknown = 1;
	struct lv_subflow *sf = lv_sample_add_subflow(&smp);
	snprintf(sf->ifname, sizeof(sf->ifname), "c1");
	sf = lv_sample_add_subflow(&smp);
	snprintf(sf->ifname, sizeof(sf->ifname), "wwan1"); /* a path of a kind: its interfaces */
	assert_true(ls_pathd_merge(file, &smp));
	assert_true(smp.pathd);
	assert_string_equal(smp.sfs[0].pathname, "wired");
	assert_string_equal(smp.sfs[1].pathname, "cellular");
	assert_string_equal(smp.conns[0].paths, "wifi, cellular (backup)");
	assert_int_equal(smp.conns[0].pid, 4242);
	assert_string_equal(smp.conns[0].prog, "ssh\ttab");
	assert_int_equal(smp.lim.owners_unknown, 0);
	unlink(file);
	assert_false(ls_pathd_merge(file, &smp));
	lv_sample_free(&smp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_not_utf8),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_older_file),
	    cmocka_unit_test(test_missing_and_broken),
	    cmocka_unit_test(test_top_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
