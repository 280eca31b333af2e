/* SPDX-License-Identifier: MIT */
/*
 * The daemon's connection table: a compact array of planner connections
 * (walked when every connection must be planned again), indexed by token
 * with an open-addressing hash, and the per-uid count of registered
 * connections that keeps one user from filling the table. Sized at start:
 * nothing is allocated per connection.
 */
#ifndef MPTCP_RUN_PATHD_CONNS_H
#define MPTCP_RUN_PATHD_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "planner/model.h"

#define PD_CONNS   8192  /* connections tracked at once; more are left alone */
#define PD_HASH    16384 /* token -> connection index; a power of two, 2 * PD_CONNS */
#define PD_UID_CAP 1024  /* registered connections one uid other than root may hold */
#define PD_UIDS    64    /* uids counted at once for that cap */

struct pd_conns {
	struct pl_conn *c; /* PD_CONNS entries, n in use */
	size_t n;
	uint32_t *hidx; /* PD_HASH slots: connection index + 1, 0 empty (linear probing) */
	struct {
		uid_t uid;
		int n;
	} uids[PD_UIDS];        /* registered connections per uid (n 0: free) */
	unsigned long n_total;  /* connections ever added */
	unsigned long n_capped; /* registrations refused by the per-uid cap */
};

/* false when out of memory. */
bool pd_conns_init(struct pd_conns *t);
void pd_conns_free(struct pd_conns *t);

struct pl_conn *pd_conn_find(struct pd_conns *t, uint32_t token);
/* The connection of token, added (zeroed, t_seen = now) when new; NULL when the table is full. */
struct pl_conn *pd_conn_get(struct pd_conns *t, uint32_t token, double now);
/* Forgets c (the last entry moves into its place: pointers into the table are invalid). */
void pd_conn_drop(struct pd_conns *t, struct pl_conn *c);

/*
 * A verified registration of token by uid: the connection (added when new) with its owner
 * set, or NULL when uid already holds PD_UID_CAP registered connections (root never does),
 * or the table is full. A connection registered again by the same uid is not counted twice.
 */
struct pl_conn *pd_conns_register(struct pd_conns *t, uint32_t token, pid_t pid, uid_t uid,
                                  const char *exe, double now);
/* An owner found for an adopted connection (its uid from sock_diag): counted like one. */
void pd_conns_set_owner(struct pd_conns *t, struct pl_conn *c, pid_t pid, const char *exe);

#endif
