/* SPDX-License-Identifier: MIT */
/* The daemon's byte accounting and budgets (pathd/usage.h). */
#include "pathd/usage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "os/msg.h"
#include "os/state_dir.h"
#include "pathd/clock.h"
#include "pathd/daemon.h"
#include "planner/planner.h"

/* ---- time and names ---- */

/* The counters' name of c's program: its executable; never PL_PROGRAM_ALL. */
static const char *program_of(const struct pl_conn *c)
{
	if (!c->registered)
		return "(unregistered)";
	return c->exe[0] ? c->exe : "(unknown)";
}

static const char *path_name(const struct pd_daemon *d, int k)
{
	return d->o->policy->paths[k].name;
}

/* "2025-06-15T00" -> "2025-06-15 00:00" */
static void period_text(const char *key, char *out, size_t size)
{
	snprintf(out, size, "%.10s %.2s:00", key, strlen(key) >= 13 ? key + 11 : "00");
}

/* ---- start and stop ---- */

static bool counted_anywhere(const struct mr_policy *p)
{
	for (size_t k = 0; k < p->n_paths; k++)
		if (mr_path_counted(p, (int)k))
			return true;
	return false;
}

static int path_index(const struct mr_policy *p, const char *name)
{
	for (size_t k = 0; k < p->n_paths; k++)
		if (strcmp(p->paths[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* The folder of the usage file, made or checked: a file others could write is not believed. */
static bool folder_ok(const char *file, char *why, size_t wsize)
{
	const char *slash = strrchr(file, '/');
	if (!slash || slash == file) {
		snprintf(why, wsize, "%s: the usage file needs an absolute path in a folder", file);
		return false;
	}
	return lr_state_dir_of(file, true, why, wsize);
}

/* The budget a counter read back counts against under this config (0: none, or another). */
static uint64_t limit_of(const struct mr_policy *p, const struct pl_count *k)
{
	struct mr_budget b;
	if (!k->program[0])
		b = p->paths[k->path].budget;
	else {
		struct mr_program prog;
		enum mr_origin origin;
		mr_resolve(p, k->program, false, &prog);
		mr_program_budget(p, &prog, k->path, &b, &origin);
	}
	return b.bytes && b.per == k->per && b.start == k->start ? b.bytes : 0;
}

/* The counters of the file, those of a path still defined and of a period still running. */
static void restore_counts(struct pd_daemon *d, const struct pd_usage_data *u, struct pl_date now)
{
	struct pd_usage *us = &d->usage;
	for (size_t i = 0; i < u->n_counts; i++) {
		const struct pd_usage_count *x = &u->counts[i];
		int k = path_index(d->o->policy, x->path);
		struct mr_budget b = {.per = x->per, .start = x->start};
		struct pl_count *c = k >= 0 ? pl_ledger_get(&us->ledger, x->program, k, &b) : NULL;
		if (!c)
			continue;
		snprintf(c->period, sizeof(c->period), "%s", x->period);
		c->bytes = x->bytes;
	}
	pl_ledger_prune(&us->ledger, now);
	/* Spent already: so marked, and its period watched, as if counted here. */
	for (size_t i = 0; i < us->ledger.n; i++) {
		struct pl_count *c = &us->ledger.v[i];
		c->limit = limit_of(d->o->policy, c);
		c->over = c->limit && c->bytes >= c->limit;
		if (c->over && !us->next_tick)
			us->next_tick = pd_now_ms() + PD_PERIOD_TICK_MS;
	}
	lr_info("usage: %zu counters of this period read back from %s (written %s)", us->ledger.n,
	        us->file, u->written[0] ? u->written : "at an unknown time");
}

bool pd_usage_start(struct pd_daemon *d)
{
	struct pd_usage *us = &d->usage;
	char why[PATH_MAX + 160];
	memset(us, 0, sizeof(*us));
	if (!counted_anywhere(d->o->policy))
		return true;
	us->on = true;
	us->file = d->o->usage_path;
	if (!pl_ledger_init(&us->ledger) || !(us->diag = pd_diag_open())) {
		lr_err("usage: cannot set the accounting up: %s", strerror(errno ? errno : ENOMEM));
		return false;
	}
	if (!us->file) {
		lr_info("usage: counted in memory only (no usage file: counts restart from 0 "
		        "with the daemon)");
		return true;
	}
	if (!folder_ok(us->file, why, sizeof(why))) {
		lr_err("%s", why);
		return false;
	}
	/* One daemon per file: two (in two network namespaces) would overwrite each other's
	 * counts, and budgets would be spent twice over before anyone noticed. */
	char lock[PATH_MAX + 8];
	snprintf(lock, sizeof(lock), "%s.lock", us->file);
	us->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (us->lockfd < 0 || flock(us->lockfd, LOCK_EX | LOCK_NB) < 0) {
		lr_err("usage: %s: %s (a daemon in another network namespace needs a usage file "
		       "of its own: --usage FILE)",
		       lock, errno == EWOULDBLOCK ? "in use by another pathd" : strerror(errno));
		return false;
	}
	int rc = pd_usage_read(us->file, &us->restored, why, sizeof(why));
	if (rc == -EPERM) {
		lr_err("usage: %s: %s: refusing to believe it (remove it, or chown root and "
		       "chmod 0644)",
		       us->file, why);
		return false;
	}
	if (rc == -ENOENT)
		return true;
	if (rc < 0) {
		char bad[PATH_MAX + 8];
		snprintf(bad, sizeof(bad), "%s.bad", us->file);
		lr_warn("usage: %s: %s: counting starts again from 0 (the file is kept as %s)",
		        us->file, why, bad);
		if (rename(us->file, bad) < 0)
			lr_warn("usage: rename to %s: %s", bad, strerror(errno));
		return true;
	}
	restore_counts(d, &us->restored, pd_local_date());
	us->pruned_at = pd_now_ms();
	return true;
}

void pd_usage_adopted(struct pd_daemon *d)
{
	struct pd_usage *us = &d->usage;
	size_t matched = 0;
	for (size_t i = 0; us->on && i < us->restored.n_subs; i++) {
		const struct pd_usage_sub *x = &us->restored.subs[i];
		struct pl_conn *c = pd_conn_find(&d->conns, x->token);
		struct pl_sub *s = c ? pl_sub_find(c, &x->loc, x->lport, &x->rem, x->rport) : NULL;
		if (!s || !s->lport)
			continue;
		s->counted_acked = x->acked;
		s->counted_received = x->received;
		matched++;
	}
	if (us->restored.n_subs)
		lr_dbg("usage: %zu of %zu open subflows go on from their counted bytes", matched,
		       us->restored.n_subs);
	pd_usage_free(&us->restored);
}

/* The file written now: the counters and the open counted subflows' counts. */
static void flush(struct pd_daemon *d, double now)
{
	struct pd_usage *us = &d->usage;
	if (!us->file)
		return;
	size_t n_subs = 0;
	for (size_t i = 0; i < d->conns.n; i++)
		n_subs += (size_t)d->conns.c[i].n_sub;
	struct pd_usage_data u = {
	    .counts = calloc(us->ledger.n ? us->ledger.n : 1, sizeof(*u.counts)),
	    .subs = calloc(n_subs ? n_subs : 1, sizeof(*u.subs)),
	};
	if (!u.counts || !u.subs) {
		lr_warn("usage: out of memory: %s not written", us->file);
		goto out;
	}
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(u.written, sizeof(u.written), "%Y-%m-%dT%H:%M:%S", &tm);
	for (size_t i = 0; i < us->ledger.n; i++) {
		const struct pl_count *k = &us->ledger.v[i];
		u.counts[u.n_counts++] = (struct pd_usage_count){
		    .program = k->program,
		    .path = path_name(d, k->path),
		    .per = k->per,
		    .start = k->start,
		    .bytes = k->bytes,
		};
		snprintf(u.counts[u.n_counts - 1].period, 16, "%s", k->period);
	}
	for (size_t i = 0; i < d->conns.n; i++) {
		const struct pl_conn *c = &d->conns.c[i];
		for (int j = 0; j < c->n_sub; j++) {
			const struct pl_sub *s = &c->s[j];
			if (!s->lport || (!s->counted_acked && !s->counted_received))
				continue;
			u.subs[u.n_subs++] = (struct pd_usage_sub){
			    .token = c->token,
			    .loc = s->loc,
			    .rem = s->rem,
			    .lport = s->lport,
			    .rport = s->rport,
			    .acked = s->counted_acked,
			    .received = s->counted_received,
			};
		}
	}
	int rc = pd_usage_write(us->file, &u);
	if (rc < 0)
		lr_warn("usage: %s not written: %s", us->file, strerror(-rc));
	else
		us->dirty = false;
	us->written_at = now;
out:
	free(u.counts);
	free(u.subs);
}

void pd_usage_stop(struct pd_daemon *d, double now)
{
	struct pd_usage *us = &d->usage;
	if (!us->on)
		return;
	for (size_t i = 0; i < d->conns.n; i++)
		pd_usage_last(d, &d->conns.c[i], NULL, now);
	if (us->dirty)
		flush(d, now);
	pd_diag_close(us->diag);
	if (us->lockfd > 0)
		close(us->lockfd);
	pl_ledger_free(&us->ledger);
	pd_usage_free(&us->restored);
	us->on = false;
}

/* ---- counting ---- */

static void say_spent(struct pd_daemon *d, const struct pl_count *k, const struct mr_budget *b)
{
	char used[32], budget[96], since[24];
	mr_format_bytes(k->bytes, used, sizeof(used));
	mr_format_budget(b, budget, sizeof(budget));
	period_text(k->period, since, sizeof(since));
	if (!k->program[0])
		lr_warn("budget spent: path %s carried %s of its %s (since %s): subflows there "
		        "are made backup, then closed (kept as a backup for programs whose "
		        "over_budget is \"stay\")",
		        path_name(d, k->path), used, budget, since);
	else
		lr_warn("budget spent: %s carried %s on path %s of its %s (since %s): its "
		        "subflows there are made backup, then closed (kept as a backup if its "
		        "over_budget is \"stay\")",
		        k->program, used, path_name(d, k->path), budget, since);
}

/* delta bytes of program (c's) on path k, counted against both counters. */
static void count(struct pd_daemon *d, const struct pl_conn *c, int k, uint64_t delta,
                  struct pl_date date, double now)
{
	struct pd_usage *us = &d->usage;
	struct pl_budget_state st;
	const char *prog = program_of(c);
	pl_budget_state(d->o->policy, &us->ledger, prog, c->decided ? c->section : -1, k, date,
	                &st);
	const struct mr_budget *pb = st.path_budget.bytes ? &st.path_budget : &pl_month;
	const struct mr_budget *ob = st.prog_budget.bytes ? &st.prog_budget : &pl_month;
	struct pl_count *total = pl_ledger_get(&us->ledger, PL_PROGRAM_ALL, k, pb);
	struct pl_count *own = pl_ledger_get(&us->ledger, prog, k, ob);
	if ((!total || !own) && !us->full_said) {
		us->full_said = true;
		lr_warn("usage: %d counters in use: programs without one are counted in their "
		        "paths' totals only",
		        PL_LEDGER_MAX);
	}
	if (total && pl_count_add(total, delta, st.path_budget.bytes, date, now)) {
		say_spent(d, total, &st.path_budget);
		us->replan = true;
	}
	if (own && pl_count_add(own, delta, st.prog_budget.bytes, date, now)) {
		say_spent(d, own, &st.prog_budget);
		us->replan = true;
	}
	us->dirty = true;
	if (us->replan)
		us->written_at = 0; /* written at the next tick: a spent budget survives a crash */
}

/* The interface a subflow's socket is bound to, as the kernel's lookup wants it: subflows
 * the daemon made and pinned initial ones are bound to their interface, others are not. */
static int sample_one(struct pd_daemon *d, struct pl_conn *c, struct pl_sub *s, struct pl_date date,
                      double now)
{
	struct pd_diag_conn x;
	int rc = -ENOENT;
	if (s->ifindex)
		rc = pd_diag_lookup(d->usage.diag, &s->loc, s->lport, &s->rem, s->rport, s->ifindex,
		                    &x);
	if (rc == -ENOENT)
		rc = pd_diag_lookup(d->usage.diag, &s->loc, s->lport, &s->rem, s->rport, 0, &x);
	if (rc < 0)
		return rc;
	/* Counters below what was counted: another socket on the same ports; from 0. */
	uint64_t da = x.tcp.bytes_acked >= s->counted_acked ? x.tcp.bytes_acked - s->counted_acked
	                                                    : x.tcp.bytes_acked;
	uint64_t dr = x.tcp.bytes_received >= s->counted_received
	                  ? x.tcp.bytes_received - s->counted_received
	                  : x.tcp.bytes_received;
	s->counted_acked = x.tcp.bytes_acked;
	s->counted_received = x.tcp.bytes_received;
	if (da + dr) {
		lr_dbg(
		    "[%.0f] token %08x: subflow on %s from port %u: +%llu bytes (%llu acked, %llu "
		    "received in all)",
		    now, c->token, path_name(d, s->path), s->lport, (unsigned long long)(da + dr),
		    (unsigned long long)x.tcp.bytes_acked,
		    (unsigned long long)x.tcp.bytes_received);
		count(d, c, s->path, da + dr, date, now);
	}
	return 0;
}

static bool counted_sub(const struct pd_daemon *d, const struct pl_sub *s)
{
	return s->live && s->lport && mr_path_counted(d->o->policy, s->path);
}

/* The least time, over c's counted paths with subflows, before a budget could be spent. */
static double next_sample(struct pd_daemon *d, const struct pl_conn *c, struct pl_date date,
                          double now)
{
	double t = 0;
	uint32_t seen = 0;
	for (int i = 0; i < c->n_sub; i++) {
		const struct pl_sub *s = &c->s[i];
		if (!counted_sub(d, s) || (seen & (1u << s->path)))
			continue;
		seen |= 1u << s->path;
		struct pl_budget_state st;
		pl_budget_state(d->o->policy, &d->usage.ledger, program_of(c),
		                c->decided ? c->section : -1, s->path, date, &st);
		double dt = PL_COUNT_MAX_MS;
		const struct pl_count *ks[2] = {st.total, st.own};
		const uint64_t lim[2] = {st.path_budget.bytes, st.prog_budget.bytes};
		for (int j = 0; j < 2; j++) {
			uint64_t used = ks[j] ? pl_count_bytes(ks[j], date) : 0;
			uint64_t left = !lim[j] ? UINT64_MAX : used >= lim[j] ? 0 : lim[j] - used;
			double x = pl_sample_interval(left, ks[j] ? ks[j]->rate : 0);
			dt = x < dt ? x : dt;
		}
		t = !t || now + dt < t ? now + dt : t;
	}
	return t;
}

double pd_usage_sample(struct pd_daemon *d, struct pl_conn *c, double now)
{
	struct pd_usage *us = &d->usage;
	if (!us->on)
		return 0;
	struct pl_date date = pd_local_date();
	if (c->count_at && now >= c->count_at) {
		for (int i = 0; i < c->n_sub; i++)
			if (counted_sub(d, &c->s[i]))
				sample_one(d, c, &c->s[i], date, now);
		c->count_at = 0;
	}
	if (!c->count_at)
		c->count_at = next_sample(d, c, date, now);
	if (now - us->shown_at >= 1000.) {
		d->live.dirty = true; /* `mptcp-run paths` shows the counts: once a second */
		us->shown_at = now;
	}
	return c->count_at;
}

void pd_usage_last(struct pd_daemon *d, struct pl_conn *c, struct pl_sub *s, double now)
{
	if (!d->usage.on)
		return;
	struct pl_date date = pd_local_date();
	for (int i = 0; i < c->n_sub; i++)
		if ((!s || s == &c->s[i]) && counted_sub(d, &c->s[i]))
			sample_one(d, c, &c->s[i], date, now);
}

/* ---- uses ---- */

static void say_only_path(struct pd_daemon *d, const struct pl_conn *c, int k,
                          const struct pl_budget_state *st)
{
	const char *b = strrchr(program_of(c), '/');
	if (st->over == MR_OVER_STAY)
		lr_warn("%s (pid %d): its only usable path, %s, is over %s budget: its connection "
		        "stays there (over_budget = \"stay\")",
		        b ? b + 1 : program_of(c), (int)c->pid, path_name(d, k),
		        st->over_prog ? "its" : "the path's");
	else
		lr_warn("%s (pid %d): its only usable path, %s, is over %s budget: its connection "
		        "is left without a path until another one works (over_budget = \"leave\"; "
		        "\"stay\" would keep it there)",
		        b ? b + 1 : program_of(c), (int)c->pid, path_name(d, k),
		        st->over_prog ? "its" : "the path's");
}

/* Whether a listed path other than k may carry c's data now (usable and within budget). */
static bool other_usable(const struct pd_daemon *d, const struct pl_conn *c, int k)
{
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int j = c->pp.list.idx[i];
		if (j != k && !((c->no_data | c->no_path) & (1u << j)) &&
		    pl_path_addr(&d->world, j, c->family, NULL))
			return true;
	}
	return false;
}

void pd_usage_uses(struct pd_daemon *d, struct pl_conn *c)
{
	struct pd_usage *us = &d->usage;
	if (!us->on || !c->decided)
		return;
	struct pl_date date = pd_local_date();
	struct pl_budget_state st[MR_PATHS_MAX];
	uint32_t over = 0;
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if (!mr_path_counted(d->o->policy, k))
			continue;
		pl_budget_state(d->o->policy, &us->ledger, program_of(c), c->section, k, date,
		                &st[k]);
		enum pl_spent u = pl_budget_spent(&st[k]);
		if (u == PL_SPENT_STAY)
			c->no_data |= 1u << k; /* backup only: data there when nothing else works */
		else if (u == PL_SPENT_LEAVE)
			c->no_path |= 1u << k;
		if (u != PL_SPENT_NOT)
			over |= 1u << k;
	}
	/* A program left with nothing but spent paths is told, once per budget period. */
	for (int k = 0; over && k < MR_PATHS_MAX; k++) {
		if (!(over & (1u << k)) || !pl_path_addr(&d->world, k, c->family, NULL) ||
		    other_usable(d, c, k))
			continue;
		struct pl_count *own = st[k].own;
		if (own && own->told)
			continue;
		say_only_path(d, c, k, &st[k]);
		if (own)
			own->told = true;
	}
	if (over && !us->next_tick)
		us->next_tick = pd_now_ms() + PD_PERIOD_TICK_MS;
}

/* ---- time ---- */

double pd_usage_next(const struct pd_daemon *d)
{
	const struct pd_usage *us = &d->usage;
	double t = 0;
	if (!us->on)
		return 0;
	if (us->dirty && us->file)
		t = us->written_at + PD_USAGE_WRITE_MS;
	if (us->replan)
		t = 1; /* at once */
	if (us->next_tick && (!t || us->next_tick < t))
		t = us->next_tick;
	return t;
}

bool pd_usage_tick(struct pd_daemon *d, double now)
{
	struct pd_usage *us = &d->usage;
	bool replan = us->replan;
	if (!us->on)
		return false;
	us->replan = false;
	if (us->dirty && us->file && now >= us->written_at + PD_USAGE_WRITE_MS)
		flush(d, now);

	if (us->next_tick && now >= us->next_tick) {
		/* A spent budget whose period ended: its paths are usable again. */
		struct pl_date date = pd_local_date();
		bool any_over = false, renewed = false;
		for (size_t i = 0; i < us->ledger.n; i++) {
			struct pl_count *k = &us->ledger.v[i];
			if (!k->over)
				continue;
			if (pl_count_over(k, k->limit, date)) {
				any_over = true;
				continue;
			}
			k->over = false;
			renewed = true;
			lr_info("budget renewed: a new period began for %s on path %s",
			        k->program[0] ? k->program : "all programs", path_name(d, k->path));
			/* Its programs may be told again when it is spent again. */
			for (size_t j = 0; j < us->ledger.n; j++)
				if (us->ledger.v[j].path == k->path)
					us->ledger.v[j].told = false;
		}
		us->next_tick = any_over ? now + PD_PERIOD_TICK_MS : 0;
		replan = replan || renewed;
	}
	/* The ledger is bounded: the counters of programs gone in ended periods leave room (a
	 * spent one among them was renewed above, or is now). */
	if (now >= us->pruned_at + PD_PRUNE_MS) {
		size_t over = 0;
		for (size_t i = 0; i < us->ledger.n; i++)
			over += us->ledger.v[i].over;
		pl_ledger_prune(&us->ledger, pd_local_date());
		for (size_t i = 0; i < us->ledger.n; i++)
			over -= us->ledger.v[i].over;
		replan = replan || over > 0;
		us->pruned_at = now;
	}
	if (replan)
		d->live.dirty = true;
	return replan;
}
