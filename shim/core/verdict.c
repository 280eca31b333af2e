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

#include "core/integrity_guard.h"
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
	if (ep)
		mr_format_endpoint(ep, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "(destination not known here)");
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
	/* An MPTCP socket is judged again at connect (a peer that fell back) and at listen
	 * (the kernel's integrity), even when its plan did not depend on the endpoint. */
	if (!(st & MR_ST_DECIDE) && !(st & MR_ST_MPTCP))
		return false;
	mr_decide(&rt->prog.role[role], ep, &d);
	bool want = d.verdict == MR_MPTCP;
	const char *note = NULL;
	char guard[320], why[300];
	if (role == MR_ROLE_CONNECT && want && mr_peercache_fell_back(ep)) {
		want = false;
		note = "; overridden: this peer fell back to TCP recently";
	} else if (role == MR_ROLE_LISTEN && want &&
	           !mr_listener_may_be_mptcp(rt, why, sizeof(why))) {
		want = false;
		snprintf(guard, sizeof(guard), "; overridden: %s", why);
		note = guard;
		mr_fd_set_bits(e, MR_ST_GUARDED);
		static _Atomic bool said;
		if (!atomic_exchange(&said, true))
			mr_log(MR_LOG_INFO, "listeners stay TCP: %s", why);
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

bool mr_before_connect(int fd, struct mr_fd *e, const struct sockaddr *sa, socklen_t len)
{
	struct mr_endpoint ep;
	enum mr_verdict v;
	/* connect(AF_UNSPEC), a bad family or length: the kernel answers, nothing is decided. */
	if (!mr_endpoint_from_sockaddr(sa, len, &ep))
		return false;
	/* Not replaceable while the call runs; live only once it started (mr_after_connect). */
	mr_fd_set_bits(e, MR_ST_CONNECTING);
	e->peer = ep;
	if (decide(fd, e, "connect", MR_ROLE_CONNECT, &ep, &v) && (mr_fd_state(e) & MR_ST_DECIDE))
		atomic_store_explicit(&mr_predict_mptcp, v == MR_MPTCP, memory_order_relaxed);
	return true;
}

struct mr_fd *mr_before_fastopen(int fd, const struct sockaddr *sa, socklen_t len, bool *inet)
{
	struct mr_fd *e = mr_pending(fd);
	struct sockaddr_storage copy;
	socklen_t clen;
	if (!e || !mr_copy_sockaddr(sa, len, &copy, &clen))
		return NULL;
	*inet = mr_before_connect(fd, e, (struct sockaddr *)&copy, clen);
	return e;
}

/* A connect() that returned this has begun a connection the kernel will pursue. */
static bool connect_started(int rc, int err)
{
	return rc == 0 || err == EINPROGRESS || err == EALREADY || err == EISCONN || err == EINTR;
}

void mr_after_connect(int fd, struct mr_fd *e, bool inet, int rc)
{
	int err = errno;
	if (!inet) {
		errno = err;
		return;
	}
	if (connect_started(rc, err))
		mr_fd_set_bits(e, MR_ST_LIVE);
	mr_fd_clear_bits(e, MR_ST_CONNECTING);
	uint32_t st = mr_fd_state(e);
	if ((st & MR_ST_MPTCP) && mr_peercache_seconds && e->peer.family != 0) {
		if (rc == 0) {
			if (mr_sock_is_mptcp_conn(fd) == 0)
				mr_peercache_note_fallback(&e->peer);
		} else if (err == EINPROGRESS) {
			mr_fd_set_bits(e, MR_ST_CHECK_FB); /* learnt at close() */
		}
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
	mr_fd_set_bits(e, MR_ST_CONNECTING);
	decide(fd, e, "listen", MR_ROLE_LISTEN, &ep, &v);
}

void mr_after_listen(struct mr_fd *e, int rc)
{
	if (rc == 0)
		mr_fd_set_bits(e, MR_ST_LIVE);
	mr_fd_clear_bits(e, MR_ST_CONNECTING);
}

void mr_note_shutdown(struct mr_fd *e, int how, int rc)
{
	/* Before connect the kernel says ENOTCONN and still records the direction. */
	if ((rc == 0 || errno == ENOTCONN) && how >= SHUT_RD && how <= SHUT_RDWR)
		e->shut |= how == SHUT_RDWR ? (1u << SHUT_RD | 1u << SHUT_WR) : 1u << how;
}

/* Sockets leaving with SCM_RIGHTS: the receiver's connect() is out of sight. */
static void decide_leaving(int fd, struct mr_fd *e)
{
	const struct mr_runtime *rt = mr_runtime();
	uint32_t st = mr_fd_state(e);
	struct mr_decision d;
	if (rt && (st & MR_ST_DECIDE) && !(st & MR_ST_PINNED)) {
		mr_decide_unnamed(&rt->prog.role[MR_ROLE_CONNECT], &d);
		apply(fd, e, "sendmsg(SCM_RIGHTS)", rt, MR_ROLE_CONNECT, NULL, &d,
		      d.verdict == MR_MPTCP, "; the receiving process connects it");
	}
	mr_fd_noswap(e, MR_NOSWAP_SENT);
}

static void for_each_fd(const struct msghdr *msg, void (*fn)(int fd))
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		/* The program's buffer: never read past msg_controllen, whatever cmsg_len says. */
		size_t avail = (size_t)((const char *)msg->msg_control + msg->msg_controllen -
		                        (const char *)c);
		if (c->cmsg_len > avail)
			break;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *p = CMSG_DATA(c);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, p + i * sizeof(int), sizeof(fd));
			fn(fd);
		}
	}
}

static void send_one(int fd)
{
	struct mr_fd *e = mr_pending(fd);
	if (e)
		decide_leaving(fd, e);
}

void mr_before_send_fds(const struct msghdr *msg)
{
	int err = errno;
	for_each_fd(msg, send_one);
	errno = err;
}

static void forget_one(int fd)
{
	mr_fd_forget(fd);
}

void mr_after_recv_fds(const struct msghdr *msg, ssize_t rc)
{
	(void)rc;
	if (msg->msg_control)
		for_each_fd(msg, forget_one);
}
