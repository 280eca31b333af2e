/* SPDX-License-Identifier: MIT */
/* The library's registration with the path daemon (core/pathd_client.h). */
#include "core/pathd_client.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/pathd_channel.h"
#include "core/runtime.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/real.h"
#include "kernel/uapi.h"

enum { WANT_UNKNOWN = 0, WANT_YES = 1, WANT_NO = 2 };
/* Process-wide: whether this program lists paths of its own (the policy never changes). */
static _Atomic int want = WANT_UNKNOWN;
/* Written once, before want becomes WANT_YES (release), read after (acquire). */
static struct mr_program_paths own_paths;
static const struct mr_policy *own_policy;

static bool wants_registration(void)
{
	int w = atomic_load_explicit(&want, memory_order_acquire);
	if (__builtin_expect(w != WANT_UNKNOWN, 1))
		return w == WANT_YES;
	const struct mr_runtime *rt = mr_runtime();
	if (!rt)
		return false; /* not initialised yet (re-entry): asked again next time */
	struct mr_program_paths pp;
	mr_program_paths(&rt->policy, &rt->prog, &pp);
	/* Programs on the defaults are served by the daemon without a registration. */
	w = pp.origin == MR_PATHS_SECTION ? WANT_YES : WANT_NO;
	own_paths = pp;
	own_policy = &rt->policy;
	atomic_store_explicit(&want, w, memory_order_release);
	return w == WANT_YES;
}

void mr_pathd_after_connect(int fd, const struct mr_fd *e, int rc)
{
	if ((rc < 0 && errno != EINPROGRESS) || !wants_registration())
		return;
	/* The library made this socket: its protocol is known without asking the kernel. */
	if (mr_fd_state(e) & MR_ST_MPTCP)
		mr_pathd_chan_register(fd);
}

void mr_pathd_after_accept(int fd)
{
	if (fd < 0 || !wants_registration())
		return;
	int saved = errno, proto = 0;
	socklen_t l = sizeof(proto);
	/* An MPTCP listener hands out plain TCP sockets for peers without MPTCP. */
	if (real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == 0 &&
	    proto == IPPROTO_MPTCP && mr_pathd_chan_ready())
		mr_pathd_chan_register(fd);
	errno = saved;
}

/* Whether the socket is bound to a specific local address (then its owner chose the path). */
static bool bound_to_address(const struct mr_fd *e)
{
	if (!(mr_fd_state(e) & MR_ST_BOUND))
		return false;
	const struct sockaddr *sa = (const struct sockaddr *)&e->bind_addr;
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr != htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return true;
}

/* A local address of each path's interface, of the connection's family. */
struct candidate {
	struct sockaddr_storage src;
	socklen_t len;
};

/*
 * Whether a subflow from src pinned to dev can reach dst: a UDP socket with the
 * same pinning asks the kernel's routing (policy rules included) without sending
 * anything. An IPv6 destination with no route through dev would fail connect()
 * with ENETUNREACH: such a path is not usable for this connection.
 */
static bool reachable(const char *dev, const struct candidate *c, const struct sockaddr *dst,
                      socklen_t len)
{
	int u = real_socket(dst->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = false;
	if (u < 0)
		return false;
	ok =
	    real_setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev) + 1) == 0 &&
	    real_bind(u, (const struct sockaddr *)&c->src, c->len) == 0 &&
	    real_connect(u, dst, len) == 0;
	real_close(u);
	return ok;
}

/*
 * The interface scan (getifaddrs: two netlink dumps) and the routing probes cost more than
 * the connect() they serve, so their results are kept for a second: a program opening many
 * connections pays them once a second, not per connection. An address that went away
 * meanwhile fails the bind() below, which drops what is kept.
 */
#define SCAN_TTL_MS 1000
#define PROBES      16

struct scan {
	long long expiry_ms; /* 0: nothing kept */
	bool usable[MR_PATHS_MAX];
	struct candidate mine[MR_PATHS_MAX];
};
struct probe {
	long long expiry_ms;
	int family, path;
	unsigned char dst[16];
	bool ok;
};
static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct scan scans[2]; /* AF_INET, AF_INET6 */
static struct probe probes[PROBES];
static unsigned probe_next;

static const unsigned char *dst_bytes(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET
	           ? (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr
	           : (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
}

/* Whether path k reaches sa, from the probes kept, else probed now and kept. */
static bool reachable_kept(int k, const char *dev, const struct candidate *c,
                           const struct sockaddr *sa, socklen_t len, long long now)
{
	size_t n = sa->sa_family == AF_INET ? 4 : 16;
	const unsigned char *dst = dst_bytes(sa);
	pthread_mutex_lock(&scan_lock);
	for (int i = 0; i < PROBES; i++) {
		struct probe *p = &probes[i];
		if (p->expiry_ms > now && p->family == sa->sa_family && p->path == k &&
		    memcmp(p->dst, dst, n) == 0) {
			bool ok = p->ok;
			pthread_mutex_unlock(&scan_lock);
			return ok;
		}
	}
	pthread_mutex_unlock(&scan_lock);
	bool ok = reachable(dev, c, sa, len);
	pthread_mutex_lock(&scan_lock);
	struct probe *p = &probes[probe_next++ % PROBES];
	*p = (struct probe){
	    .expiry_ms = now + SCAN_TTL_MS, .family = sa->sa_family, .path = k, .ok = ok};
	memcpy(p->dst, dst, n);
	pthread_mutex_unlock(&scan_lock);
	return ok;
}

static void forget_scans(void)
{
	pthread_mutex_lock(&scan_lock);
	memset(scans, 0, sizeof(scans));
	memset(probes, 0, sizeof(probes));
	pthread_mutex_unlock(&scan_lock);
}

/* Each path's first usable local address of family; false when the interfaces cannot be read. */
static bool scan_paths(int family, bool usable[MR_PATHS_MAX], struct candidate mine[MR_PATHS_MAX],
                       long long now)
{
	struct scan *sc = &scans[family == AF_INET6];
	struct ifaddrs *ifs, *i;
	pthread_mutex_lock(&scan_lock);
	if (sc->expiry_ms > now) {
		memcpy(usable, sc->usable, sizeof(sc->usable));
		memcpy(mine, sc->mine, sizeof(sc->mine));
		pthread_mutex_unlock(&scan_lock);
		return true;
	}
	pthread_mutex_unlock(&scan_lock);
	if (getifaddrs(&ifs) < 0)
		return false;
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
		    (i->ifa_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING))
			continue;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			continue;
		int k = mr_path_by_dev(own_policy, i->ifa_name);
		if (k < 0 || usable[k])
			continue;
		usable[k] = true;
		mine[k].len =
		    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		memcpy(&mine[k].src, i->ifa_addr, mine[k].len);
		/* Port 0: the kernel picks one at connect() (IP_BIND_ADDRESS_NO_PORT). */
		((struct sockaddr_in *)&mine[k].src)->sin_port = 0;
	}
	freeifaddrs(ifs);
	pthread_mutex_lock(&scan_lock);
	memcpy(sc->usable, usable, sizeof(sc->usable));
	memcpy(sc->mine, mine, sizeof(sc->mine));
	sc->expiry_ms = now + SCAN_TTL_MS;
	pthread_mutex_unlock(&scan_lock);
	return true;
}

void mr_pathd_before_connect(int fd, const struct mr_fd *e, const struct sockaddr *sa,
                             socklen_t len)
{
	int saved = errno;
	bool usable[MR_PATHS_MAX] = {false};
	struct candidate mine[MR_PATHS_MAX];
	long long now = mr_coarse_ms();
	memset(mine, 0, sizeof(mine));
	/* Pinned only when a daemon will manage the connection (it adds the other paths):
	 * without one, a socket pinned to a path that goes away would stay on it, where
	 * routing would have moved it. */
	if (!wants_registration() || len < sizeof(sa->sa_family) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) || bound_to_address(e) ||
	    !mr_pathd_chan_ready() || !scan_paths(sa->sa_family, usable, mine, now)) {
		errno = saved;
		return;
	}
	/* The first listed path that routing can use from its own address and device. */
	for (;;) {
		int k = mr_paths_initial(own_policy, &own_paths, usable);
		if (k < 0)
			break; /* none: left to routing rather than broken */
		const char *dev = own_policy->paths[k].dev;
		if (!reachable_kept(k, dev, &mine[k], sa, len, now)) {
			usable[k] = false;
			continue;
		}
		int one = 1;
		/* Device and source address both: the device keeps the first subflow on this
		 * interface, the address selects the interface's routing table (source rules). */
		if (real_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
		                    (socklen_t)strlen(dev) + 1) < 0) {
			mr_log(MR_LOG_DEBUG,
			       "SO_BINDTODEVICE %s: %s (the initial subflow follows routing)", dev,
			       strerror(errno));
			break;
		}
		real_setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (real_bind(fd, (const struct sockaddr *)&mine[k].src, mine[k].len) < 0) {
			mr_log(MR_LOG_DEBUG, "bind to %s's address: %s", dev, strerror(errno));
			forget_scans(); /* the address went away: the next connect() looks again */
		}
		mr_log(MR_LOG_DEBUG, "initial subflow pinned to %s", dev);
		break;
	}
	errno = saved;
}
