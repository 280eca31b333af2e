/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stdint.h>

#include "core/peercache.h"
#include "kernel/clock.h"

unsigned mr_peercache_seconds = 300;

struct slot {
	_Atomic uint64_t key;    /* hash of the endpoint, 0 = empty */
	_Atomic uint64_t expiry; /* CLOCK_MONOTONIC seconds */
};

static struct slot slots[MR_PEERCACHE_SLOTS];

/* FNV-1a over family, address and port: cheap and well spread for addresses. */
static uint64_t key_of(const struct mr_endpoint *ep)
{
	uint64_t h = 1469598103934665603ULL;
	int len = ep->family == AF_INET6 ? 16 : 4;
	h = (h ^ (uint64_t)ep->family) * 1099511628211ULL;
	for (int i = 0; i < len; i++)
		h = (h ^ ep->addr[i]) * 1099511628211ULL;
	h = (h ^ ep->port) * 1099511628211ULL;
	return h ? h : 1;
}

void mr_peercache_note_fallback(const struct mr_endpoint *peer)
{
	if (!mr_peercache_seconds)
		return;
	uint64_t k = key_of(peer);
	struct slot *s = &slots[k % MR_PEERCACHE_SLOTS];
	atomic_store_explicit(&s->expiry, (uint64_t)mr_coarse_s() + mr_peercache_seconds,
	                      memory_order_relaxed);
	atomic_store_explicit(&s->key, k, memory_order_release);
}

bool mr_peercache_fell_back(const struct mr_endpoint *peer)
{
	if (!mr_peercache_seconds)
		return false;
	uint64_t k = key_of(peer);
	struct slot *s = &slots[k % MR_PEERCACHE_SLOTS];
	if (atomic_load_explicit(&s->key, memory_order_acquire) != k)
		return false;
	return atomic_load_explicit(&s->expiry, memory_order_relaxed) > (uint64_t)mr_coarse_s();
}
