/* SPDX-License-Identifier: MIT */
/*
 * Per-descriptor state of the sockets mptcp-run created, kept so that a socket
 * can be replaced under the same descriptor before it is bound or connected.
 *
 * Lock-free and allocation-free after a chunk exists: chunks of entries are
 * mmap()ed on first use and never freed, so close() from a signal handler only
 * does an atomic store. Descriptors beyond MR_FD_MAX are left unmanaged (the
 * program gets the socket it asked for).
 */
#ifndef MPTCP_RUN_FDTABLE_H
#define MPTCP_RUN_FDTABLE_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "policy/policy.h"

#define MR_FD_MAX      (1 << 20)
#define MR_MAX_OPTS    12 /* options recorded for a replacement */
#define MR_OPT_MAX_LEN 32 /* larger values (TCP_MD5SIG…) make the socket non-replaceable */
#define MR_MAX_EPOLL   2  /* epoll sets a pending socket may be registered in */

/* State bits. */
enum {
	MR_ST_MANAGED = 1u << 0, /* created by our socket(): inet stream, protocol 0 or TCP asked */
	MR_ST_MPTCP = 1u << 1,   /* the kernel socket is MPTCP now */
	MR_ST_DECIDE =
	    1u << 2, /* the verdict depends on the endpoint: decide at bind/connect/listen */
	MR_ST_LIVE = 1u << 3,   /* connect() or listen() called: never replaced again */
	MR_ST_NOSWAP = 1u << 4, /* replacement unsafe (reason below) */
	MR_ST_BOUND = 1u << 5,  /* bind() succeeded; address recorded */
	MR_ST_BUSY = 1u << 6,   /* a replacement is running */
	MR_ST_V6 = 1u << 7,     /* AF_INET6 */
	MR_ST_PINNED = 1u << 8, /* the verdict is final (set by an option fallback) */
	MR_ST_CHECK_FB =
	    1u << 9, /* MPTCP connect in progress: learn at close whether it fell back */
	MR_ST_CONNECTING = 1u << 10, /* connect() running: not replaceable, not yet live */
	MR_ST_OOB_EMUL = 1u << 11,   /* SO_OOBINLINE emulated on an MPTCP socket (options.c) */
	MR_ST_OOB_ON = 1u << 12,     /* ... and its value is 1 */
	MR_ST_ACCEPTED = 1u << 13,   /* accepted from a managed listener, tracked for the report */
	MR_ST_GUARDED = 1u << 14,    /* a listener kept TCP by the integrity guard */
	MR_ST_REASON_SHIFT = 16,     /* enum mr_noswap in bits 16..23 */
};

enum mr_noswap {
	MR_NOSWAP_NONE,
	MR_NOSWAP_DUP,   /* the descriptor was duplicated */
	MR_NOSWAP_FORK,  /* created before a fork(): the child shares it */
	MR_NOSWAP_OPTS,  /* more or larger options than can be replayed */
	MR_NOSWAP_EPOLL, /* registered in more epoll sets than can be replayed */
	MR_NOSWAP_ADDR,  /* bound with an address that cannot be recorded */
	MR_NOSWAP_ASYNC, /* O_ASYNC / signal-driven I/O owner cannot be replayed */
	MR_NOSWAP_SENT,  /* handed to another process with SCM_RIGHTS */
};

struct mr_opt {
	int level, name;
	uint8_t len;
	bool skipped; /* not replayed (default value the new socket refuses): getsockopt reads it */
	uint8_t val[MR_OPT_MAX_LEN];
};

struct mr_epoll_reg {
	int epfd;
	struct epoll_event ev;
};

struct mr_fd {
	_Atomic uint32_t state;
	uint32_t fork_gen; /* fork generation when created */
	uint8_t n_opts, n_epoll;
	uint8_t shut; /* shutdown() before connect: SHUT_RD + 1 | SHUT_WR + 1 bits, replayed */
	socklen_t bind_len;
	struct sockaddr_in6 bind_addr; /* large enough for AF_INET and AF_INET6 */
	struct mr_endpoint peer;       /* the connect() destination */
	struct mr_opt opts[MR_MAX_OPTS];
	struct mr_epoll_reg epoll[MR_MAX_EPOLL];
};

/* The entry of fd, or NULL (never allocates). */
struct mr_fd *mr_fd_get(int fd);
/* The entry of fd, allocating its chunk if needed; NULL if fd is out of range or mmap failed. */
struct mr_fd *mr_fd_get_or_create(int fd);
/* Forgets fd (close, dup2 target). Async-signal-safe. */
void mr_fd_forget(int fd);
/* Forgets every fd in [first, last]. */
void mr_fd_forget_range(unsigned int first, unsigned int last);

static inline uint32_t mr_fd_state(const struct mr_fd *e)
{
	return atomic_load_explicit(&e->state, memory_order_acquire);
}

static inline void mr_fd_set_bits(struct mr_fd *e, uint32_t bits)
{
	atomic_fetch_or_explicit(&e->state, bits, memory_order_acq_rel);
}

static inline void mr_fd_clear_bits(struct mr_fd *e, uint32_t bits)
{
	atomic_fetch_and_explicit(&e->state, ~bits, memory_order_acq_rel);
}

/* Takes an entry for a socket just created: clears its records, notes the fork
 * generation, publishes the state last. */
void mr_fd_claim(struct mr_fd *e, uint32_t state);

/* Marks the entry not replaceable, keeping the first reason. */
void mr_fd_noswap(struct mr_fd *e, enum mr_noswap why);
enum mr_noswap mr_fd_noswap_reason(uint32_t state);
const char *mr_noswap_text(enum mr_noswap why);

/* Generation counter bumped before every fork(): entries older than it are shared. */
extern _Atomic uint32_t mr_fork_gen;

/*
 * Before fork(), posix_spawn(), system(), popen(): every socket existing now is
 * shared with the child and is never replaced again. Sockets are not switched
 * back to TCP here, as dup() does: other threads may be using them right now,
 * and a replacement racing their dup2() would leave two descriptors on two
 * different sockets (the stress test caught exactly that).
 */
void mr_fd_share_all(void);

#endif
