/* SPDX-License-Identifier: MIT */
/* The registration hand-over (kernel/pathd_sock.h), with the real calls only. */
#include "kernel/pathd_sock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "kernel/real.h"

enum mr_handover mr_pathd_hand_over(const char *path, int fd, uid_t allowed_uid, uid_t *peer_uid)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ucred cred;
	socklen_t l = sizeof(cred);
	enum mr_handover r = MR_HANDOVER_ABSENT;
	int saved = errno;
	*peer_uid = (uid_t)-1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return MR_HANDOVER_ABSENT;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int s = real_socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto out_noclose;
	if (real_connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* A full backlog is EAGAIN for a non-blocking unix connect: not waited for. */
		r = errno == EAGAIN ? MR_HANDOVER_BUSY : MR_HANDOVER_ABSENT;
		goto out;
	}
	if (real_getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0) {
		r = MR_HANDOVER_ABSENT;
		goto out;
	}
	*peer_uid = cred.uid;
	if (cred.uid != 0 && cred.uid != allowed_uid) {
		r = MR_HANDOVER_UNTRUSTED; /* a squatter gets nothing */
		goto out;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 1;
	struct iovec iov = {&byte, 1};
	struct msghdr m = {.msg_iov = &iov,
	                   .msg_iovlen = 1,
	                   .msg_control = u.buf,
	                   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	r = real_sendmsg(s, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? MR_HANDOVER_SENT
	                                                          : MR_HANDOVER_BUSY;
out:
	real_close(s);
out_noclose:
	errno = saved;
	return r;
}
