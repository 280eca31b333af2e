/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "real.h"
#include "runtime.h"
#include "swap.h"

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

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) < 0 ||
	    v != ((st & MR_ST_MPTCP) ? IPPROTO_MPTCP : IPPROTO_TCP))
		return false;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ||
	    v != ((st & MR_ST_V6) ? AF_INET6 : AF_INET))
		return false;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) < 0 || v != 0)
		return false;
	return getpeername(fd, (struct sockaddr *)&peer, &plen) < 0 && errno == ENOTCONN;
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
	if ((fl & O_NONBLOCK) && real_fcntl(nfd, F_SETFL, (void *)(long)(fl & O_NONBLOCK)) < 0) {
		*why = "O_NONBLOCK could not be set";
		goto fail;
	}
	for (unsigned i = 0; i < e->n_opts && i < MR_MAX_OPTS; i++) {
		const struct mr_opt *o = &e->opts[i];
		if (real_setsockopt(nfd, o->level, o->name, o->val, o->len) < 0) {
			*why = "a recorded socket option was refused by the new socket";
			goto fail;
		}
	}
	if ((st & MR_ST_BOUND) &&
	    real_bind(nfd, (const struct sockaddr *)&e->bind_addr, e->bind_len) < 0) {
		*why = "the new socket could not be bound to the recorded address";
		goto fail;
	}
	*out = nfd;
	return true;
fail:
	real_close(nfd);
	return false;
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
