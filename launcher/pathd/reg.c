/* SPDX-License-Identifier: MIT */
/*
 * The registration socket (pathd/reg.h). A registration is one SOCK_SEQPACKET
 * connection carrying one message with one descriptor, so SO_PEERCRED names
 * exactly the process that sent it. The daemon accepts up to PD_ACCEPT_BURST
 * connections per wake-up, and a uid over its budget is closed after
 * SO_PEERCRED alone, before any descriptor is read: cheap enough to drain a
 * flood faster than it arrives, so the shared backlog keeps room for the
 * registrations of other uids (the library does not wait when it is full).
 */
#include "pathd/reg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "os/proc_exe.h"

#define PD_ACCEPT_BURST 4096 /* per wake-up: a flood is drained as fast as it comes */
#define PD_BACKLOG      4096
#define PD_UIDS         64    /* uids with a budget at once */
#define PD_RATE         4000. /* registrations per second per uid (a busy server: 1,000/s) */
#define PD_BURST        8000. /* bucket size */
#define PD_PENDING      128   /* accepted connections whose message has not arrived yet */
#define PD_PENDING_UID  16    /* of which one uid may hold */
#define PD_PENDING_MS   500.  /* how long such a connection may stay silent */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* 6.5 */
#endif

struct bucket {
	uid_t uid;
	double tokens, last;
	bool used;
};

struct pending {
	int fd; /* -1: free */
	uid_t uid;
	pid_t pid;
	int pidfd; /* the sender, pinned (SO_PEERPIDFD), -1 before 6.5 */
	double deadline;
};

struct pd_reg {
	int fd, ep;
	struct pending p[PD_PENDING];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t netns_cookie;
	struct bucket b[PD_UIDS];
	unsigned long ok, refused, limited;
};

/* An epoll descriptor: the listener and the pending connections. */
int pd_reg_fd(const struct pd_reg *r)
{
	return r->ep;
}

void pd_reg_stats(const struct pd_reg *r, unsigned long *ok, unsigned long *refused,
                  unsigned long *limited)
{
	*ok = r->ok;
	*refused = r->refused;
	*limited = r->limited;
}

struct pd_reg *pd_reg_open(const char *path)
{
	struct pd_reg *r = calloc(1, sizeof(*r));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	socklen_t l = sizeof(r->netns_cookie);
	if (!r)
		return NULL;
	r->ep = -1;
	for (int i = 0; i < PD_PENDING; i++)
		r->p[i].fd = r->p[i].pidfd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		free(r);
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		goto fail;
	/* The namespace whose tokens we manage: a descriptor from another one is refused. */
	if (getsockopt(r->fd, SOL_SOCKET, SO_NETNS_COOKIE, &r->netns_cookie, &l) < 0)
		r->netns_cookie = 0;
	/* A stale socket from a previous run (we hold the instance lock): replaced. Anything
	 * else at that path is left alone. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(r->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail;
	/* Every local process may register; what it can claim is checked by the kernel. */
	if (chmod(path, 0666) < 0 || listen(r->fd, PD_BACKLOG) < 0)
		goto fail;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = PD_PENDING};
	if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(r->ep, EPOLL_CTL_ADD, r->fd, &ev) < 0)
		goto fail;
	return r;
fail : {
	int e = errno;
	if (r->fd >= 0)
		close(r->fd);
	if (r->ep >= 0)
		close(r->ep);
	free(r);
	errno = e;
	return NULL;
}
}

void pd_reg_close(struct pd_reg *r)
{
	if (!r)
		return;
	for (int i = 0; i < PD_PENDING; i++)
		if (r->p[i].fd >= 0) {
			close(r->p[i].fd);
			if (r->p[i].pidfd >= 0)
				close(r->p[i].pidfd);
		}
	close(r->fd);
	close(r->ep);
	unlink(r->path);
	free(r);
}

/* Takes one unit of uid's budget; false when it is exhausted. */
static bool budget(struct pd_reg *r, uid_t uid, double now_ms)
{
	struct bucket *b = NULL, *oldest = &r->b[0];
	for (int i = 0; i < PD_UIDS; i++) {
		if (r->b[i].used && r->b[i].uid == uid) {
			b = &r->b[i];
			break;
		}
		if (!r->b[i].used || r->b[i].last < oldest->last)
			oldest = &r->b[i];
	}
	if (!b) {
		/* The least recently seen uid gives its slot up: it starts full again later. */
		b = oldest;
		*b = (struct bucket){.uid = uid, .tokens = PD_BURST, .last = now_ms, .used = true};
	}
	b->tokens += (now_ms - b->last) * PD_RATE / 1000.;
	if (b->tokens > PD_BURST)
		b->tokens = PD_BURST;
	b->last = now_ms;
	if (b->tokens < 1.)
		return false;
	b->tokens -= 1.;
	return true;
}

/* The token of a received descriptor, 0 unless it is a connected MPTCP socket of our netns
 * (two system calls: this runs once per registered connection). */
static uint32_t token_of(const struct pd_reg *r, int fd)
{
	uint64_t cookie = 0;
	unsigned char info[64];
	socklen_t l = sizeof(cookie);
	uint32_t token = 0;
	/* No fstat() nor SO_PROTOCOL first: a descriptor that is not a socket fails with ENOTSOCK,
	 * and only an MPTCP socket answers SOL_MPTCP (every other protocol: ENOPROTOOPT). */
	if (r->netns_cookie && (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &l) < 0 ||
	                        cookie != r->netns_cookie))
		return 0;
	l = sizeof(info);
	memset(info, 0, sizeof(info));
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, info, &l) < 0 || l < 16)
		return 0;
	memcpy(&token, info + 12, 4);
	return token;
}

/*
 * The sender's executable. /proc/PID/exe is read by number, and the number may have
 * been reused since SO_PEERCRED: the pidfd taken at accept() pins the process, so when
 * it still signals (0) after the readlink, the link belonged to the sender.
 */
static void read_exe(pid_t pid, int pidfd, char *exe, size_t size)
{
	lr_proc_exe(pid, exe, size);
	if (pidfd >= 0 && pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
		exe[0] = '\0'; /* the sender is gone: the number may name another process now */
}

/* Reads the message of c (from the process cred names). -1: not there yet; 0: done. */
static int read_one(struct pd_reg *r, int c, const struct ucred *cred, int pidfd,
                    void (*cb)(const struct pd_registration *, void *), void *arg)
{
	char data[16];
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {data, sizeof(data)};
	struct msghdr m = {.msg_iov = &iov,
	                   .msg_iovlen = 1,
	                   .msg_control = u.buf,
	                   .msg_controllen = sizeof(u.buf)};
	struct pd_registration reg;
	int got = -1;

	ssize_t n = recvmsg(c, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	for (struct cmsghdr *h = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL; h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)CMSG_DATA(h);
		for (size_t i = 0; i < k; i++) {
			if (got < 0)
				got = fds[i];
			else
				close(fds[i]); /* one descriptor per registration */
		}
	}
	if (got < 0) {
		r->refused++;
		return 0;
	}
	memset(&reg, 0, sizeof(reg));
	reg.token = token_of(r, got);
	/* Closed at once: holding it would keep the program's connection alive after its close().
	 */
	close(got);
	if (!reg.token || (m.msg_flags & MSG_CTRUNC)) {
		r->refused++;
		return 0;
	}
	reg.pid = cred->pid;
	reg.uid = cred->uid;
	read_exe(cred->pid, pidfd, reg.exe, sizeof(reg.exe));
	r->ok++;
	cb(&reg, arg);
	return 0;
}

static void drop_pending(struct pd_reg *r, struct pending *p)
{
	epoll_ctl(r->ep, EPOLL_CTL_DEL, p->fd, NULL);
	close(p->fd);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->fd = p->pidfd = -1;
}

/* Keeps c until its message comes, within the global and the per-uid bounds. */
static bool keep_pending(struct pd_reg *r, int c, const struct ucred *cred, int pidfd,
                         double now_ms)
{
	int mine = 0, slot = -1;
	for (int i = 0; i < PD_PENDING; i++) {
		if (r->p[i].fd < 0) {
			if (slot < 0)
				slot = i;
		} else if (r->p[i].uid == cred->uid) {
			mine++;
		}
	}
	if (slot < 0 || mine >= PD_PENDING_UID)
		return false;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)slot};
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, c, &ev) < 0)
		return false;
	r->p[slot] = (struct pending){.fd = c,
	                              .uid = cred->uid,
	                              .pid = cred->pid,
	                              .pidfd = pidfd,
	                              .deadline = now_ms + PD_PENDING_MS};
	return true;
}

static void accept_burst(struct pd_reg *r, double now_ms,
                         void (*cb)(const struct pd_registration *, void *), void *arg)
{
	for (int i = 0; i < PD_ACCEPT_BURST; i++) {
		struct ucred cred;
		socklen_t l = sizeof(cred);
		int pidfd = -1;
		int c = accept4(r->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (c < 0)
			return;
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &l) < 0) {
			r->refused++;
		} else if (!budget(r, cred.uid, now_ms)) {
			r->limited++; /* closed before any descriptor is read */
		} else {
			l = sizeof(pidfd);
			if (getsockopt(c, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &l) < 0)
				pidfd = -1;
			if (read_one(r, c, &cred, pidfd, cb, arg) < 0 &&
			    keep_pending(r, c, &cred, pidfd, now_ms))
				continue;
		}
		if (pidfd >= 0)
			close(pidfd);
		close(c);
	}
}

void pd_reg_handle(struct pd_reg *r, double now_ms,
                   void (*cb)(const struct pd_registration *, void *), void *arg)
{
	struct epoll_event evs[64];
	int n = epoll_wait(r->ep, evs, 64, 0);
	for (int i = 0; i < n; i++) {
		uint32_t k = evs[i].data.u32;
		if (k == PD_PENDING) {
			accept_burst(r, now_ms, cb, arg);
			continue;
		}
		struct pending *p = &r->p[k];
		if (p->fd < 0)
			continue;
		struct ucred cred = {.pid = p->pid, .uid = p->uid};
		if (read_one(r, p->fd, &cred, p->pidfd, cb, arg) == 0 ||
		    (evs[i].events & (EPOLLHUP | EPOLLRDHUP)))
			drop_pending(r, p);
	}
	for (int i = 0; i < PD_PENDING; i++)
		if (r->p[i].fd >= 0 && r->p[i].deadline <= now_ms) {
			r->refused++;
			drop_pending(r, &r->p[i]);
		}
}

double pd_reg_next_deadline(const struct pd_reg *r)
{
	double t = 0;
	for (int i = 0; i < PD_PENDING; i++)
		if (r->p[i].fd >= 0 && (!t || r->p[i].deadline < t))
			t = r->p[i].deadline;
	return t;
}
