/* SPDX-License-Identifier: MIT */
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/fdtable.h"
#include "core/pathsnap.h"
#include "kernel/uapi.h"

#define SNAP_CHUNK_BITS 8
#define SNAP_CHUNK      (1u << SNAP_CHUNK_BITS)
#define SNAP_CHUNKS     (MR_FD_MAX / SNAP_CHUNK)

/* One subflow, compactly: a sockaddr_in6 holds either family. */
struct snap_sf {
	struct sockaddr_in6 local, remote;
	bool have_tcpi;
	uint64_t sent, acked, received, retrans;
	uint32_t rtt;
};

struct snap {
	_Atomic uint32_t seq; /* odd while being written */
	ino_t ino;            /* the socket it belongs to: a reused number is another */
	int n, total;
	struct snap_sf sf[MR_MAX_SUBFLOWS];
};

static _Atomic(struct snap *) chunks[SNAP_CHUNKS];

static struct snap *slot(int fd, bool create)
{
	if (fd < 0 || (unsigned)fd >= MR_FD_MAX)
		return NULL;
	_Atomic(struct snap *) *cp = &chunks[(unsigned)fd >> SNAP_CHUNK_BITS];
	struct snap *c = atomic_load_explicit(cp, memory_order_acquire);
	if (!c && create) {
		void *m = mmap(NULL, SNAP_CHUNK * sizeof(struct snap), PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		struct snap *expected = NULL;
		if (atomic_compare_exchange_strong(cp, &expected, (struct snap *)m))
			c = m;
		else {
			munmap(m, SNAP_CHUNK * sizeof(struct snap));
			c = expected;
		}
	}
	return c ? &c[(unsigned)fd & (SNAP_CHUNK - 1)] : NULL;
}

static ino_t inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static void store_sa(struct sockaddr_in6 *out, const struct sockaddr_storage *in)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, in,
	       in->ss_family == AF_INET6  ? sizeof(struct sockaddr_in6)
	       : in->ss_family == AF_INET ? sizeof(struct sockaddr_in)
	                                  : 0);
}

void mr_pathsnap_take(int fd)
{
	struct mr_conn_info c;
	bool live = false;
	if (!mr_sock_subflows(fd, &c))
		return;
	/* Subflows the kernel reset (tcp_disconnect) carry nothing: keep an earlier snapshot. */
	for (int i = 0; i < c.n; i++)
		live |= c.sf[i].tcpi.tcpi_bytes_acked != 0 || c.sf[i].tcpi.tcpi_state != TCP_CLOSE;
	if (!live)
		return;
	ino_t ino = inode_of(fd);
	struct snap *s = ino ? slot(fd, true) : NULL;
	if (!s)
		return;
	uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	if (seq & 1)
		return; /* another thread is writing it */
	if (!atomic_compare_exchange_strong(&s->seq, &seq, seq + 1))
		return;
	s->ino = ino;
	s->n = c.n;
	s->total = c.total;
	for (int i = 0; i < c.n; i++) {
		struct snap_sf *d = &s->sf[i];
		store_sa(&d->local, &c.sf[i].local);
		store_sa(&d->remote, &c.sf[i].remote);
		d->have_tcpi = c.sf[i].have_tcpi;
		d->sent = c.sf[i].tcpi.tcpi_bytes_sent;
		d->acked = c.sf[i].tcpi.tcpi_bytes_acked;
		d->received = c.sf[i].tcpi.tcpi_bytes_received;
		d->retrans = c.sf[i].tcpi.tcpi_total_retrans;
		d->rtt = c.sf[i].tcpi.tcpi_rtt;
	}
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

bool mr_pathsnap_get(int fd, struct mr_conn_info *c)
{
	struct snap *s = slot(fd, false);
	if (!s)
		return false;
	uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
	if (seq == 0 || (seq & 1) || s->n <= 0 || s->ino != inode_of(fd))
		return false;
	c->n = s->n < MR_MAX_SUBFLOWS ? s->n : MR_MAX_SUBFLOWS;
	c->total = s->total;
	for (int i = 0; i < c->n; i++) {
		const struct snap_sf *d = &s->sf[i];
		struct mr_subflow *o = &c->sf[i];
		memset(o, 0, sizeof(*o));
		memcpy(&o->local, &d->local, sizeof(d->local));
		memcpy(&o->remote, &d->remote, sizeof(d->remote));
		o->have_tcpi = d->have_tcpi;
		o->tcpi.tcpi_bytes_sent = d->sent;
		o->tcpi.tcpi_bytes_acked = d->acked;
		o->tcpi.tcpi_bytes_received = d->received;
		o->tcpi.tcpi_total_retrans = (uint32_t)d->retrans;
		o->tcpi.tcpi_rtt = d->rtt;
	}
	/* A writer started meanwhile: the copy may be torn, so it is not used. */
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&s->seq, memory_order_relaxed) == seq;
}

void mr_pathsnap_drop(int fd)
{
	struct snap *s = slot(fd, false);
	if (s)
		s->ino = 0;
}
