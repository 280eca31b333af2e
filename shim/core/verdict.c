/* SPDX-License-Identifier: MIT */
/*
 * Verdicts: the protocol a socket is created with (the program's plan), the
 * decision at connect() and listen() for plans that depend on the endpoint,
 * and learning which peers fell back to TCP.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/peercache.h"
#include "core/process.h"
#include "core/replace.h"
#include "core/report.h"
#include "core/runtime.h"
#include "kernel/log.h"
#include "kernel/real.h"
#include "kernel/sockinfo.h"
#include "kernel/uapi.h"

static int create_socket(int domain, int type, int protocol);

static const char *proto_name(uint32_t st)
{
	return (st & MR_ST_MPTCP) ? "MPTCP" : "TCP";
}

static void log_decision(int fd, const char *call, const struct mr_runtime *rt, enum mr_role role,
                         const struct mr_endpoint *ep, const struct mr_decision *d, bool want,
                         const char *note, const char *outcome)
{
	char rule[320], where[64];
	if (mr_log_level < MR_LOG_DEBUG)
		return;
	mr_format_decision(&rt->prog, role, d, rule, sizeof(rule));
	mr_format_endpoint(ep, where, sizeof(where));
	mr_log_write(MR_LOG_DEBUG, "fd %d %s %s: %s, %s (rule: %s%s)", fd, call, where,
	             mr_verdict_name(want ? MR_MPTCP : MR_TCP), outcome, rule, note ? note : "");
}

int mr_create_socket(int domain, int type, int protocol)
{
	/* A successful call leaves errno as it found it, whatever failed on the way. */
	int saved_errno = errno;
	int fd = create_socket(domain, type, protocol);
	if (fd >= 0)
		errno = saved_errno;
	return fd;
}

static int create_socket(int domain, int type, int protocol)
{
	const struct mr_runtime *rt = mr_runtime();
	if (!rt)
		return real_socket(domain, type, protocol);
	if (rt->plan == MR_PLAN_PASS || atomic_load(&mr_mptcp_unavailable)) {
		int fd = real_socket(domain, type, protocol);
		/* A report lists TCP-by-policy sockets too, so they are tracked (never replaced).
		 */
		struct mr_fd *e = mr_report_enabled ? mr_fd_get_or_create(fd) : NULL;
		if (e)
			mr_fd_claim(e, MR_ST_MANAGED | MR_ST_NOSWAP |
			                   (domain == AF_INET6 ? MR_ST_V6 : 0));
		else
			mr_fd_forget(fd);
		return fd;
	}

	bool want = rt->plan == MR_PLAN_MPTCP || atomic_load(&mr_predict_mptcp);
	int fd =
	    want ? real_socket(domain, type, IPPROTO_MPTCP) : real_socket(domain, type, protocol);
	if (fd < 0 && want) {
		int err = errno;
		mr_note_mptcp_failure(err);
		fd = real_socket(domain, type, protocol);
		want = false;
	}
	if (fd < 0)
		return fd;
	struct mr_fd *e = mr_fd_get_or_create(fd);
	if (!e) {
		/* Cannot track it, so it could never fall back: give the program what it asked. */
		if (want) {
			real_close(fd);
			return real_socket(domain, type, protocol);
		}
		return fd;
	}
	mr_fd_claim(e, MR_ST_MANAGED | (want ? MR_ST_MPTCP : 0) |
	                   (rt->plan == MR_PLAN_DECIDE ? MR_ST_DECIDE : 0) |
	                   (domain == AF_INET6 ? MR_ST_V6 : 0));
	if (mr_log_level >= MR_LOG_DEBUG)
		mr_log_write(MR_LOG_DEBUG, "fd %d socket(%s): %s%s", fd,
		             domain == AF_INET6 ? "AF_INET6" : "AF_INET", want ? "MPTCP" : "TCP",
		             rt->plan == MR_PLAN_DECIDE ? ", verdict at listen/connect"
		                                        : " for every endpoint");
	return fd;
}

/* Makes the socket's protocol match the verdict, replacing it if that is safe. */
static void apply(int fd, struct mr_fd *e, const char *call, const struct mr_runtime *rt,
                  enum mr_role role, const struct mr_endpoint *ep, const struct mr_decision *d,
                  bool want, const char *note)
{
	uint32_t st = mr_fd_state(e);
	bool is_mptcp = st & MR_ST_MPTCP;
	const char *why = NULL;
	char outcome[160];

	if (is_mptcp == want) {
		log_decision(fd, call, rt, role, ep, d, want, note,
		             is_mptcp ? "socket is MPTCP" : "socket is TCP");
		return;
	}
	if (want && atomic_load(&mr_mptcp_unavailable)) {
		log_decision(fd, call, rt, role, ep, d, want, note, "kept TCP: MPTCP unavailable");
		return;
	}
	if (mr_swap(fd, e, want, &why)) {
		snprintf(outcome, sizeof(outcome), "replaced %s socket by %s",
		         is_mptcp ? "MPTCP" : "TCP", want ? "MPTCP" : "TCP");
		log_decision(fd, call, rt, role, ep, d, want, note, outcome);
		return;
	}
	snprintf(outcome, sizeof(outcome), "kept %s: %s", proto_name(st), why);
	log_decision(fd, call, rt, role, ep, d, want, note, outcome);
	mr_log(MR_LOG_INFO, "fd %d %s: policy says %s but the socket stays %s: %s", fd, call,
	       want ? "MPTCP" : "TCP", proto_name(st), why);
}

/*
 * Decides a socket whose verdict is still open: one created per endpoint
 * (DECIDE), or an upgraded one at connect, where a peer that fell back to TCP
 * recently turns the verdict into TCP.
 */
static bool decide(int fd, struct mr_fd *e, const char *call, enum mr_role role,
                   const struct mr_endpoint *ep, enum mr_verdict *verdict)
{
	const struct mr_runtime *rt = mr_runtime();
	uint32_t st = mr_fd_state(e);
	struct mr_decision d;

	if (!rt || (st & MR_ST_PINNED))
		return false;
	if (!(st & MR_ST_DECIDE) && !(role == MR_ROLE_CONNECT && (st & MR_ST_MPTCP)))
		return false;
	mr_decide(&rt->prog.role[role], ep, &d);
	bool want = d.verdict == MR_MPTCP;
	const char *note = NULL;
	if (role == MR_ROLE_CONNECT && want && mr_peercache_fell_back(ep)) {
		want = false;
		note = "; overridden: this peer fell back to TCP recently";
	}
	apply(fd, e, call, rt, role, ep, &d, want, note);
	*verdict = want ? MR_MPTCP : MR_TCP;
	return true;
}

void mr_after_bind(struct mr_fd *e, const struct sockaddr *sa, socklen_t len, int rc)
{
	if (rc != 0)
		return;
	if (len > (socklen_t)sizeof(e->bind_addr) || !sa) {
		mr_fd_noswap(e, MR_NOSWAP_ADDR);
		return;
	}
	memset(&e->bind_addr, 0, sizeof(e->bind_addr));
	memcpy(&e->bind_addr, sa, len);
	e->bind_len = len;
	mr_fd_set_bits(e, MR_ST_BOUND);
}

void mr_before_connect(int fd, struct mr_fd *e, const struct sockaddr *sa, socklen_t len)
{
	struct mr_endpoint ep;
	enum mr_verdict v;
	if (mr_endpoint_from_sockaddr(sa, len, &ep)) {
		e->peer = ep;
		if (decide(fd, e, "connect", MR_ROLE_CONNECT, &ep, &v) &&
		    (mr_fd_state(e) & MR_ST_DECIDE))
			atomic_store_explicit(&mr_predict_mptcp, v == MR_MPTCP,
			                      memory_order_relaxed);
	}
	mr_fd_set_bits(e, MR_ST_LIVE);
}

void mr_after_connect(int fd, struct mr_fd *e, int rc)
{
	int err = errno;
	uint32_t st = mr_fd_state(e);
	if (!(st & MR_ST_MPTCP) || !mr_peercache_seconds || e->peer.family == 0)
		return;
	if (rc == 0) {
		if (mr_sock_is_mptcp_conn(fd) == 0)
			mr_peercache_note_fallback(&e->peer);
	} else if (err == EINPROGRESS) {
		mr_fd_set_bits(e, MR_ST_CHECK_FB); /* learnt at close() */
	}
	errno = err;
}

void mr_check_fallback_at_close(int fd, struct mr_fd *e)
{
	int err = errno;
	struct sockaddr_in6 peer;
	socklen_t plen = sizeof(peer);
	/* Only a connection that was established can have fallen back. */
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && mr_sock_is_mptcp_conn(fd) == 0)
		mr_peercache_note_fallback(&e->peer);
	errno = err;
}

void mr_before_listen(int fd, struct mr_fd *e)
{
	uint32_t st = mr_fd_state(e);
	enum mr_verdict v;
	struct mr_endpoint ep = {.family = (st & MR_ST_V6) ? AF_INET6 : AF_INET};
	/* The bound address, or for listen() without bind() the wildcard the kernel binds. */
	if (st & MR_ST_BOUND)
		mr_endpoint_from_sockaddr((const struct sockaddr *)&e->bind_addr, e->bind_len, &ep);
	decide(fd, e, "listen", MR_ROLE_LISTEN, &ep, &v);
	mr_fd_set_bits(e, MR_ST_LIVE);
}
