/* SPDX-License-Identifier: MIT */
/*
 * Reading a timeline file: each line on its own (jansson), so a line cut
 * short by a killed launcher costs that line only. Samples become
 * lv_samples again, events keep their time (marks from `mptcp-run mark` get
 * theirs from their wall clock).
 */
#include "report/timeline.h"

#include "live/render.h"
#include "live/timeline.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES (4L * 1024 * 1024)

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static uint64_t u64(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	return json_is_real(v) && json_real_value(v) > 0 ? (uint64_t)json_real_value(v) : 0;
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static int add_sample(struct lr_tl *tl, json_t *line)
{
	json_t *snap = json_object_get(line, "snapshot"), *c, *f;
	size_t i, k;

	if (tl->n_samples == tl->cap_samples) {
		size_t cap = tl->cap_samples ? tl->cap_samples * 2 : 64;
		struct lv_sample *p = realloc(tl->samples, cap * sizeof(*p));
		if (!p)
			return -1;
		tl->samples = p;
		tl->cap_samples = cap;
	}
	struct lv_sample *s = &tl->samples[tl->n_samples++];
	lv_sample_init(s);
	s->t = num(line, "t");
	s->wall = num(snap, "time");
	json_array_foreach(json_object_get(snap, "connections"), i, c)
	{
		struct lv_conn *k_ = lv_sample_add_conn(s);
		if (!k_)
			return -1;
		k_->token = (uint32_t)strtoul(str(c, "token"), NULL, 16);
		k_->state = lv_state_from_name(str(c, "state"));
		k_->fallback = json_is_true(json_object_get(c, "fallback"));
		lv_endpoint_parse(str(c, "local"), &k_->loc, &k_->lport);
		lv_endpoint_parse(str(c, "remote"), &k_->rem, &k_->rport);
		k_->pid = (pid_t)u64(c, "pid");
		snprintf(k_->prog, sizeof(k_->prog), "%s", str(c, "program"));
		snprintf(k_->paths, sizeof(k_->paths), "%s", str(c, "paths"));
		k_->bytes_sent = u64(c, "bytes_sent");
		k_->bytes_acked = u64(c, "bytes_acked");
		k_->bytes_received = u64(c, "bytes_received");
		json_array_foreach(json_object_get(c, "subflows"), k, f)
		{
			struct lv_subflow *x = lv_sample_add_subflow(s);
			if (!x)
				return -1;
			x->token = k_->token;
			lv_endpoint_parse(str(f, "local"), &x->loc, &x->lport);
			lv_endpoint_parse(str(f, "remote"), &x->rem, &x->rport);
			snprintf(x->ifname, sizeof(x->ifname), "%s", str(f, LV_K_IFNAME));
			snprintf(x->pathname, sizeof(x->pathname), "%s", str(f, LV_K_PATH));
			x->state = lv_state_from_name(str(f, "state"));
			x->initial = strcmp(str(f, "kind"), "init") == 0;
			x->backup = json_is_true(json_object_get(f, "backup"));
			x->bytes_sent = u64(f, "bytes_sent");
			x->bytes_received = u64(f, "bytes_received");
			x->bytes_acked = u64(f, "bytes_acked");
			x->bytes_retrans = u64(f, "bytes_retrans");
			x->rtt_us = (uint32_t)(num(f, "rtt_ms") * 1000);
			x->retrans = (uint32_t)u64(f, "retrans");
		}
	}
	lv_sample_link(s);
	if (s->t > tl->t_end)
		tl->t_end = s->t;
	return 0;
}

static int add_event(struct lr_tl *tl, json_t *line)
{
	if (tl->n_ev == tl->cap_ev) {
		size_t cap = tl->cap_ev ? tl->cap_ev * 2 : 32;
		struct lr_tl_event *p = realloc(tl->ev, cap * sizeof(*p));
		if (!p)
			return -1;
		tl->ev = p;
		tl->cap_ev = cap;
	}
	struct lr_tl_event *e = &tl->ev[tl->n_ev++];
	memset(e, 0, sizeof(*e));
	json_t *t = json_object_get(line, "t");
	e->t = json_is_number(t) ? json_number_value(t) : num(line, "wall") - tl->wall0;
	snprintf(e->what, sizeof(e->what), "%s", str(line, "what"));
	snprintf(e->ifname, sizeof(e->ifname), "%s", str(line, LV_K_IFNAME));
	snprintf(e->text, sizeof(e->text), "%s", str(line, "text"));
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct lr_tl_event *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t ? 1 : 0;
}

int lr_tl_read(FILE *in, struct lr_tl *tl)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool first = true;
	int rc = 0;

	memset(tl, 0, sizeof(*tl));
	errno = 0;
	while ((n = getline(&line, &cap, in)) >= 0) {
		json_error_t err;
		json_t *j = n < LINE_MAX_BYTES ? json_loads(line, 0, &err) : NULL;
		const char *type = str(j, LV_TL_TYPE);
		if (first) {
			first = false;
			if (strcmp(type, LV_TL_START) != 0) {
				json_decref(j);
				rc = 1;
				break;
			}
			tl->wall0 = num(j, "wall");
			tl->interval = num(j, "interval");
			tl->pid = (int)u64(j, "pid");
			snprintf(tl->command, sizeof(tl->command), "%s", str(j, "command"));
		} else if (strcmp(type, LV_TL_SAMPLE) == 0) {
			rc = add_sample(tl, j);
		} else if (strcmp(type, LV_TL_EVENT) == 0) {
			rc = add_event(tl, j);
		} else if (strcmp(type, LV_TL_END) == 0) {
			tl->ended = true;
			tl->t_end = num(j, "t") > tl->t_end ? num(j, "t") : tl->t_end;
			tl->status = (int)u64(j, "status");
			tl->signal = (int)u64(j, "signal");
		} else {
			tl->skipped++;
		}
		json_decref(j);
		if (rc < 0) {
			errno = ENOMEM;
			break;
		}
	}
	if (rc == 0 && ferror(in))
		rc = -1;
	else if (first && rc == 0)
		rc = 1; /* empty */
	free(line);
	if (tl->n_ev > 1)
		qsort(tl->ev, tl->n_ev, sizeof(tl->ev[0]), by_time);
	return rc;
}

void lr_tl_free(struct lr_tl *tl)
{
	for (size_t i = 0; i < tl->n_samples; i++)
		lv_sample_free(&tl->samples[i]);
	free(tl->samples);
	free(tl->ev);
	memset(tl, 0, sizeof(*tl));
}
