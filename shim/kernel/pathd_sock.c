/* SPDX-License-Identifier: MIT */
/* The registration channel's system calls (kernel/pathd_sock.h). */
#include "kernel/pathd_sock.h"

#include <errno.h>
#include <string.h>
#include <sys/un.h>

int mr_pathd_chan_connect(const struct mr_sockcalls *k, const char *path, uid_t allowed_uid,
                          uid_t *peer_uid, enum mr_chan_open *why)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ucred cred;
	socklen_t l = sizeof(cred);
	int saved = errno;
	*peer_uid = (uid_t)-1;
	*why = MR_CHAN_ABSENT;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int s = k->socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto out;
	if (k->connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* A full backlog is EAGAIN for a non-blocking unix connect: not waited for. */
		*why = errno == EAGAIN ? MR_CHAN_BUSY : MR_CHAN_ABSENT;
		goto fail;
	}
	/* The listener's credentials, recorded by the kernel when it called listen(). */
	if (k->getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0)
		goto fail;
	*peer_uid = cred.uid;
	if (cred.uid != 0 && cred.uid != allowed_uid) {
		*why = MR_CHAN_UNTRUSTED; /* a squatter gets nothing */
		goto fail;
	}
	*why = MR_CHAN_OPENED;
	errno = saved;
	return s;
fail:
	k->close(s);
out:
	errno = saved;
	return -1;
}

/* One message: data and the descriptors fds[0..n-1]. */
static enum mr_chan_send send_fds(const struct mr_sockcalls *k, int chan, const void *data,
                                  size_t len, const int *fds, size_t n)
{
	int saved = errno;
	union {
		char buf[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)data, len};
	struct msghdr m = {.msg_iov = &iov,
	                   .msg_iovlen = 1,
	                   .msg_control = u.buf,
	                   .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(h), fds, sizeof(int) * n);
	enum mr_chan_send r = MR_CHAN_SENT;
	if (k->sendmsg(chan, &m, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len)
		/* EAGAIN: our send buffer holds what the daemon has not read; ETOOMANYREFS: too
		 * many descriptors of this user in flight; ENOBUFS, ENOMEM: no memory now. */
		r = errno == EAGAIN || errno == ETOOMANYREFS || errno == ENOBUFS || errno == ENOMEM
		        ? MR_CHAN_FULL
		        : MR_CHAN_GONE;
	errno = saved;
	return r;
}

enum mr_chan_send mr_pathd_chan_send(const struct mr_sockcalls *k, int chan, int fd)
{
	unsigned char kind = MR_PATHD_MSG_OWN;
	return send_fds(k, chan, &kind, 1, &fd, 1);
}

enum mr_chan_send mr_pathd_chan_send_for(const struct mr_sockcalls *k, int chan, int fd, int pidfd,
                                         int owner_fd)
{
	struct mr_pathd_msg_for m = {.kind = MR_PATHD_MSG_FOR, .fd = owner_fd};
	int fds[2] = {fd, pidfd};
	return send_fds(k, chan, &m, sizeof(m), fds, 2);
}

bool mr_pathd_chan_alive(int chan)
{
	int saved = errno;
	char c;
	/* The daemon never writes: 0 is its end closed, EAGAIN an open channel. MSG_PEEK so
	 * that nothing is consumed, whatever the descriptor is. */
	ssize_t n = recv(chan, &c, 1, MSG_DONTWAIT | MSG_PEEK);
	bool alive = n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
	errno = saved;
	return alive;
}
