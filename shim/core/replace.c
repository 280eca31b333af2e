/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/option_rules.h"
#include "core/process.h"
#include "core/replace.h"
#include "kernel/real.h"
#include "kernel/uapi.h"

/* The reason naming a refused option: per thread, read by the caller's log line. */
static __thread char why_buf[160] __attribute__((tls_model("initial-exec")));

/*
 * The entry could be stale if the program closed the descriptor behind our back
 * (fclose() of an fdopen()ed socket, a raw close system call) and the number now
 * names something else. Only an unconnected, non-listening socket of the domain
 * and protocol we recorded is replaced.
 */
static bool still_ours(int fd, uint32_t st)
{
	int v;
	socklen_t len = sizeof(v);
	struct sockaddr_in6 peer;
	socklen_t plen = sizeof(peer);

	if (real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) < 0 ||
	    v != ((st & MR_ST_MPTCP) ? IPPROTO_MPTCP : IPPROTO_TCP))
		return false;
	len = sizeof(v);
	if (real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ||
	    v != ((st & MR_ST_V6) ? AF_INET6 : AF_INET))
		return false;
	len = sizeof(v);
	if (real_getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) < 0 || v != 0)
		return false;
	return getpeername(fd, (struct sockaddr *)&peer, &plen) < 0 && errno == ENOTCONN;
}

/*
 * The new socket is created by the process as it is now. If it changed network
 * namespace or credentials since the original was created, the new socket would
 * live elsewhere or belong to someone else: refuse.
 */
static bool same_origin(int fd, int nfd)
{
	struct stat a, b;
	uint64_t ca, cb;
	socklen_t la = sizeof(ca), lb = sizeof(cb);
	if (fstat(fd, &a) < 0 || fstat(nfd, &b) < 0 || a.st_uid != b.st_uid || a.st_gid != b.st_gid)
		return false;
	/* SO_NETNS_COOKIE (5.14+); an older kernel cannot tell, and unshare is rare there. */
	if (real_getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &ca, &la) == 0 &&
	    real_getsockopt(nfd, SOL_SOCKET, SO_NETNS_COOKIE, &cb, &lb) == 0 && ca != cb)
		return false;
	return true;
}

/* Signal-driven I/O and SIGURG go to the socket's owner: it moves with the socket. */
static bool copy_owner(int fd, int nfd)
{
	struct f_owner_ex own;
	if (real_fcntl(fd, F_GETOWN_EX, &own) < 0)
		return false;
	if (own.pid && real_fcntl(nfd, F_SETOWN_EX, &own) < 0)
		return false;
	int sig = real_fcntl(fd, F_GETSIG, NULL);
	return sig <= 0 || real_fcntl(nfd, F_SETSIG, (void *)(long)sig) == 0;
}

/*
 * Binds the new socket to the exact address and port the old one holds (the
 * port a program bound to 0 got, which it may have published already). Two TCP
 * sockets may share a port when both have SO_REUSEADDR and neither listens: set
 * it on both for the bind, then give both back the program's value.
 */
static bool rebind(int fd, int nfd)
{
	struct sockaddr_in6 cur;
	socklen_t clen = sizeof(cur);
	int prog = 0, one = 1;
	socklen_t plen = sizeof(prog);
	if (getsockname(fd, (struct sockaddr *)&cur, &clen) < 0 ||
	    real_getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &prog, &plen) < 0)
		return false;
	if (real_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return false;
	bool ok = real_setsockopt(nfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	          real_bind(nfd, (struct sockaddr *)&cur, clen) == 0 &&
	          real_setsockopt(nfd, SOL_SOCKET, SO_REUSEADDR, &prog, sizeof(prog)) == 0;
	real_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &prog, sizeof(prog));
	return ok;
}

static bool build(int fd, struct mr_fd *e, uint32_t st, bool to_mptcp, int *out, const char **why)
{
	int fl = real_fcntl(fd, F_GETFL, NULL);
	int nfd;

	if (fl < 0) {
		*why = "cannot read the descriptor's flags";
		return false;
	}
	if (fl & O_ASYNC) {
		mr_fd_noswap(e, MR_NOSWAP_ASYNC);
		*why = mr_noswap_text(MR_NOSWAP_ASYNC);
		return false;
	}
	nfd = real_socket((st & MR_ST_V6) ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	                  to_mptcp ? IPPROTO_MPTCP : IPPROTO_TCP);
	if (nfd < 0) {
		if (to_mptcp)
			mr_note_mptcp_failure(errno);
		*why = "the new socket could not be created";
		return false;
	}
	if (!same_origin(fd, nfd)) {
		*why = "the process changed network namespace or credentials since socket()";
		goto fail;
	}
	if ((fl & O_NONBLOCK) && real_fcntl(nfd, F_SETFL, (void *)(long)(fl & O_NONBLOCK)) < 0) {
		*why = "O_NONBLOCK could not be set";
		goto fail;
	}
	if (!copy_owner(fd, nfd)) {
		*why = "the signal owner (F_SETOWN) could not be carried over";
		goto fail;
	}
	for (unsigned i = 0; i < e->n_opts && i < MR_MAX_OPTS; i++) {
		struct mr_opt *o = &e->opts[i];
		if (mr_option_replay(nfd, e, st & MR_ST_V6, to_mptcp, o) < 0) {
			const char *name = mr_option_name(o->level, o->name);
			snprintf(
			    why_buf, sizeof(why_buf),
			    "the new socket refuses %s%s(level %d, option %d) at the value the "
			    "program set",
			    name ? name : "", name ? " " : "", o->level, o->name);
			*why = why_buf;
			goto fail;
		}
	}
	/* A shutdown() before connect is recorded by the kernel (send() fails with EPIPE
	 * after connect): the new socket gets it too. It says ENOTCONN, as the first did. */
	for (int how = SHUT_RD; how <= SHUT_WR; how++)
		if (e->shut & (1u << how))
			real_shutdown(nfd, how);
	if ((st & MR_ST_BOUND) && !rebind(fd, nfd)) {
		*why = "the new socket could not be bound to the address and port of the old one";
		goto fail;
	}
	*out = nfd;
	return true;
fail:
	real_close(nfd);
	return false;
}

/*
 * Drops recorded epoll registrations that no longer exist (the set was closed,
 * its number maybe reused by an unrelated set): replaying one would deliver
 * the program's old event data from a set that never had this socket.
 */
static void prune_epoll(int fd, struct mr_fd *e)
{
	for (unsigned i = 0; i < e->n_epoll && i < MR_MAX_EPOLL;) {
		struct epoll_event ev = e->epoll[i].ev;
		/* EPOLLEXCLUSIVE registrations refuse MOD: keep those as recorded. */
		if ((ev.events & EPOLLEXCLUSIVE) ||
		    real_epoll_ctl(e->epoll[i].epfd, EPOLL_CTL_MOD, fd, &ev) == 0) {
			i++;
			continue;
		}
		e->epoll[i] = e->epoll[e->n_epoll - 1];
		e->n_epoll--;
	}
}

bool mr_swap(int fd, struct mr_fd *e, bool to_mptcp, const char **why)
{
	int saved = errno;
	uint32_t st = mr_fd_state(e);
	bool ok = false;
	int nfd = -1;

	if (st & MR_ST_NOSWAP) {
		*why = mr_noswap_text(mr_fd_noswap_reason(st));
		return false;
	}
	if (e->fork_gen != atomic_load(&mr_fork_gen)) {
		mr_fd_noswap(e, MR_NOSWAP_FORK);
		*why = mr_noswap_text(MR_NOSWAP_FORK);
		return false;
	}
	/* Claim the entry: two threads must not replace the same socket at once. */
	if ((st & MR_ST_BUSY) || !atomic_compare_exchange_strong(&e->state, &st, st | MR_ST_BUSY)) {
		*why = "another thread is replacing it";
		return false;
	}
	if (!still_ours(fd, st)) {
		*why = "the descriptor no longer holds the socket mptcp-run created";
		atomic_store(&e->state, 0);
		errno = saved;
		return false;
	}
	int fdfl = real_fcntl(fd, F_GETFD, NULL);
	prune_epoll(fd, e);
	if (fdfl >= 0 && build(fd, e, st, to_mptcp, &nfd, why)) {
		/* dup3 swaps atomically: the descriptor is never closed or empty in between. */
		if (real_dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) == fd) {
			ok = true;
			/* The old file left its epoll sets when it was released: register the new
			 * one. */
			for (unsigned i = 0; i < e->n_epoll && i < MR_MAX_EPOLL; i++) {
				struct epoll_event ev = e->epoll[i].ev;
				real_epoll_ctl(e->epoll[i].epfd, EPOLL_CTL_ADD, fd, &ev);
			}
		} else {
			*why = "dup3 failed";
		}
		real_close(nfd);
	} else if (fdfl < 0) {
		*why = "cannot read the descriptor's flags";
	}
	if (ok && to_mptcp)
		mr_fd_set_bits(e, MR_ST_MPTCP);
	else if (ok)
		mr_fd_clear_bits(e, MR_ST_MPTCP);
	mr_fd_clear_bits(e, MR_ST_BUSY);
	errno = saved;
	return ok;
}
