/* SPDX-License-Identifier: MIT */
/* The library's registration with the path daemon (core/pathd_client.h). */
#include "core/pathd_client.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/pathd_channel.h"
#include "core/runtime.h"
#include "kernel/log.h"
#include "kernel/pathd_pin.h"
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

void mr_pathd_before_connect(int fd, const struct mr_fd *e, const struct sockaddr *sa,
                             socklen_t len)
{
	int saved = errno;
	/* Pinned only when a daemon will manage the connection (it adds the other paths):
	 * without one, a socket pinned to a path that goes away would stay on it, where
	 * routing would have moved it. */
	if (wants_registration() && len >= sizeof(sa->sa_family) &&
	    (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) && !bound_to_address(e) &&
	    mr_pathd_chan_ready()) {
		int err;
		char pinned[IFNAMSIZ];
		const char *dev = mr_pathd_pin(&mr_pathd_real_calls, fd, own_policy, &own_paths, sa,
		                               len, pinned, &err);
		if (dev)
			mr_log(MR_LOG_DEBUG, "initial subflow pinned to %s", dev);
		else if (err)
			mr_log(MR_LOG_DEBUG,
			       "SO_BINDTODEVICE: %s (the initial subflow follows routing)",
			       strerror(err));
	}
	errno = saved;
}
