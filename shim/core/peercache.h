/* SPDX-License-Identifier: MIT */
/*
 * Peers that answered an MPTCP connection with plain TCP. An MPTCP client
 * talking to a TCP-only server pays MPTCP's setup cost for nothing on every
 * connection (about a quarter of the connection rate); once a destination fell
 * back, it gets plain TCP directly for a bounded time.
 *
 * A small direct-mapped table of atomics: no locks, no allocation. A race can
 * at worst cost one connection its MPTCP attempt or one wasted attempt.
 */
#ifndef MPTCP_RUN_PEERCACHE_H
#define MPTCP_RUN_PEERCACHE_H

#include <stdbool.h>

#include "policy/policy.h"

#define MR_PEERCACHE_SLOTS 256

/* Seconds a fallen-back peer is remembered; 0 disables (defaults.fallback_memory). */
extern unsigned mr_peercache_seconds;

void mr_peercache_note_fallback(const struct mr_endpoint *peer);
bool mr_peercache_fell_back(const struct mr_endpoint *peer);

#endif
