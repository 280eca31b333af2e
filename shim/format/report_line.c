/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "format/report_line.h"
#include "policy/policy.h"

void mr_line_init(struct mr_line *l, char *buf, size_t cap)
{
	l->buf = buf;
	l->len = 0;
	l->cap = cap;
	l->overflow = false;
}

static void add(struct mr_line *l, const char *s, size_t n)
{
	if (l->overflow || n > l->cap - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void mr_line_raw(struct mr_line *l, const char *s)
{
	add(l, s, strlen(s));
}

static void add_u64(struct mr_line *l, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	add(l, tmp + i, sizeof(tmp) - i);
}

void mr_line_str(struct mr_line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s) {
		mr_line_raw(l, "null");
		return;
	}
	add(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = {'\\', (char)*p};
			add(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			add(l, esc, 6);
		} else {
			add(l, (const char *)p, 1);
		}
	}
	add(l, "\"", 1);
}

void mr_line_key(struct mr_line *l, const char *k)
{
	add(l, ",\"", 2);
	mr_line_raw(l, k);
	add(l, "\":", 2);
}

void mr_line_kv_str(struct mr_line *l, const char *k, const char *v)
{
	mr_line_key(l, k);
	mr_line_str(l, v);
}

void mr_line_kv_u64(struct mr_line *l, const char *k, uint64_t v)
{
	mr_line_key(l, k);
	add_u64(l, v);
}

void mr_line_kv_bool(struct mr_line *l, const char *k, bool v)
{
	mr_line_key(l, k);
	mr_line_raw(l, v ? "true" : "false");
}

/* An address as a JSON string, null when there is none or it cannot be written. */
static void add_addr(struct mr_line *l, const struct sockaddr_storage *ss)
{
	char text[64];
	mr_line_str(l, ss && mr_format_sockaddr(ss, text, sizeof(text)) ? text : NULL);
}

void mr_line_kv_addr(struct mr_line *l, const char *k, const struct sockaddr_storage *ss)
{
	mr_line_key(l, k);
	add_addr(l, ss);
}

static void compose_subflow(struct mr_line *l, const struct mr_report_subflow_fields *s, bool first)
{
	mr_line_raw(l, first ? "{" : ",{");
	/* The first key has no leading comma. */
	mr_line_raw(l, "\"local\":");
	add_addr(l, s->local);
	mr_line_kv_addr(l, "remote", s->remote);
	mr_line_kv_str(l, "dev", s->dev && s->dev[0] ? s->dev : NULL);
	if (s->have_counters) {
		mr_line_kv_u64(l, "bytes_sent", s->bytes_sent);
		mr_line_kv_u64(l, "bytes_acked", s->bytes_acked);
		mr_line_kv_u64(l, "bytes_received", s->bytes_received);
		mr_line_kv_u64(l, "retrans", s->retrans);
		mr_line_kv_u64(l, "rtt_us", s->rtt_us);
	}
	/* The backup flag is only in inet_diag's ULP info (CAP_NET_ADMIN); getsockopt has none. */
	mr_line_raw(l, ",\"backup\":null}");
}

void mr_report_compose(struct mr_line *l, const struct mr_report_fields *f)
{
	mr_line_raw(l, "{\"v\":1");
	mr_line_kv_u64(l, "time", f->time);
	mr_line_kv_str(l, "program", f->program);
	mr_line_kv_u64(l, "pid", f->pid);
	mr_line_kv_u64(l, "fd", f->fd);
	mr_line_kv_str(l, "at", f->at);
	mr_line_kv_str(l, "role", f->role);
	mr_line_kv_addr(l, "local", f->local);
	mr_line_kv_addr(l, "remote", f->remote);
	mr_line_kv_str(l, "socket", f->socket);
	mr_line_kv_str(l, "conn", f->conn);
	mr_line_kv_str(l, "policy", f->policy);
	mr_line_kv_str(l, "rule", f->policy ? f->rule : NULL);
	mr_line_kv_str(l, "kept", f->kept);
	mr_line_kv_bool(l, "pinned", f->pinned);
	mr_line_kv_bool(l, "shared", f->shared);
	if (f->have_totals) {
		mr_line_kv_u64(l, "bytes_sent", f->bytes_sent);
		mr_line_kv_u64(l, "bytes_acked", f->bytes_acked);
		mr_line_kv_u64(l, "bytes_received", f->bytes_received);
		mr_line_kv_u64(l, "retrans", f->retrans);
	}
	mr_line_kv_u64(l, "subflows_total", f->subflows_total);
	mr_line_kv_str(l, "paths_at", f->paths_at);
	if (f->no_figures)
		mr_line_kv_str(l, "no_figures", f->no_figures);
	if (f->sampled > 1)
		mr_line_kv_u64(l, "sampled", f->sampled);
	mr_line_key(l, "subflows");
	mr_line_raw(l, "[");
	for (int i = 0; i < f->n_subflows; i++)
		compose_subflow(l, &f->subflows[i], i == 0);
	mr_line_raw(l, "]}");
}
