/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/mman.h>

#include "core/fdtable.h"

#define CHUNK_BITS 10
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define N_CHUNKS   (MR_FD_MAX / CHUNK_SIZE)

static _Atomic(struct mr_fd *) chunks[N_CHUNKS];
_Atomic uint32_t mr_fork_gen;

struct mr_fd *mr_fd_get(int fd)
{
	if (fd < 0 || fd >= MR_FD_MAX)
		return NULL;
	struct mr_fd *c = atomic_load_explicit(&chunks[fd >> CHUNK_BITS], memory_order_acquire);
	return c ? &c[fd & (CHUNK_SIZE - 1)] : NULL;
}

struct mr_fd *mr_fd_get_or_create(int fd)
{
	struct mr_fd *e = mr_fd_get(fd);
	if (e || fd < 0 || fd >= MR_FD_MAX)
		return e;
	/* mmap, not malloc: async-signal-safe, and untouched pages cost nothing. */
	size_t bytes = sizeof(struct mr_fd) * CHUNK_SIZE;
	struct mr_fd *fresh =
	    mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return NULL;
	struct mr_fd *expected = NULL;
	if (!atomic_compare_exchange_strong(&chunks[fd >> CHUNK_BITS], &expected, fresh))
		munmap(fresh, bytes); /* another thread won the race: use its chunk */
	return mr_fd_get(fd);
}

void mr_fd_forget(int fd)
{
	struct mr_fd *e = mr_fd_get(fd);
	if (e && atomic_load_explicit(&e->state, memory_order_relaxed))
		atomic_store_explicit(&e->state, 0, memory_order_release);
}

void mr_fd_forget_range(unsigned int first, unsigned int last)
{
	if (last >= MR_FD_MAX)
		last = MR_FD_MAX - 1;
	for (unsigned int c = first >> CHUNK_BITS; c <= (last >> CHUNK_BITS); c++) {
		struct mr_fd *chunk = atomic_load_explicit(&chunks[c], memory_order_acquire);
		if (!chunk)
			continue;
		unsigned int lo = c == (first >> CHUNK_BITS) ? (first & (CHUNK_SIZE - 1)) : 0;
		unsigned int hi =
		    c == (last >> CHUNK_BITS) ? (last & (CHUNK_SIZE - 1)) : CHUNK_SIZE - 1;
		for (unsigned int i = lo; i <= hi; i++)
			if (atomic_load_explicit(&chunk[i].state, memory_order_relaxed))
				atomic_store_explicit(&chunk[i].state, 0, memory_order_release);
	}
}

void mr_fd_claim(struct mr_fd *e, uint32_t state)
{
	/*
	 * The previous owner of this number (another thread, before its close())
	 * forgot the entry with a release store; this acquire orders our plain writes
	 * after its. The kernel's close()/socket() order alone does not count for the
	 * C memory model (ThreadSanitizer reported it).
	 */
	(void)atomic_load_explicit(&e->state, memory_order_acquire);
	e->n_opts = 0;
	e->n_epoll = 0;
	e->shut = 0;
	e->bind_len = 0;
	e->peer.family = 0;
	e->fork_gen = atomic_load(&mr_fork_gen);
	atomic_store_explicit(&e->state, state, memory_order_release);
}

void mr_fd_noswap(struct mr_fd *e, enum mr_noswap why)
{
	uint32_t s = mr_fd_state(e);
	while (!(s & MR_ST_NOSWAP)) {
		uint32_t n = s | MR_ST_NOSWAP | ((uint32_t)why << MR_ST_REASON_SHIFT);
		if (atomic_compare_exchange_weak(&e->state, &s, n))
			return;
	}
}

enum mr_noswap mr_fd_noswap_reason(uint32_t state)
{
	return (enum mr_noswap)((state >> MR_ST_REASON_SHIFT) & 0xff);
}

const char *mr_noswap_text(enum mr_noswap why)
{
	switch (why) {
	case MR_NOSWAP_DUP:
		return "the descriptor was duplicated";
	case MR_NOSWAP_FORK:
		return "the socket is shared with a child process";
	case MR_NOSWAP_OPTS:
		return "too many or too large socket options to replay";
	case MR_NOSWAP_EPOLL:
		return "registered in too many epoll sets";
	case MR_NOSWAP_ADDR:
		return "bound to an address that cannot be recorded";
	case MR_NOSWAP_ASYNC:
		return "signal-driven I/O (O_ASYNC) is set";
	case MR_NOSWAP_SENT:
		return "the socket was handed to another process (SCM_RIGHTS)";
	default:
		return "unknown";
	}
}

void mr_fd_share_all(void)
{
	atomic_fetch_add(&mr_fork_gen, 1);
}
