/* SPDX-License-Identifier: MIT */
/* The kernel integrity probe (integrity/probe.h). */
#include "integrity/probe.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "integrity/netns.h"
#include "integrity/peer.h"
#include "kernel/integrity_file.h"

#define SERVER_ADDR "198.18.1.2"
#define PORT_HELD   5401
#define PORT_XFER   5402
#define HELD_PRE    (64L * 1024) /* read before the held read: the connection is established */
#define HELD_EXTRA  (32L * 1024) /* queued, so the held read has something to copy at once */
#define HELD_LAG    (32L * 1024) /* sent on path 1 alone, slowed: it lags behind the join's data */
#define HELD_MID    (2u << 20)   /* then sent over both paths while the reader holds the socket */
#define HELD_TOTAL  (8u << 20)
#define HELD_JOIN   (64L * 1024) /* the join must have carried this much before the release */
#define XFER_TOTAL  (16u << 20)
#define RATE        "100mbit" /* every veth end, as in the measurements */
#define BURST       "125000"  /* 10 ms of 100 Mbit/s */
#define SLOW        "100kbit" /* path 1 while the join carries data: its data lags */

struct bed {
	struct lr_ns c, s;
	int paths;
	char *why;
	size_t wsize;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one command in a namespace; false with why naming it and its message. */
static bool run(struct bed *b, const struct lr_ns *ns, const char *a0, ...)
{
	char *argv[24], err[200];
	int n = 0;
	va_list ap;
	argv[n++] = (char *)a0;
	va_start(ap, a0);
	while (n < 23 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	int rc = lr_ns_run(ns, argv, err, sizeof(err));
	if (rc == 0)
		return true;
	char cmd[200];
	size_t off = 0;
	for (int i = 0; i < n && off < sizeof(cmd); i++) {
		int w = snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i ? " " : "", argv[i]);
		off += w > 0 ? (size_t)w : 0;
	}
	snprintf(b->why, b->wsize, "`%s` failed%s%s", cmd, err[0] ? ": " : "",
	         err[0] ? err : (rc < 0 ? " (not installed?)" : ""));
	return false;
}

/* tbf at rate; a slow rate gets a small bucket, or its first megabyte would pass at once. */
static bool tbf(struct bed *b, const struct lr_ns *ns, const char *dev, const char *rate)
{
	bool slow = strcmp(rate, SLOW) == 0;
	/* The usual queue (50 ms, as scripts/testbed has it); the slowed path drops nothing. */
	return run(b, ns, "tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate,
	           "burst", slow ? "3200" : BURST, slow ? "limit" : "latency",
	           slow ? "8000000" : "50ms", NULL);
}

static bool setup(struct bed *b)
{
	char spid[16];
	snprintf(spid, sizeof(spid), "%d", (int)b->s.pid);
	for (int i = 1; i <= b->paths; i++) {
		char c[16], s[16], ca[32], sa[32], net[32], tab[16], src[24];
		snprintf(c, sizeof(c), "c%d", i);
		snprintf(s, sizeof(s), "s%d", i);
		snprintf(ca, sizeof(ca), "198.18.%d.1/24", i);
		snprintf(sa, sizeof(sa), "198.18.%d.2/24", i);
		snprintf(src, sizeof(src), "198.18.%d.1", i);
		snprintf(net, sizeof(net), "198.18.0.0/15");
		snprintf(tab, sizeof(tab), "%d", 100 + i);
		if (!run(b, &b->c, "ip", "link", "add", c, "type", "veth", "peer", "name", s,
		         "netns", spid, NULL) ||
		    !run(b, &b->c, "ip", "addr", "add", ca, "dev", c, NULL) ||
		    !run(b, &b->s, "ip", "addr", "add", sa, "dev", s, NULL) ||
		    !run(b, &b->c, "ip", "link", "set", c, "up", NULL) ||
		    !run(b, &b->s, "ip", "link", "set", s, "up", NULL) || !tbf(b, &b->c, c, RATE) ||
		    !tbf(b, &b->s, s, RATE))
			return false;
		/* A subflow from path i's address leaves through path i, to any server address. */
		if (i > 1 &&
		    (!run(b, &b->c, "ip", "route", "add", net, "dev", c, "table", tab, NULL) ||
		     !run(b, &b->c, "ip", "rule", "add", "from", src, "lookup", tab, NULL)))
			return false;
	}
	const struct lr_ns *both[] = {&b->c, &b->s};
	for (int k = 0; k < 2; k++) {
		if (!lr_ns_sysctl(both[k], "/proc/sys/net/ipv4/conf/all/rp_filter", "0") ||
		    !lr_ns_sysctl(both[k], "/proc/sys/net/ipv4/conf/default/rp_filter", "0") ||
		    !lr_ns_sysctl(both[k], "/proc/sys/net/mptcp/enabled", "1")) {
			snprintf(b->why, b->wsize, "cannot set sysctls in the probe's namespaces");
			return false;
		}
		if (!run(b, both[k], "ip", "mptcp", "limits", "set", "subflows", "2",
		         "add_addr_accepted", "2", NULL))
			return false;
	}
	return true;
}

static bool join_endpoint(struct bed *b, bool add)
{
	if (!add)
		return run(b, &b->c, "ip", "mptcp", "endpoint", "flush", NULL);
	return run(b, &b->c, "ip", "mptcp", "endpoint", "add", "198.18.2.1", "dev", "c2", "subflow",
	           NULL);
}

static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
	va_list ap;
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fflush(f);
}

struct tally {
	int runs, bad;
	int64_t first_wrong, shift;
};

static void count(struct tally *t, const struct lr_peer_msg *r)
{
	t->runs++;
	if (r->b >= 0) {
		if (!t->bad) {
			t->first_wrong = r->b;
			t->shift = r->c;
		}
		t->bad++;
	}
}

static bool call(struct bed *b, const struct lr_ns *ns, struct lr_peer_msg *req,
                 struct lr_peer_msg *rep, int ms)
{
	if (lr_peer_call(ns->ctl, req, rep, ms) && rep->ok)
		return true;
	snprintf(b->why, b->wsize, "%s", rep->text[0] ? rep->text : "a probe step failed");
	return false;
}

/*
 * Polls the client until its connection has n subflows, the first has sent at least first
 * bytes and the second at least second bytes (tcpi_bytes_sent).
 */
static bool wait_subflows(struct bed *b, int n, int64_t first, int64_t second, int ms)
{
	struct lr_peer_msg q = {.cmd = LR_PEER_SUBFLOWS}, r;
	for (int t = 0; t < ms; t += 5) {
		if (!call(b, &b->c, &q, &r, 2000))
			return false;
		if (r.a >= n && r.c >= first && r.b >= second)
			return true;
		usleep(5000);
	}
	return false;
}

/*
 * One join-while-reading test. 1: ran (the check in *r), 0: could not happen here
 * (why says so), -1: the probe broke.
 */
static int held_test(struct bed *b, bool join, struct lr_peer_msg *res)
{
	struct lr_peer_msg q, r;
	const int64_t first = HELD_PRE + HELD_EXTRA;

	q = (struct lr_peer_msg){.cmd = LR_PEER_RECV_HELD, .a = HELD_TOTAL, .b = HELD_PRE};
	if (!lr_peer_send(b->s.ctl, &q))
		return -1;
	q = (struct lr_peer_msg){.cmd = LR_PEER_CONNECT, .a = PORT_HELD, .b = 1};
	snprintf(q.text, sizeof(q.text), SERVER_ADDR);
	if (!call(b, &b->c, &q, &r, 5000))
		return -1;
	q = (struct lr_peer_msg){.cmd = LR_PEER_SEND, .a = 0, .b = first};
	if (!call(b, &b->c, &q, &r, 5000))
		return -1;
	if (!lr_peer_wait(b->s.ctl, &r, 10000) || !r.ok) {
		snprintf(b->why, b->wsize, "%s", r.text);
		return 0; /* e.g. no userfaultfd here: the timing transfers still run */
	}
	/*
	 * The receiver holds its socket now. Path 1 slows down and carries the next bytes
	 * alone, so they lag; then a join completes and carries what follows. When the
	 * receiver lets go, the join's first data is ahead of what arrived in order: an
	 * affected kernel places it at the in-order position instead.
	 */
	if (!tbf(b, &b->c, "c1", SLOW))
		return -1;
	q = (struct lr_peer_msg){.cmd = LR_PEER_SEND, .a = first, .b = HELD_LAG};
	if (!call(b, &b->c, &q, &r, 5000))
		return -1;
	/* All of it on path 1 before the join exists. */
	wait_subflows(b, 1, first + HELD_LAG, 0, 3000);
	if (join && (!join_endpoint(b, true) || !wait_subflows(b, 2, 0, 0, 3000))) {
		snprintf(b->why, b->wsize, "no join was made");
		return 0;
	}
	q = (struct lr_peer_msg){.cmd = LR_PEER_SEND, .a = first + HELD_LAG, .b = HELD_MID};
	if (!call(b, &b->c, &q, &r, 5000))
		return -1;
	if (join)
		wait_subflows(b, 2, 0, HELD_JOIN, 3000); /* the check below tells what happened */
	else
		usleep(300000); /* the control: path 1 alone carries it meanwhile */
	if (!tbf(b, &b->c, "c1", RATE))
		return -1;
	q = (struct lr_peer_msg){.cmd = LR_PEER_RELEASE};
	if (!lr_peer_send(b->s.ctl, &q))
		return -1;
	const int64_t sent = first + HELD_LAG + HELD_MID;
	q = (struct lr_peer_msg){.cmd = LR_PEER_SEND, .a = sent, .b = HELD_TOTAL - sent};
	if (!call(b, &b->c, &q, &r, 5000))
		return -1;
	q = (struct lr_peer_msg){.cmd = LR_PEER_FINISH};
	bool fin = call(b, &b->c, &q, &r, 40000);
	if (!lr_peer_wait(b->s.ctl, res, 40000) || !res->ok) {
		snprintf(b->why, b->wsize, "%s", res->text);
		return -1;
	}
	if (join && !join_endpoint(b, false))
		return -1;
	return fin || res->a == HELD_TOTAL ? 1 : -1;
}

static bool transfer(struct bed *b, struct lr_peer_msg *res)
{
	struct lr_peer_msg q = {.cmd = LR_PEER_RECV, .a = XFER_TOTAL}, r;
	if (!lr_peer_send(b->s.ctl, &q))
		return false;
	q = (struct lr_peer_msg){.cmd = LR_PEER_TRANSFER, .a = XFER_TOTAL, .b = PORT_XFER};
	snprintf(q.text, sizeof(q.text), SERVER_ADDR);
	bool ok = call(b, &b->c, &q, &r, 60000);
	if (!lr_peer_wait(b->s.ctl, res, 60000) || !res->ok) {
		snprintf(b->why, b->wsize, "%s", res->text);
		return false;
	}
	if (!ok || res->a != XFER_TOTAL) {
		if (res->b < 0)
			snprintf(b->why, b->wsize, "a transfer ended after %lld of %u bytes",
			         (long long)res->a, XFER_TOTAL);
		return res->b >= 0; /* misordered and cut short still counts as misordered */
	}
	return true;
}

static void outcome(FILE *f, const char *what, const struct lr_peer_msg *r)
{
	if (r->b < 0)
		say(f, "  %s: intact (%lld bytes)\n", what, (long long)r->a);
	else
		say(f, "  %s: MISORDERED from byte %lld (those bytes were sent at %+lld)\n", what,
		    (long long)r->b, (long long)r->c);
}

bool lr_probe_run(const struct lr_probe_options *o, struct mr_integrity_record *rec, char *why,
                  size_t wsize)
{
	struct bed b = {.paths = o->single_path ? 1 : 2, .why = why, .wsize = wsize};
	struct tally held = {0}, xfer = {0};
	struct lr_peer_msg q, r;
	double t0 = now_s();
	bool ok = false, held_possible = true;
	char held_why[200] = "";

	memset(rec, 0, sizeof(*rec));
	why[0] = '\0';
	if (geteuid() != 0) {
		snprintf(why, wsize, "the probe needs root (it creates network namespaces)");
		return false;
	}
	if (!lr_ns_start(&b.s, lr_peer_serve, why, wsize) ||
	    !lr_ns_start(&b.c, lr_peer_serve, why, wsize) || !setup(&b))
		goto out;
	say(o->progress, "probe: %d path%s of 100 Mbit/s in two network namespaces of its own\n",
	    b.paths, b.paths == 1 ? "" : "s");

	q = (struct lr_peer_msg){.cmd = LR_PEER_LISTEN, .a = PORT_HELD};
	if (!call(&b, &b.s, &q, &r, 5000))
		goto out;
	for (int i = 0; i < o->held_tests && held_possible; i++) {
		int rc = held_test(&b, !o->single_path, &r);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			held_possible = false;
			snprintf(held_why, sizeof(held_why), "%s", why);
			say(o->progress, "  join-while-reading test not possible here: %s\n", why);
			why[0] = '\0';
			/* The half-done connection is dropped with a fresh client holder. */
			lr_ns_stop(&b.c);
			break;
		}
		count(&held, &r);
		outcome(o->progress, o->single_path ? "read held, one path" : "join while reading",
		        &r);
	}
	if (!held_possible) {
		/* Start again without the held test: a new pair of namespaces. */
		lr_ns_stop(&b.s);
		if (!lr_ns_start(&b.s, lr_peer_serve, why, wsize) ||
		    !lr_ns_start(&b.c, lr_peer_serve, why, wsize) || !setup(&b))
			goto out;
	}

	if (!o->single_path && !join_endpoint(&b, true))
		goto out;
	q = (struct lr_peer_msg){.cmd = LR_PEER_LISTEN, .a = PORT_XFER};
	if (!call(&b, &b.s, &q, &r, 5000))
		goto out;
	/* At least one transfer; more while the next one fits in the budget (about 1 s each). */
	do {
		if (!transfer(&b, &r))
			goto out;
		count(&xfer, &r);
		outcome(o->progress, "transfer of 16 MiB", &r);
	} while (now_s() - t0 + 3 < o->seconds);
	ok = true;

out:
	lr_ns_stop(&b.c);
	lr_ns_stop(&b.s);
	if (!ok)
		return false;
	rec->verdict = held.bad || xfer.bad ? MR_KI_MISORDERS : MR_KI_INTACT;
	rec->runs = held.runs + xfer.runs;
	rec->misordered = held.bad + xfer.bad;
	const struct tally *first = held.bad ? &held : &xfer;
	rec->first_wrong = rec->misordered ? first->first_wrong : -1;
	rec->shift = rec->misordered ? first->shift : -1;
	rec->held_runs = held.runs;
	rec->held_misordered = held.bad;
	snprintf(rec->method, sizeof(rec->method), "%s%stransfers",
	         held.runs ? "join-while-reading," : "", o->single_path ? "one-path " : "");
	rec->seconds = (int)(now_s() - t0 + 0.5);
	rec->time = (long long)time(NULL);
	if (!mr_kernel_identity(rec->release, rec->version, rec->boot_id)) {
		snprintf(why, wsize, "cannot read the running kernel's release or boot id");
		return false;
	}
	if (held_why[0])
		snprintf(why, wsize, "join-while-reading test not possible: %s", held_why);
	return true;
}
