/* SPDX-License-Identifier: MIT */
#include "live/sample.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void lv_sample_init(struct lv_sample *s)
{
	memset(s, 0, sizeof(*s));
}

void lv_sample_free(struct lv_sample *s)
{
	free(s->conns);
	free(s->sfs);
	lv_sample_init(s);
}

void lv_sample_clear(struct lv_sample *s)
{
	struct lv_conn *c = s->conns;
	struct lv_subflow *f = s->sfs;
	size_t cc = s->cap_conns, cf = s->cap_sfs;

	lv_sample_init(s);
	s->conns = c;
	s->cap_conns = cc;
	s->sfs = f;
	s->cap_sfs = cf;
}

/* Room for one more element of size sz in *arr (n used, *cap allocated). */
static void *grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	if (n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(*arr, nc * sz);
		if (!p)
			return NULL;
		*arr = p;
		*cap = nc;
	}
	char *e = (char *)*arr + n * sz;
	memset(e, 0, sz);
	return e;
}

struct lv_conn *lv_sample_add_conn(struct lv_sample *s)
{
	struct lv_conn *c = grow((void **)&s->conns, s->n_conns, &s->cap_conns, sizeof(*c));
	if (c)
		s->n_conns++;
	return c;
}

struct lv_subflow *lv_sample_add_subflow(struct lv_sample *s)
{
	struct lv_subflow *f = grow((void **)&s->sfs, s->n_sfs, &s->cap_sfs, sizeof(*f));
	if (f)
		s->n_sfs++;
	return f;
}

static int by_token_sf(const void *a, const void *b)
{
	const struct lv_subflow *x = a, *y = b;
	if (x->token != y->token)
		return x->token < y->token ? -1 : 1;
	if (x->initial != y->initial)
		return x->initial ? -1 : 1;
	int c = strcmp(x->ifname, y->ifname);
	if (c)
		return c;
	return (int)x->lport - (int)y->lport;
}

void lv_sample_link(struct lv_sample *s)
{
	size_t i, k = 0;

	if (s->n_sfs)
		qsort(s->sfs, s->n_sfs, sizeof(s->sfs[0]), by_token_sf);
	for (i = 0; i < s->n_conns; i++)
		s->conns[i].n_sf = 0;
	/* Keep only the subflows whose connection is listed, in place. */
	for (i = 0; i < s->n_sfs; i++)
		if (lv_sample_find(s, s->sfs[i].token))
			s->sfs[k++] = s->sfs[i];
	s->n_sfs = k;
	for (i = 0; i < s->n_conns; i++) {
		struct lv_conn *c = &s->conns[i];
		size_t j;
		for (j = 0; j < s->n_sfs && s->sfs[j].token != c->token; j++)
			;
		c->first_sf = j;
		while (j < s->n_sfs && s->sfs[j].token == c->token) {
			c->n_sf++;
			j++;
		}
	}
}

const struct lv_conn *lv_sample_find(const struct lv_sample *s, uint32_t token)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i].token == token)
			return &s->conns[i];
	return NULL;
}

void lv_sample_move(struct lv_sample *dst, struct lv_sample *src)
{
	lv_sample_free(dst);
	*dst = *src;
	lv_sample_init(src);
}

bool lv_addr_eq(const struct lv_addr *x, const struct lv_addr *y)
{
	size_t n = x->family == AF_INET ? 4 : 16;
	return x->family == y->family && memcmp(x->a, y->a, n) == 0;
}

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

const char *lv_addr_str(const struct lv_addr *x, char *buf, size_t size)
{
	if (x->family == AF_INET6 && memcmp(x->a, v4mapped, 12) == 0) {
		if (!inet_ntop(AF_INET, x->a + 12, buf, (socklen_t)size))
			snprintf(buf, size, "?");
	} else if (!inet_ntop(x->family == AF_INET6 ? AF_INET6 : AF_INET, x->a, buf,
	                      (socklen_t)size)) {
		snprintf(buf, size, "?");
	}
	return buf;
}

const char *lv_endpoint_str(const struct lv_addr *x, uint16_t port, char *buf, size_t size)
{
	char a[64];
	lv_addr_str(x, a, sizeof(a));
	if (strchr(a, ':'))
		snprintf(buf, size, "[%s]:%u", a, port);
	else
		snprintf(buf, size, "%s:%u", a, port);
	return buf;
}

static const char *const state_names[] = {
    "?",      "ESTAB",      "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",   "TIME-WAIT",
    "CLOSED", "CLOSE-WAIT", "LAST-ACK", "LISTEN",   "CLOSING",    "NEW-SYN-RECV",
};
#define N_STATES (sizeof(state_names) / sizeof(state_names[0]))

const char *lv_state_name(uint8_t state)
{
	return state < N_STATES ? state_names[state] : "?";
}

uint8_t lv_state_from_name(const char *name)
{
	for (size_t i = 1; i < N_STATES; i++)
		if (strcmp(state_names[i], name) == 0)
			return (uint8_t)i;
	return 0;
}

bool lv_endpoint_parse(const char *s, struct lv_addr *a, uint16_t *port)
{
	char host[64];
	const char *colon, *h = s;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (*s == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return false;
		h = s + 1;
		n = (size_t)(colon - h);
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	char *end;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || p > 65535)
		return false;
	*port = (uint16_t)p;
	if (inet_pton(AF_INET, host, a->a) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, host, a->a) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}
