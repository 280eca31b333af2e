/* SPDX-License-Identifier: MIT */
/*
 * Accepted connections under the supervisor (supervise/accepted.c).
 * accept() is not filtered (a round trip per connection on a busy server,
 * and the supervisor could learn the new descriptor only by doing the accept
 * itself), so each sample looks through the descriptors of every process
 * with a listener the supervisor handled (/proc/PID/fd) for sockets not
 * tracked yet whose local address is a listener's: connected, not listening,
 * TCP or MPTCP. They are tracked from then on as "accepted", judged as their
 * listener was. A socket found not to be one is remembered by inode (a ring
 * of MAX_SEEN) and not looked at again. Cost: with --report only, once per
 * sample and listening process, a readlink per descriptor not tracked.
 */
#include "supervise/track_ent.h"

#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool seen(const struct lr_sv_track *t, ino_t ino)
{
	for (size_t i = 0; i < MAX_SEEN; i++)
		if (t->seen[i] == ino)
			return true;
	return false;
}

static void mark_seen(struct lr_sv_track *t, ino_t ino)
{
	t->seen[t->seen_next] = ino;
	t->seen_next = (t->seen_next + 1) % MAX_SEEN;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port;
	if (ss->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)ss)->sin6_port;
	return 0;
}

/* Is local (a connected socket's) on listener l's address? */
static bool on_listener(const struct ent *l, const struct sockaddr_storage *local)
{
	const struct sockaddr_storage *la = &l->local;

	if (!l->have_local || la->ss_family != local->ss_family || port_of(la) != port_of(local) ||
	    !port_of(la))
		return false;
	if (la->ss_family == AF_INET) {
		in_addr_t a = ((const struct sockaddr_in *)la)->sin_addr.s_addr;

		return a == INADDR_ANY || a == ((const struct sockaddr_in *)local)->sin_addr.s_addr;
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)la)->sin6_addr;

	return IN6_IS_ADDR_UNSPECIFIED(a6) ||
	       IN6_ARE_ADDR_EQUAL(a6, &((const struct sockaddr_in6 *)local)->sin6_addr);
}

/* The listener of process pid whose address local is on, or NULL. */
static const struct ent *listener_of(const struct lr_sv_track *t, pid_t pid,
                                     const struct sockaddr_storage *local)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == pid && t->v[i].listening && on_listener(&t->v[i], local))
			return &t->v[i];
	return NULL;
}

/* Process pid's descriptor fd (our copy dup, inode ino): tracked from now on if accepted. */
static void consider(struct lr_sv_track *t, pid_t pid, int fd, int dup, ino_t ino)
{
	struct sockaddr_storage local, remote;
	socklen_t ll = sizeof(local), rl = sizeof(remote), pl, al;
	int proto = 0, acc = 1;
	const struct ent *l;
	struct ent *e;

	pl = al = sizeof(int);
	memset(&local, 0, sizeof(local));
	if (getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) < 0 ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_MPTCP) ||
	    getsockopt(dup, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) < 0 || acc ||
	    getsockname(dup, (struct sockaddr *)&local, &ll) < 0 ||
	    getpeername(dup, (struct sockaddr *)&remote, &rl) < 0 ||
	    !(l = listener_of(t, pid, &local))) {
		mark_seen(t, ino);
		return;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct ent *v;

		if (cap > MAX_TRACKED || !(v = realloc(t->v, cap * sizeof(*v))))
			return; /* unreported; looked at again next time */
		t->v = v;
		t->cap = cap;
		l = listener_of(t, pid, &local);
	}
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	*e = (struct ent){.pid = pid,
	                  .fd = fd,
	                  .ino = ino,
	                  .mptcp_socket = proto == IPPROTO_MPTCP,
	                  .accepted = true,
	                  .judged = l->judged,
	                  .role = MR_ROLE_LISTEN,
	                  .verdict = l->verdict,
	                  .conn = "none"};
	memcpy(e->rule, l->rule, sizeof(e->rule));
	memcpy(e->program, l->program, sizeof(e->program));
}

/* Looks through process pid's descriptors for accepted connections not tracked yet. */
static void discover_in(struct lr_sv_track *t, pid_t pid)
{
	char path[64], link[64];
	struct dirent *de;
	DIR *d;
	int pidfd;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (pidfd >= 0 && (de = readdir(d))) {
		unsigned long ino;
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		ssize_t n;
		int dup;

		if (*end || end == de->d_name || fd < 0 || lr_sv_track_find(t, pid, (int)fd))
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "socket:[", 8) != 0)
			continue;
		ino = strtoul(link + 8, &end, 10);
		if (*end != ']' || seen(t, (ino_t)ino))
			continue;
		dup = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fd, 0);
		if (dup < 0)
			continue;
		consider(t, pid, (int)fd, dup, (ino_t)ino);
		close(dup);
	}
	if (pidfd >= 0)
		close(pidfd);
	closedir(d);
}

/* Each process with a listener the supervisor handled, once. */
void lr_sv_track_discover_accepted(struct lr_sv_track *t)
{
	for (size_t i = 0; i < t->n; i++) {
		bool first = true;

		if (!t->v[i].listening)
			continue;
		for (size_t k = 0; k < i && first; k++)
			first = !(t->v[k].listening && t->v[k].pid == t->v[i].pid);
		if (first)
			discover_in(t, t->v[i].pid);
	}
}
