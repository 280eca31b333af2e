/* SPDX-License-Identifier: MIT */
/*
 * What makes a pending socket visible through more than its one descriptor:
 * epoll registrations (recorded and replayed by a replacement) and duplicates
 * (after which it is never replaced).
 */
#include <string.h>
#include <sys/epoll.h>

#include "core/lifecycle.h"
#include "core/replace.h"
#include "kernel/log.h"

void mr_note_epoll(struct mr_fd *e, int epfd, int op, const struct epoll_event *ev)
{
	for (unsigned i = 0; i < e->n_epoll; i++) {
		if (e->epoll[i].epfd != epfd)
			continue;
		if (op == EPOLL_CTL_DEL) {
			e->epoll[i] = e->epoll[e->n_epoll - 1];
			e->n_epoll--;
		} else if (ev) {
			e->epoll[i].ev = *ev;
		}
		return;
	}
	if (op != EPOLL_CTL_ADD || !ev)
		return;
	if (e->n_epoll >= MR_MAX_EPOLL) {
		mr_fd_noswap(e, MR_NOSWAP_EPOLL);
		return;
	}
	e->epoll[e->n_epoll].epfd = epfd;
	e->epoll[e->n_epoll].ev = *ev;
	e->n_epoll++;
}

void mr_note_dup(int oldfd, int newfd)
{
	struct mr_fd *e = mr_pending(oldfd);
	if (e)
		mr_fd_noswap(e, MR_NOSWAP_DUP);
	mr_fd_forget(newfd);
}

/* MPTCP only because the last connect() said so: the program asked for TCP. */
static void unpredict(int fd, struct mr_fd *e)
{
	uint32_t st = mr_fd_state(e);
	const char *why;
	if ((st & (MR_ST_MANAGED | MR_ST_DECIDE | MR_ST_MPTCP)) !=
	        (MR_ST_MANAGED | MR_ST_DECIDE | MR_ST_MPTCP) ||
	    (st & (MR_ST_LIVE | MR_ST_PINNED | MR_ST_NOSWAP)))
		return;
	if (mr_swap(fd, e, false, &why))
		mr_log(MR_LOG_DEBUG,
		       "fd %d: shared before its verdict: back to the TCP it asked for", fd);
	else
		mr_log(MR_LOG_INFO, "fd %d: shared before its verdict and stays MPTCP: %s", fd,
		       why);
}

void mr_before_dup(int fd)
{
	struct mr_fd *e = mr_pending(fd);
	if (e)
		unpredict(fd, e);
}

bool mr_copy_sockaddr(const struct sockaddr *sa, socklen_t len, struct sockaddr_storage *out,
                      socklen_t *outlen)
{
	/*
	 * The pointer is trusted: validating it (process_vm_readv) costs ~0.8 µs on every
	 * connect(), 2 % of a loopback connection. A program passing an invalid address
	 * faults here instead of getting EFAULT; that program is broken either way.
	 */
	size_t n = len < sizeof(*out) ? len : sizeof(*out);
	if (!sa || n == 0)
		return false;
	memcpy(out, sa, n);
	*outlen = (socklen_t)n;
	return true;
}
