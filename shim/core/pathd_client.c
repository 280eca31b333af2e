/* SPDX-License-Identifier: MIT */
/* The library's registration with the path daemon (core/pathd_client.h). */
#include "core/pathd_client.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/runtime.h"
#include "kernel/log.h"
#include "kernel/pathd_sock.h"
#include "kernel/real.h"
#include "kernel/uapi.h"

enum { WANT_UNKNOWN = 0, WANT_YES = 1, WANT_NO = 2 };
/* Process-wide: whether this program registers. WANT_NO once the daemon proved absent. */
static _Atomic int want = WANT_UNKNOWN;
/* Written once, before want becomes WANT_YES (release), read after (acquire). */
static struct mr_program_paths own_paths;
static const struct mr_policy *own_policy;

static const char *socket_path(void)
{
	/* secure_getenv: a setuid program does not take the path from its caller. */
	const char *p = secure_getenv("MPTCP_RUN_PATHD_SOCKET");
	return p && *p ? p : MR_PATHD_SOCKET;
}

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

static void hand_over(int fd)
{
	int proto = 0;
	socklen_t l = sizeof(proto);
	int saved = errno;
	if (real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0 ||
	    proto != IPPROTO_MPTCP) {
		errno = saved;
		return; /* plain TCP: no path manager is involved */
	}
	uid_t peer;
	const char *path = socket_path();
	const char *uid_text = secure_getenv("MPTCP_RUN_PATHD_UID");
	uid_t allowed = uid_text && *uid_text ? (uid_t)strtoul(uid_text, NULL, 10) : 0;
	switch (mr_pathd_hand_over(path, fd, allowed, &peer)) {
	case MR_HANDOVER_SENT:
	case MR_HANDOVER_BUSY:
		break;
	case MR_HANDOVER_ABSENT:
		atomic_store_explicit(&want, WANT_NO, memory_order_relaxed);
		mr_log(MR_LOG_DEBUG, "no path daemon at %s: this program's paths are not applied",
		       path);
		break;
	case MR_HANDOVER_UNTRUSTED:
		atomic_store_explicit(&want, WANT_NO, memory_order_relaxed);
		mr_log(MR_LOG_ERROR,
		       "%s is served by uid %u, not root: no socket handed over, paths not applied",
		       path, (unsigned)peer);
		break;
	}
	errno = saved;
}

void mr_pathd_after_connect(int fd, int rc)
{
	if (rc < 0 && errno != EINPROGRESS)
		return;
	if (wants_registration())
		hand_over(fd);
}

void mr_pathd_after_accept(int fd)
{
	if (fd >= 0 && wants_registration())
		hand_over(fd);
}

/* Whether the socket is bound to a specific local address (then its owner chose the path). */
static bool bound_to_address(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return true;
	if (ss.ss_family == AF_INET)
		return ((struct sockaddr_in *)&ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	if (ss.ss_family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
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

void mr_pathd_before_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int saved = errno;
	struct ifaddrs *ifs, *i;
	bool usable[MR_PATHS_MAX] = {false};
	struct candidate mine[MR_PATHS_MAX];
	if (!wants_registration() || len < sizeof(sa->sa_family) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) || bound_to_address(fd) ||
	    getifaddrs(&ifs) < 0) {
		errno = saved;
		return;
	}
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != sa->sa_family ||
		    (i->ifa_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING))
			continue;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			continue;
		int k = mr_path_by_dev(own_policy, i->ifa_name);
		if (k < 0 || usable[k])
			continue;
		usable[k] = true;
		mine[k].len = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
		                                       : sizeof(struct sockaddr_in6);
		memcpy(&mine[k].src, i->ifa_addr, mine[k].len);
		/* Port 0: the kernel picks one at connect() (IP_BIND_ADDRESS_NO_PORT). */
		((struct sockaddr_in *)&mine[k].src)->sin_port = 0;
	}
	freeifaddrs(ifs);
	/* The first listed path that routing can use from its own address and device. */
	for (;;) {
		int k = mr_paths_initial(own_policy, &own_paths, usable);
		if (k < 0)
			break; /* none: left to routing rather than broken */
		const char *dev = own_policy->paths[k].dev;
		if (!reachable(dev, &mine[k], sa, len)) {
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
		if (real_bind(fd, (const struct sockaddr *)&mine[k].src, mine[k].len) < 0)
			mr_log(MR_LOG_DEBUG, "bind to %s's address: %s", dev, strerror(errno));
		mr_log(MR_LOG_DEBUG, "initial subflow pinned to %s", dev);
		break;
	}
	errno = saved;
}
