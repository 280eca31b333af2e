/* SPDX-License-Identifier: MIT */
#include "pathd/usage_file.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/atomic_file.h"
#include "policy/policy.h"

#define USAGE_FILE_MAX (64L * 1024 * 1024) /* 4,096 counters and 8,192 connections fit */

static const char *per_name(uint8_t per)
{
	return per == MR_PER_DAY ? "day" : "month";
}

static json_t *addr_json(const struct pl_addr *a)
{
	char b[64];
	return json_string(pl_addr_str(a, b, sizeof(b)));
}

int pd_usage_write(const char *path, const struct pd_usage_data *u)
{
	json_t *root = json_object(), *counts = json_array(), *subs = json_array();
	int rc = -ENOMEM;
	if (!root || !counts || !subs)
		goto out;
	json_object_set_new(root, "version", json_integer(PD_USAGE_VERSION));
	json_object_set_new(root, "written", json_string(u->written));
	for (size_t i = 0; i < u->n_counts; i++) {
		const struct pd_usage_count *k = &u->counts[i];
		/* A program path that is not UTF-8 cannot be a JSON string: not kept. */
		if (!mr_utf8_valid(k->program) || !mr_utf8_valid(k->path))
			continue;
		json_array_append_new(
		    counts, json_pack("{s:s,s:s,s:s,s:i,s:s,s:I}", "program", k->program, "path",
		                      k->path, "per", per_name(k->per), "start", (int)k->start,
		                      "period", k->period, "bytes", (json_int_t)k->bytes));
	}
	for (size_t i = 0; i < u->n_subs; i++) {
		const struct pd_usage_sub *s = &u->subs[i];
		char tok[16];
		snprintf(tok, sizeof(tok), "%08x", s->token);
		json_array_append_new(
		    subs, json_pack("{s:s,s:o,s:i,s:o,s:i,s:I,s:I}", "token", tok, "local",
		                    addr_json(&s->loc), "lport", (int)s->lport, "remote",
		                    addr_json(&s->rem), "rport", (int)s->rport, "acked",
		                    (json_int_t)s->acked, "received", (json_int_t)s->received));
	}
	json_object_set(root, "counters", counts);
	json_object_set(root, "subflows", subs);
	char *text = json_dumps(root, JSON_COMPACT);
	if (!text)
		goto out;
	size_t len = strlen(text);
	text[len] = '\n'; /* the terminating NUL becomes the last line's end */
	rc = lr_write_atomic(path, text, len + 1, 0644, NULL);
	free(text);
out:
	json_decref(counts);
	json_decref(subs);
	json_decref(root);
	return rc;
}

/* An address as written: its family from its text. */
static bool addr_of(const char *text, struct pl_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	return inet_pton(a->family, text, a->a) == 1;
}

static uint64_t u64(json_t *o, const char *k, bool *ok)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		*ok = false;
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

static const char *text_of(json_t *o, const char *k, bool *ok)
{
	const char *v = json_string_value(json_object_get(o, k));
	if (!v)
		*ok = false;
	return v ? v : "";
}

static bool read_count(json_t *x, struct pd_usage_count *k)
{
	bool ok = true;
	k->program = text_of(x, "program", &ok);
	k->path = text_of(x, "path", &ok);
	const char *per = text_of(x, "per", &ok);
	k->per = strcmp(per, "day") == 0 ? MR_PER_DAY : MR_PER_MONTH;
	ok = ok && (strcmp(per, "day") == 0 || strcmp(per, "month") == 0);
	uint64_t start = u64(x, "start", &ok);
	k->start = (uint8_t)start;
	snprintf(k->period, sizeof(k->period), "%s", text_of(x, "period", &ok));
	k->bytes = u64(x, "bytes", &ok);
	return ok && start <= 31;
}

static bool read_sub(json_t *x, struct pd_usage_sub *s)
{
	bool ok = true;
	char *end;
	const char *tok = text_of(x, "token", &ok);
	s->token = (uint32_t)strtoul(tok, &end, 16);
	ok = ok && *tok && !*end;
	ok = ok && addr_of(text_of(x, "local", &ok), &s->loc);
	ok = ok && addr_of(text_of(x, "remote", &ok), &s->rem);
	uint64_t lp = u64(x, "lport", &ok), rp = u64(x, "rport", &ok);
	s->lport = (uint16_t)lp;
	s->rport = (uint16_t)rp;
	s->acked = u64(x, "acked", &ok);
	s->received = u64(x, "received", &ok);
	return ok && lp <= 65535 && rp <= 65535;
}

int pd_usage_read(const char *path, struct pd_usage_data *u, char *err, size_t esize)
{
	json_error_t jerr;
	struct stat st;
	memset(u, 0, sizeof(*u));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		snprintf(err, esize, "%s", strerror(e));
		return e == ENOENT ? -ENOENT : e == ELOOP ? -EPERM : -e;
	}
	/* Counts decide whether a program may use a path: only root's own file (or the reader's
	 * own, which the daemon, root, makes the same thing) is believed. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, esize, "not a regular file written by root only");
		close(fd);
		return -EPERM;
	}
	if (st.st_size > USAGE_FILE_MAX) {
		snprintf(err, esize, "larger than %ld bytes", USAGE_FILE_MAX);
		close(fd);
		return -EINVAL;
	}
	json_t *root = json_loadfd(fd, 0, &jerr);
	close(fd);
	if (!root) {
		snprintf(err, esize, "%s (line %d)", jerr.text, jerr.line);
		return -EINVAL;
	}
	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != PD_USAGE_VERSION) {
		json_decref(root);
		snprintf(err, esize, "not a version %d usage file", PD_USAGE_VERSION);
		return -EINVAL;
	}
	u->json = root;
	snprintf(u->written, sizeof(u->written), "%s",
	         json_string_value(json_object_get(root, "written"))
	             ? json_string_value(json_object_get(root, "written"))
	             : "");
	json_t *counts = json_object_get(root, "counters"),
	       *subs = json_object_get(root, "subflows");
	size_t nc = json_array_size(counts), ns = json_array_size(subs), i;
	json_t *x;
	if ((nc && !(u->counts = calloc(nc, sizeof(*u->counts)))) ||
	    (ns && !(u->subs = calloc(ns, sizeof(*u->subs))))) {
		pd_usage_free(u);
		snprintf(err, esize, "out of memory");
		return -ENOMEM;
	}
	json_array_foreach(counts, i, x)
	{
		if (read_count(x, &u->counts[u->n_counts]))
			u->n_counts++;
	}
	json_array_foreach(subs, i, x)
	{
		if (read_sub(x, &u->subs[u->n_subs]))
			u->n_subs++;
	}
	return 0;
}

void pd_usage_free(struct pd_usage_data *u)
{
	free(u->counts);
	free(u->subs);
	json_decref(u->json);
	memset(u, 0, sizeof(*u));
}
