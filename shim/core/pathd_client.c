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
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0 || proto != IPPROTO_MPTCP) {
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
	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return true;
	if (ss.ss_family == AF_INET)
		return ((struct sockaddr_in *)&ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	if (ss.ss_family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	return true;
}

void mr_pathd_before_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int saved = errno;
	struct ifaddrs *ifs, *i;
	bool usable[MR_PATHS_MAX] = {false};
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
		if (k >= 0)
			usable[k] = true;
	}
	freeifaddrs(ifs);
	const char *dev = mr_paths_pin_device(own_policy, &own_paths, usable, -1);
	if (dev && real_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev) + 1) < 0)
		mr_log(MR_LOG_DEBUG, "SO_BINDTODEVICE %s: %s (the initial subflow follows routing)",
		       dev, strerror(errno));
	else if (dev)
		mr_log(MR_LOG_DEBUG, "initial subflow pinned to %s", dev);
	errno = saved;
}
