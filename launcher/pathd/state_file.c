/* SPDX-License-Identifier: MIT */
#include "pathd/state_file.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/report_line.h"
#include "os/atomic_file.h"
#include "policy/policy.h"
#include "text/strbuf.h"

/* ---- writing ---- */

/*
 * Written piece by piece (the head, each path, each connection with its subflows, the
 * tail) with the report line's JSON writer, the project's one JSON escaping (shim/format),
 * into a growing buffer that then replaces the file whole. Building a jansson tree instead
 * cost 4 ms per write of 300 connections, in the daemon's loop, five times a second.
 */
struct out {
	struct mr_line l; /* the piece being composed, in piece[cap] */
	char *piece;
	size_t cap;
};

/* A string, which the reader (jansson) takes only as UTF-8: a path that is not is written
 * with '?' for its bytes above 0x7f. */
static void put_str(struct out *o, const char *s)
{
	char safe[PATH_MAX];
	if (!s || mr_utf8_valid(s)) {
		mr_line_str(&o->l, s ? s : "");
		return;
	}
	snprintf(safe, sizeof(safe), "%s", s);
	for (char *p = safe; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	mr_line_str(&o->l, safe);
}

static void kv_str(struct out *o, const char *k, const char *v)
{
	mr_line_key(&o->l, k);
	put_str(o, v);
}

/* Raw text through printf: signed numbers, milliseconds to the microsecond. */
__attribute__((format(printf, 2, 3))) static void raw(struct out *o, const char *fmt, ...)
{
	char v[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	mr_line_raw(&o->l, v);
}

static void head_piece(struct out *o, const struct pd_state *s, size_t i)
{
	(void)i;
	raw(o, "{\"pid\":%lld", s->pid);
	kv_str(o, "config", s->config);
	mr_line_key(&o->l, "paths");
	mr_line_raw(&o->l, "[");
}

static void budget_value(struct out *o, const struct pd_state_budget *b)
{
	if (!b->bytes) {
		mr_line_raw(&o->l, "null");
		return;
	}
	raw(o, "{\"bytes\":%llu", b->bytes);
	kv_str(o, "per", b->per == MR_PER_DAY ? "day" : "month");
	mr_line_key(&o->l, "start");
	raw(o, "%u}", b->start);
}

/* Kinds and budgets of a path (state_file.h). */
static void path_budget_keys(struct out *o, const struct pd_state_path *p)
{
	kv_str(o, "kind", p->kind);
	mr_line_key(&o->l, "ifaces");
	mr_line_raw(&o->l, "[");
	for (size_t k = 0; k < p->n_ifaces; k++) {
		if (k)
			mr_line_raw(&o->l, ",");
		put_str(o, p->ifaces[k]);
	}
	mr_line_raw(&o->l, "]");
	mr_line_kv_bool(&o->l, "metered", p->metered);
	mr_line_key(&o->l, "budget");
	budget_value(o, &p->budget);
	mr_line_kv_u64(&o->l, "used", p->used);
	kv_str(o, "period", p->period);
	kv_str(o, "resets", p->resets);
	mr_line_kv_bool(&o->l, "over", p->over);
}

static void path_piece(struct out *o, const struct pd_state *s, size_t i)
{
	const struct pd_state_path *p = &s->paths[i];
	mr_line_raw(&o->l, i ? ",{\"name\":" : "{\"name\":");
	put_str(o, p->name);
	kv_str(o, "dev", p->dev);
	mr_line_kv_bool(&o->l, "backup", p->backup);
	mr_line_kv_bool(&o->l, "up", p->up);
	mr_line_key(&o->l, "addrs");
	mr_line_raw(&o->l, "[");
	for (size_t k = 0; k < p->n_addrs; k++) {
		if (k)
			mr_line_raw(&o->l, ",");
		put_str(o, p->addrs[k]);
	}
	mr_line_raw(&o->l, "]");
	path_budget_keys(o, p);
	mr_line_raw(&o->l, "}");
}

static void middle_piece(struct out *o, const struct pd_state *s, size_t i)
{
	(void)s;
	(void)i;
	mr_line_raw(&o->l, "]");
	mr_line_key(&o->l, "connections");
	mr_line_raw(&o->l, "[");
}

static const char *const conn_states[] = {"registered", "created", "established"};

static void conn_piece(struct out *o, const struct pd_state *st, size_t i)
{
	const struct pd_state_conn *c = &st->conns[i];
	raw(o, "%s{\"token\":\"%08x\"", i ? "," : "", c->token);
	kv_str(o, "side", c->server ? "server" : "client");
	kv_str(o, "state", conn_states[c->state]);
	kv_str(o, "local", c->local);
	kv_str(o, "remote", c->remote);
	mr_line_key(&o->l, "pid");
	raw(o, "%lld", c->pid);
	mr_line_key(&o->l, "uid");
	raw(o, "%lld", c->uid);
	kv_str(o, "exe", c->exe);
	kv_str(o, "paths", c->paths);
	kv_str(o, "mode", c->mode);
	mr_line_key(&o->l, "subflows");
	mr_line_raw(&o->l, "[");
	for (size_t k = 0; k < c->n_subs; k++) {
		const struct pd_state_sub *s = &c->subs[k];
		mr_line_raw(&o->l, k ? ",{\"path\":" : "{\"path\":");
		put_str(o, s->path);
		kv_str(o, "local", s->local);
		mr_line_kv_bool(&o->l, "backup", s->backup);
		mr_line_kv_bool(&o->l, "live", s->live);
		mr_line_kv_bool(&o->l, "initial", s->initial);
		mr_line_kv_bool(&o->l, "promoting", s->promoting);
		mr_line_key(&o->l, "rtt_ms");
		raw(o, "%.3f}", s->rtt_ms);
	}
	mr_line_raw(&o->l, "]");
	mr_line_key(&o->l, "retries");
	mr_line_raw(&o->l, "[");
	for (size_t k = 0; k < c->n_retries; k++) {
		const struct pd_state_retry *r = &c->retries[k];
		mr_line_raw(&o->l, k ? ",{\"path\":" : "{\"path\":");
		put_str(o, r->path);
		mr_line_kv_u64(&o->l, "fails", r->fails);
		mr_line_kv_bool(&o->l, "unreachable", r->unreachable);
		mr_line_key(&o->l, "retry_in_ms");
		raw(o, "%.3f", r->retry_in_ms);
		kv_str(o, "why", r->why);
		mr_line_raw(&o->l, "}");
	}
	mr_line_raw(&o->l, "]}");
}

static void usage_head_piece(struct out *o, const struct pd_state *s, size_t i)
{
	(void)s;
	(void)i;
	mr_line_raw(&o->l, "]");
	mr_line_key(&o->l, "usage");
	mr_line_raw(&o->l, "[");
}

static void usage_piece(struct out *o, const struct pd_state *s, size_t i)
{
	const struct pd_state_usage *u = &s->usage[i];
	mr_line_raw(&o->l, i ? ",{\"program\":" : "{\"program\":");
	put_str(o, u->program);
	kv_str(o, "path", u->path);
	mr_line_kv_u64(&o->l, "bytes", u->bytes);
	mr_line_key(&o->l, "budget");
	budget_value(o, &u->budget);
	kv_str(o, "period", u->period);
	kv_str(o, "resets", u->resets);
	mr_line_kv_bool(&o->l, "over", u->over);
	mr_line_raw(&o->l, "}");
}

static void tail_piece(struct out *o, const struct pd_state *s, size_t i)
{
	const struct pd_state_counters *n = &s->counters;
	(void)i;
	mr_line_raw(&o->l, "]");
	mr_line_key(&o->l, "counters");
	raw(o, "{\"connections\":%llu", n->connections);
	mr_line_kv_u64(&o->l, "subflow_create", n->subflow_create);
	mr_line_kv_u64(&o->l, "subflow_destroy", n->subflow_destroy);
	mr_line_kv_u64(&o->l, "set_flags", n->set_flags);
	mr_line_kv_u64(&o->l, "announce", n->announce);
	mr_line_kv_u64(&o->l, "errors", n->errors);
	mr_line_kv_u64(&o->l, "registrations", n->registrations);
	mr_line_kv_u64(&o->l, "refused", n->refused);
	mr_line_kv_u64(&o->l, "rate_limited", n->rate_limited);
	mr_line_kv_u64(&o->l, "uid_capped", n->uid_capped);
	mr_line_key(&o->l, "command_ms");
	raw(o, "%.3f}", n->command_ms);
	mr_line_key(&o->l, "sf_latency_ms");
	raw(o, "{\"n\":%llu,\"p50\":%.3f,\"p99\":%.3f}}\n", s->latency.n, s->latency.p50,
	    s->latency.p99);
}

/* One piece appended to b; the piece buffer grows until the piece fits. */
static bool piece(struct out *o, struct lr_buf *b,
                  void (*fn)(struct out *, const struct pd_state *, size_t),
                  const struct pd_state *s, size_t i)
{
	for (;;) {
		mr_line_init(&o->l, o->piece, o->cap);
		fn(o, s, i);
		if (!o->l.overflow)
			break;
		char *bigger = realloc(o->piece, o->cap * 2);
		if (!bigger)
			return false;
		o->piece = bigger;
		o->cap *= 2;
	}
	lr_buf_add(b, o->piece, o->l.len);
	return true;
}

/* The whole file's text (one line, newline-terminated); NULL when out of memory. */
static char *compose(const struct pd_state *s, size_t *len)
{
	struct out o = {.cap = 16384};
	struct lr_buf b;
	bool ok = (o.piece = malloc(o.cap)) != NULL;
	lr_buf_init(&b);
	ok = ok && piece(&o, &b, head_piece, s, 0);
	for (size_t i = 0; ok && i < s->n_paths; i++)
		ok = piece(&o, &b, path_piece, s, i);
	ok = ok && piece(&o, &b, middle_piece, s, 0);
	for (size_t i = 0; ok && i < s->n_conns; i++)
		ok = piece(&o, &b, conn_piece, s, i);
	ok = ok && piece(&o, &b, usage_head_piece, s, 0);
	for (size_t i = 0; ok && i < s->n_usage; i++)
		ok = piece(&o, &b, usage_piece, s, i);
	ok = ok && piece(&o, &b, tail_piece, s, 0);
	free(o.piece);
	*len = b.len;
	char *text = lr_buf_take(&b);
	if (!ok) {
		free(text);
		return NULL;
	}
	return text;
}

int pd_state_write(const char *path, const struct pd_state *s)
{
	size_t len;
	char *text = compose(s, &len);
	if (!text)
		return -ENOMEM;
	int rc = lr_replace_file(path, text, len, 0644);
	free(text);
	return rc;
}

int pd_state_print(FILE *f, const struct pd_state *s)
{
	size_t len;
	char *text = compose(s, &len);
	int rc = text && fwrite(text, 1, len, f) == len ? 0 : -1;
	free(text);
	return rc;
}

/* ---- reading ---- */

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static void copy(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v);
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static unsigned long long count(json_t *o, const char *k)
{
	long long v = num(o, k);
	return v > 0 ? (unsigned long long)v : 0;
}

static bool flag(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static bool read_conn(json_t *x, struct pd_state_conn *c)
{
	json_t *subs = json_object_get(x, "subflows"), *retries = json_object_get(x, "retries"), *y;
	size_t k;
	c->token = (uint32_t)strtoul(str(x, "token"), NULL, 16);
	c->server = strcmp(str(x, "side"), "server") == 0;
	c->state = PD_CONN_REGISTERED;
	for (size_t i = 0; i < sizeof(conn_states) / sizeof(conn_states[0]); i++)
		if (strcmp(str(x, "state"), conn_states[i]) == 0)
			c->state = (enum pd_state_conn_state)i;
	copy(c->local, sizeof(c->local), str(x, "local"));
	copy(c->remote, sizeof(c->remote), str(x, "remote"));
	c->pid = num(x, "pid");
	c->uid = json_object_get(x, "uid") ? num(x, "uid") : -1;
	c->exe = str(x, "exe");
	copy(c->paths, sizeof(c->paths), str(x, "paths"));
	c->mode = str(x, "mode");
	c->n_subs = json_array_size(subs);
	if (c->n_subs && !(c->subs = calloc(c->n_subs, sizeof(*c->subs))))
		return false;
	c->n_retries = json_array_size(retries);
	if (c->n_retries && !(c->retries = calloc(c->n_retries, sizeof(*c->retries))))
		return false;
	json_array_foreach(retries, k, y)
	{
		struct pd_state_retry *r = &c->retries[k];
		r->path = str(y, "path");
		r->fails = (unsigned)count(y, "fails");
		r->unreachable = flag(y, "unreachable");
		r->retry_in_ms = json_number_value(json_object_get(y, "retry_in_ms"));
		copy(r->why, sizeof(r->why), str(y, "why"));
	}
	json_array_foreach(subs, k, y)
	{
		struct pd_state_sub *s = &c->subs[k];
		s->path = str(y, "path");
		copy(s->local, sizeof(s->local), str(y, "local"));
		s->backup = flag(y, "backup");
		s->live = flag(y, "live");
		s->initial = flag(y, "initial");
		s->promoting = flag(y, "promoting");
		s->rtt_ms = json_number_value(json_object_get(y, "rtt_ms"));
	}
	return true;
}

static void read_budget(json_t *x, struct pd_state_budget *b)
{
	b->bytes = count(x, "bytes");
	b->per = strcmp(str(x, "per"), "day") == 0 ? MR_PER_DAY : MR_PER_MONTH;
	b->start = (uint8_t)count(x, "start");
}

static void read_path_budget(json_t *x, struct pd_state_path *p)
{
	json_t *a;
	size_t k;
	p->kind = str(x, "kind");
	json_array_foreach(json_object_get(x, "ifaces"), k, a)
	{
		if (p->n_ifaces < PD_STATE_IFACES && json_is_string(a))
			copy(p->ifaces[p->n_ifaces++], sizeof(p->ifaces[0]), json_string_value(a));
	}
	p->metered = flag(x, "metered");
	read_budget(json_object_get(x, "budget"), &p->budget);
	p->used = count(x, "used");
	copy(p->period, sizeof(p->period), str(x, "period"));
	copy(p->resets, sizeof(p->resets), str(x, "resets"));
	p->over = flag(x, "over");
}

static void read_usage(json_t *x, struct pd_state_usage *u)
{
	u->program = str(x, "program");
	u->path = str(x, "path");
	u->bytes = count(x, "bytes");
	read_budget(json_object_get(x, "budget"), &u->budget);
	copy(u->period, sizeof(u->period), str(x, "period"));
	copy(u->resets, sizeof(u->resets), str(x, "resets"));
	u->over = flag(x, "over");
}

static int read_json(json_t *root, struct pd_state *s)
{
	json_t *paths = json_object_get(root, "paths"),
	       *conns = json_object_get(root, "connections");
	json_t *cnt = json_object_get(root, "counters"),
	       *lat = json_object_get(root, "sf_latency_ms");
	json_t *x, *a;
	size_t i, k;
	s->pid = num(root, "pid");
	s->config = str(root, "config");
	json_t *usage = json_object_get(root, "usage");
	s->n_paths = json_array_size(paths);
	s->n_conns = json_array_size(conns);
	s->n_usage = json_array_size(usage);
	if ((s->n_paths && !(s->paths = calloc(s->n_paths, sizeof(*s->paths)))) ||
	    (s->n_conns && !(s->conns = calloc(s->n_conns, sizeof(*s->conns)))) ||
	    (s->n_usage && !(s->usage = calloc(s->n_usage, sizeof(*s->usage)))))
		return -ENOMEM;
	json_array_foreach(usage, i, x)
	{
		read_usage(x, &s->usage[i]);
	}
	json_array_foreach(paths, i, x)
	{
		struct pd_state_path *p = &s->paths[i];
		p->name = str(x, "name");
		p->dev = str(x, "dev");
		p->backup = flag(x, "backup");
		p->up = flag(x, "up");
		json_array_foreach(json_object_get(x, "addrs"), k, a)
		{
			if (p->n_addrs < PD_STATE_ADDRS && json_is_string(a))
				copy(p->addrs[p->n_addrs++], PD_STATE_ENDPOINT,
				     json_string_value(a));
		}
		read_path_budget(x, p);
	}
	json_array_foreach(conns, i, x)
	{
		if (!read_conn(x, &s->conns[i]))
			return -ENOMEM;
	}
	s->counters = (struct pd_state_counters){
	    .connections = count(cnt, "connections"),
	    .subflow_create = count(cnt, "subflow_create"),
	    .subflow_destroy = count(cnt, "subflow_destroy"),
	    .set_flags = count(cnt, "set_flags"),
	    .announce = count(cnt, "announce"),
	    .errors = count(cnt, "errors"),
	    .registrations = count(cnt, "registrations"),
	    .refused = count(cnt, "refused"),
	    .rate_limited = count(cnt, "rate_limited"),
	    .uid_capped = count(cnt, "uid_capped"),
	    .command_ms = json_number_value(json_object_get(cnt, "command_ms")),
	};
	s->latency.n = count(lat, "n");
	s->latency.p50 = json_number_value(json_object_get(lat, "p50"));
	s->latency.p99 = json_number_value(json_object_get(lat, "p99"));
	return 0;
}

int pd_state_read(const char *path, struct pd_state *s, char *err, size_t esize)
{
	json_error_t jerr;
	memset(s, 0, sizeof(*s));
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root) {
		if (jerr.position == 0 && access(path, F_OK) != 0 && errno == ENOENT)
			return -ENOENT;
		snprintf(err, esize, "%s", jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(err, esize, "not a JSON object");
		return -EINVAL;
	}
	s->json = root;
	int rc = read_json(root, s);
	if (rc < 0) {
		snprintf(err, esize, "%s", strerror(-rc));
		pd_state_free(s);
	}
	return rc;
}

void pd_state_free(struct pd_state *s)
{
	for (size_t i = 0; s->conns && i < s->n_conns; i++) {
		free(s->conns[i].subs);
		free(s->conns[i].retries);
	}
	free(s->conns);
	free(s->paths);
	free(s->usage);
	json_decref(s->json);
	memset(s, 0, sizeof(*s));
}
