/* SPDX-License-Identifier: MIT */
/*
 * Where the supervisor's sockets are made. A socket belongs to the network
 * namespace of the task that creates it, and carries its credentials and
 * cgroup. The supervisor is the child's parent and runs as the same user with
 * the same cgroup, so it creates the socket itself when the calling thread is
 * in the supervisor's network namespace, and otherwise setns()es into the
 * caller's namespace for that one socket() and back. When setns is refused (no
 * CAP_SYS_ADMIN over that namespace) the call continues: the socket stays TCP.
 *
 * Which namespace the caller is in costs a look-up of /proc/TID/ns/net
 * (1.5-3 µs, as much as the rest of the answer). With the nswatch lever the
 * filter sends the calls that can move a thread to another network namespace
 * (setns, unshare and clone with CLONE_NEWNET, clone3); until the first one,
 * every supervised thread is in ours, as it was forked from us.
 *
 * With the pool lever, an MPTCP socket of each kind asked for (family,
 * blocking or not) is made after the answer, while the program runs: the next
 * socket() is answered without waiting for MPTCP's socket creation. Only in our
 * own namespace; a socket made ahead and never used is closed at exit.
 */
#include "supervise/sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "os/msg.h"

void lr_sv_sockets_init(struct lr_sv_sockets *s, bool watch, bool pool)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (stat("/proc/self/ns/net", &st) == 0) {
		s->own_dev = st.st_dev;
		s->own_ino = st.st_ino;
	}
	s->own_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	s->watch = watch;
	s->pool = pool;
	for (int f = 0; f < 2; f++)
		for (int b = 0; b < 2; b++)
			s->ready[f][b] = -1;
}

void lr_sv_sockets_close(struct lr_sv_sockets *s)
{
	for (int f = 0; f < 2; f++)
		for (int b = 0; b < 2; b++) {
			if (s->ready[f][b] >= 0)
				close(s->ready[f][b]);
			s->ready[f][b] = -1;
		}
	if (s->own_fd >= 0)
		close(s->own_fd);
	s->own_fd = -1;
}

/* 1: tid is in our network namespace, 0: in another one (path filled), -errno. */
static int in_our_ns(const struct lr_sv_sockets *s, pid_t tid, char *path, size_t size)
{
	struct stat st;

	if (s->watch && !s->moved)
		return 1;
	snprintf(path, size, "/proc/%d/ns/net", (int)tid);
	if (stat(path, &st) < 0)
		return -errno;
	return st.st_dev == s->own_dev && st.st_ino == s->own_ino;
}

/* The pool's slot for that kind of socket, or NULL. */
static int *slot(struct lr_sv_sockets *s, int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (protocol != IPPROTO_MPTCP || base != SOCK_STREAM ||
	    (domain != AF_INET && domain != AF_INET6))
		return NULL;
	return &s->ready[domain == AF_INET6][(type & SOCK_NONBLOCK) != 0];
}

static int make(int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	return fd < 0 ? -errno : fd;
}

/* socket() in the namespace at path (not ours): setns there and back. */
static int make_in(struct lr_sv_sockets *s, pid_t tid, const char *path, int domain, int type,
                   int protocol)
{
	int fd, ns, err;

	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -errno;
	if (setns(ns, CLONE_NEWNET) < 0) {
		err = errno;
		close(ns);
		if (!s->warned)
			lr_warn("pid %d runs in another network namespace that the supervisor "
			        "cannot enter (%s): its sockets stay TCP",
			        (int)tid, strerror(err));
		s->warned = true;
		return -err;
	}
	close(ns);
	fd = make(domain, type, protocol);
	if (setns(s->own_fd, CLONE_NEWNET) < 0)
		lr_warn("supervisor: cannot return to its own network namespace (%s)",
		        strerror(errno));
	return fd;
}

int lr_sv_socket(struct lr_sv_sockets *s, pid_t tid, int domain, int type, int protocol)
{
	char path[64];
	int ours = in_our_ns(s, tid, path, sizeof(path)), *p, fd;

	if (ours < 0)
		return ours;
	if (!ours)
		return make_in(s, tid, path, domain, type, protocol);
	p = s->pool ? slot(s, domain, type, protocol) : NULL;
	if (p && *p >= 0) {
		fd = *p;
		*p = -1;
		s->want[domain == AF_INET6][(type & SOCK_NONBLOCK) != 0] = true;
		return fd;
	}
	fd = make(domain, type, protocol);
	if (p && fd >= 0)
		s->want[domain == AF_INET6][(type & SOCK_NONBLOCK) != 0] = true;
	return fd;
}

void lr_sv_sockets_refill(struct lr_sv_sockets *s)
{
	for (int f = 0; f < 2; f++)
		for (int b = 0; b < 2; b++) {
			if (!s->want[f][b] || s->ready[f][b] >= 0)
				continue;
			s->want[f][b] = false;
			s->ready[f][b] = socket(
			    f ? AF_INET6 : AF_INET,
			    SOCK_STREAM | SOCK_CLOEXEC | (b ? SOCK_NONBLOCK : 0), IPPROTO_MPTCP);
		}
}
