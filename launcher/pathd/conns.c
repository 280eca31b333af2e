/* SPDX-License-Identifier: MIT */
#include "pathd/conns.h"

#include <stdlib.h>
#include <string.h>

bool pd_conns_init(struct pd_conns *t)
{
	memset(t, 0, sizeof(*t));
	t->c = calloc(PD_CONNS, sizeof(*t->c));
	t->hidx = calloc(PD_HASH, sizeof(*t->hidx));
	if (t->c && t->hidx)
		return true;
	pd_conns_free(t);
	return false;
}

void pd_conns_free(struct pd_conns *t)
{
	free(t->c);
	free(t->hidx);
	t->c = NULL;
	t->hidx = NULL;
	t->n = 0;
}

static size_t h_home(uint32_t token)
{
	return (size_t)((token * 2654435761u) >> 18) & (PD_HASH - 1);
}

/* The slot holding token, or the empty slot where it would go. */
static size_t h_slot(const struct pd_conns *t, uint32_t token)
{
	size_t i = h_home(token);
	while (t->hidx[i] && t->c[t->hidx[i] - 1].token != token)
		i = (i + 1) & (PD_HASH - 1);
	return i;
}

/* Removes slot i, moving later entries of the probe run back (no tombstones). */
static void h_delete(struct pd_conns *t, size_t i)
{
	size_t j = i;
	t->hidx[i] = 0;
	for (;;) {
		j = (j + 1) & (PD_HASH - 1);
		if (!t->hidx[j])
			return;
		size_t k = h_home(t->c[t->hidx[j] - 1].token);
		/* Entry j may move to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->hidx[i] = t->hidx[j];
		t->hidx[j] = 0;
		i = j;
	}
}

struct pl_conn *pd_conn_find(struct pd_conns *t, uint32_t token)
{
	size_t h = h_slot(t, token);
	return t->hidx[h] ? &t->c[t->hidx[h] - 1] : NULL;
}

struct pl_conn *pd_conn_get(struct pd_conns *t, uint32_t token, double now)
{
	size_t h = h_slot(t, token);
	if (t->hidx[h])
		return &t->c[t->hidx[h] - 1];
	if (t->n >= PD_CONNS)
		return NULL;
	struct pl_conn *c = &t->c[t->n++];
	memset(c, 0, sizeof(*c));
	c->token = token;
	c->t_seen = now;
	t->hidx[h] = (uint32_t)t->n;
	t->n_total++;
	return c;
}

static void uid_count(struct pd_conns *t, uid_t uid, int delta)
{
	for (int i = 0; i < PD_UIDS; i++)
		if (t->uids[i].n && t->uids[i].uid == uid) {
			t->uids[i].n += delta;
			return;
		}
	if (delta <= 0)
		return;
	for (int i = 0; i < PD_UIDS; i++)
		if (!t->uids[i].n) {
			t->uids[i].uid = uid;
			t->uids[i].n = delta;
			return;
		}
}

/* Whether uid may own one more registered connection (root always may). */
static bool uid_below_cap(const struct pd_conns *t, uid_t uid)
{
	if (uid == 0)
		return true;
	int free_slots = 0;
	for (int i = 0; i < PD_UIDS; i++) {
		if (t->uids[i].n && t->uids[i].uid == uid)
			return t->uids[i].n < PD_UID_CAP;
		free_slots += !t->uids[i].n;
	}
	return free_slots > 0; /* a uid that cannot be counted is not let in */
}

void pd_conn_drop(struct pd_conns *t, struct pl_conn *c)
{
	size_t i = (size_t)(c - t->c), last = t->n - 1;
	if (c->registered)
		uid_count(t, c->uid, -1);
	h_delete(t, h_slot(t, c->token));
	if (i != last) {
		*c = t->c[last];
		t->hidx[h_slot(t, c->token)] = (uint32_t)i + 1;
	}
	t->n--;
}

struct pl_conn *pd_conns_register(struct pd_conns *t, uint32_t token, pid_t pid, uid_t uid,
                                  const char *exe, double now)
{
	struct pl_conn *c = pd_conn_find(t, token);
	if (!(c && c->registered && c->uid == uid) && !uid_below_cap(t, uid)) {
		t->n_capped++;
		return NULL;
	}
	if (!c && !(c = pd_conn_get(t, token, now)))
		return NULL;
	if (c->registered)
		uid_count(t, c->uid, -1);
	uid_count(t, uid, 1);
	pl_conn_owner(c, pid, uid, exe);
	return c;
}

void pd_conns_set_owner(struct pd_conns *t, struct pl_conn *c, pid_t pid, const char *exe)
{
	if (c->registered)
		uid_count(t, c->uid, -1);
	uid_count(t, c->uid, 1);
	pl_conn_owner(c, pid, c->uid, exe);
}
