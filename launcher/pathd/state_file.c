/* SPDX-License-Identifier: MIT */
#include "pathd/state_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/atomic_file.h"

/* ---- writing ---- */

/* A JSON string of s. jansson takes UTF-8 only; a path need not be UTF-8, so a string that is
 * not is written with '?' for its bytes above 0x7f. */
static json_t *text(const char *s)
{
	json_t *v = json_string(s ? s : "");
	if (v || !s)
		return v;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Sets key to v (a new reference); false, v released, when either failed. */
static bool set(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

static bool add(json_t *array, json_t *v)
{
	return v && json_array_append_new(array, v) == 0;
}

static json_t *path_json(const struct pd_state_path *p)
{
	json_t *o = json_object(), *addrs = json_array();
	bool ok = o && addrs;
	for (size_t k = 0; ok && k < p->n_addrs; k++)
		ok = add(addrs, text(p->addrs[k]));
	ok = ok && set(o, "name", text(p->name)) && set(o, "dev", text(p->dev)) &&
	     set(o, "backup", json_boolean(p->backup)) && set(o, "up", json_boolean(p->up)) &&
	     set(o, "addrs", json_incref(addrs));
	json_decref(addrs);
	if (!ok)
		json_decref(o);
	return ok ? o : NULL;
}

static json_t *sub_json(const struct pd_state_sub *s)
{
	json_t *o = json_object();
	bool ok = o && set(o, "path", text(s->path)) && set(o, "local", text(s->local)) &&
	          set(o, "backup", json_boolean(s->backup)) &&
	          set(o, "live", json_boolean(s->live)) &&
	          set(o, "initial", json_boolean(s->initial)) &&
	          set(o, "promoting", json_boolean(s->promoting));
	if (!ok)
		json_decref(o);
	return ok ? o : NULL;
}

static const char *const conn_states[] = {"registered", "created", "established"};

static json_t *conn_json(const struct pd_state_conn *c)
{
	char token[9];
	json_t *o = json_object(), *subs = json_array();
	bool ok = o && subs;
	snprintf(token, sizeof(token), "%08x", c->token);
	for (size_t k = 0; ok && k < c->n_subs; k++)
		ok = add(subs, sub_json(&c->subs[k]));
	ok = ok && set(o, "token", text(token)) &&
	     set(o, "side", text(c->server ? "server" : "client")) &&
	     set(o, "state", text(conn_states[c->state])) && set(o, "local", text(c->local)) &&
	     set(o, "remote", text(c->remote)) && set(o, "pid", json_integer(c->pid)) &&
	     set(o, "uid", json_integer(c->uid)) && set(o, "exe", text(c->exe)) &&
	     set(o, "paths", text(c->paths)) && set(o, "subflows", json_incref(subs));
	json_decref(subs);
	if (!ok)
		json_decref(o);
	return ok ? o : NULL;
}

static json_t *counters_json(const struct pd_state_counters *n)
{
	json_t *o = json_object();
	bool ok = o && set(o, "connections", json_integer((json_int_t)n->connections)) &&
	          set(o, "subflow_create", json_integer((json_int_t)n->subflow_create)) &&
	          set(o, "subflow_destroy", json_integer((json_int_t)n->subflow_destroy)) &&
	          set(o, "set_flags", json_integer((json_int_t)n->set_flags)) &&
	          set(o, "announce", json_integer((json_int_t)n->announce)) &&
	          set(o, "errors", json_integer((json_int_t)n->errors)) &&
	          set(o, "registrations", json_integer((json_int_t)n->registrations)) &&
	          set(o, "refused", json_integer((json_int_t)n->refused)) &&
	          set(o, "rate_limited", json_integer((json_int_t)n->rate_limited)) &&
	          set(o, "uid_capped", json_integer((json_int_t)n->uid_capped)) &&
	          set(o, "command_ms", json_real(n->command_ms));
	if (!ok)
		json_decref(o);
	return ok ? o : NULL;
}

static json_t *state_json(const struct pd_state *s)
{
	json_t *root = json_object(), *paths = json_array(), *conns = json_array(),
	       *lat = json_object();
	bool ok = root && paths && conns && lat;
	for (size_t i = 0; ok && i < s->n_paths; i++)
		ok = add(paths, path_json(&s->paths[i]));
	for (size_t i = 0; ok && i < s->n_conns; i++)
		ok = add(conns, conn_json(&s->conns[i]));
	ok = ok && set(lat, "n", json_integer((json_int_t)s->latency.n)) &&
	     set(lat, "p50", json_real(s->latency.p50)) &&
	     set(lat, "p99", json_real(s->latency.p99)) && set(root, "pid", json_integer(s->pid)) &&
	     set(root, "config", text(s->config)) && set(root, "paths", json_incref(paths)) &&
	     set(root, "connections", json_incref(conns)) &&
	     set(root, "counters", counters_json(&s->counters)) &&
	     set(root, "sf_latency_ms", json_incref(lat));
	json_decref(paths);
	json_decref(conns);
	json_decref(lat);
	if (!ok)
		json_decref(root);
	return ok ? root : NULL;
}

/* Key order as set (jansson keeps it); microseconds are the finest a reader needs. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9))

int pd_state_write(const char *path, const struct pd_state *s)
{
	json_t *root = state_json(s);
	char *data = root ? json_dumps(root, DUMP_FLAGS) : NULL;
	json_decref(root);
	if (!data)
		return -ENOMEM;
	size_t len = strlen(data);
	/* One line, as readers of the earlier format (line-based tools) expect. */
	char *line = realloc(data, len + 2);
	if (!line) {
		free(data);
		return -ENOMEM;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	int rc = lr_replace_file(path, line, len + 1, 0644);
	free(line);
	return rc;
}

int pd_state_print(FILE *f, const struct pd_state *s)
{
	json_t *root = state_json(s);
	int rc = root ? json_dumpf(root, f, DUMP_FLAGS) : -1;
	json_decref(root);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
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
	json_t *subs = json_object_get(x, "subflows"), *y;
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
	c->n_subs = json_array_size(subs);
	if (c->n_subs && !(c->subs = calloc(c->n_subs, sizeof(*c->subs))))
		return false;
	json_array_foreach(subs, k, y)
	{
		struct pd_state_sub *s = &c->subs[k];
		s->path = str(y, "path");
		copy(s->local, sizeof(s->local), str(y, "local"));
		s->backup = flag(y, "backup");
		s->live = flag(y, "live");
		s->initial = flag(y, "initial");
		s->promoting = flag(y, "promoting");
	}
	return true;
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
	s->n_paths = json_array_size(paths);
	s->n_conns = json_array_size(conns);
	if ((s->n_paths && !(s->paths = calloc(s->n_paths, sizeof(*s->paths)))) ||
	    (s->n_conns && !(s->conns = calloc(s->n_conns, sizeof(*s->conns)))))
		return -ENOMEM;
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
	for (size_t i = 0; s->conns && i < s->n_conns; i++)
		free(s->conns[i].subs);
	free(s->conns);
	free(s->paths);
	json_decref(s->json);
	memset(s, 0, sizeof(*s));
}
