/* SPDX-License-Identifier: MIT */
/*
 * Stress test of the preload library (run under LD_PRELOAD, inside a network
 * namespace where 198.18.0.1 is on lo): worker threads create, upgrade,
 * replace, duplicate and close sockets while another thread forks children
 * that exec /bin/true. Checks that every connection has the protocol the
 * policy says (MPTCP for 198.18.0.1, TCP for 127.0.0.1 and ::1) unless it was
 * duplicated or shared with a child before connect, that both descriptors of a
 * duplicated socket agree, and that no descriptor leaks.
 *
 *   stress [TOTAL_LIFECYCLES] [THREADS]     (default 100000, 8)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/uapi.h"

static struct sockaddr_in remote, local;
static struct sockaddr_in6 local6;
static int lfd[3];
static long per_thread;
static _Atomic long calls, lifecycles, mismatches, forks, stop;
/* Fork windows: started counts prepare handlers, finished counts parent handlers. */
static _Atomic long fork_started, fork_finished;

static void prepare(void)
{
	atomic_fetch_add(&fork_started, 1);
}

static void parent(void)
{
	atomic_fetch_add(&fork_finished, 1);
}

static int proto(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) < 0)
		return -errno;
	return v;
}

static void mismatch(const char *what, int got, int want)
{
	if (atomic_fetch_add(&mismatches, 1) < 10)
		fprintf(stderr, "stress: %s: protocol %d, want %d\n", what, got, want);
}

static void lingering_close(int fd)
{
	/* RST on close: no TIME_WAIT piling up over 100k connections. */
	struct linger l = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	atomic_fetch_add(&calls, 2);
}

static int xsocket(int family, int flags)
{
	int fd;
	for (int tries = 0; (fd = socket(family, SOCK_STREAM | flags, 0)) < 0; tries++) {
		if (tries > 1000) {
			perror("stress: socket");
			exit(1);
		}
		usleep(1000);
	}
	atomic_fetch_add(&calls, 1);
	return fd;
}

static int xconnect(int fd, const void *sa, socklen_t len)
{
	atomic_fetch_add(&calls, 1);
	int rc = connect(fd, (const struct sockaddr *)sa, len);
	return rc == 0 || errno == EINPROGRESS ? 0 : -errno;
}

/* One socket lifecycle; kind picks the scenario. */
static void lifecycle(unsigned kind, unsigned r)
{
	int flags = (r & 1 ? SOCK_NONBLOCK : 0) | (r & 2 ? SOCK_CLOEXEC : 0);
	long f0 = atomic_load(&fork_finished);
	int fd, fd2, rc;
	switch (kind) {
	case 0: /* remote peer: MPTCP */
	case 1: /* local peer: TCP */
		fd = xsocket(AF_INET, flags);
		if (r & 4) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
			atomic_fetch_add(&calls, 1);
		}
		rc = xconnect(fd, kind == 0 ? &remote : &local, sizeof(remote));
		if (rc == 0) {
			int want = kind == 0 ? IPPROTO_MPTCP : IPPROTO_TCP, got = proto(fd);
			/* Shared with a child between socket() and connect(): never replaced. */
			bool forked = atomic_load(&fork_started) != f0;
			if (got != want &&
			    !(forked && (got == IPPROTO_TCP || got == IPPROTO_MPTCP)))
				mismatch(kind == 0 ? "connect 198.18.0.1" : "connect 127.0.0.1",
				         got, want);
		}
		lingering_close(fd);
		break;
	case 2: /* duplicated before connect: either protocol, both descriptors agree */
		fd = xsocket(AF_INET, flags);
		fd2 = r & 8 ? dup(fd) : fcntl(fd, F_DUPFD_CLOEXEC, 0);
		atomic_fetch_add(&calls, 1);
		if (fd2 < 0) {
			perror("stress: dup");
			exit(1);
		}
		if (xconnect(r & 16 ? fd2 : fd, r & 32 ? &remote : &local, sizeof(remote)) == 0 &&
		    proto(fd) != proto(fd2))
			mismatch("dup'd socket, the two descriptors", proto(fd), proto(fd2));
		close(fd2);
		lingering_close(fd);
		break;
	case 3: /* dup2 of one fresh socket over another, then connect through the target */
		fd = xsocket(AF_INET, flags);
		fd2 = xsocket(AF_INET, 0);
		if (dup2(fd, fd2) != fd2) {
			perror("stress: dup2");
			exit(1);
		}
		atomic_fetch_add(&calls, 1);
		if (xconnect(fd2, &remote, sizeof(remote)) == 0 && proto(fd) != proto(fd2))
			mismatch("dup2 target", proto(fd2), proto(fd));
		close(fd);
		lingering_close(fd2);
		break;
	case 4: /* IPv6 loopback: TCP */
		fd = xsocket(AF_INET6, flags);
		if (xconnect(fd, &local6, sizeof(local6)) == 0) {
			int got = proto(fd);
			bool forked = atomic_load(&fork_started) != f0;
			if (got != IPPROTO_TCP && !(forked && got == IPPROTO_MPTCP))
				mismatch("connect [::1]", got, IPPROTO_TCP);
		}
		lingering_close(fd);
		break;
	default: /* created and closed unused */
		fd = xsocket(r & 64 ? AF_INET6 : AF_INET, flags);
		close(fd);
		atomic_fetch_add(&calls, 1);
		break;
	}
	atomic_fetch_add(&lifecycles, 1);
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
	for (long i = 0; i < per_thread; i++) {
		unsigned r = (unsigned)rand_r(&seed);
		lifecycle(r % 6, r >> 8);
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	int ep = *(int *)arg;
	while (!atomic_load(&stop)) {
		struct epoll_event ev[8];
		int n = epoll_wait(ep, ev, 8, 50);
		for (int i = 0; i < n; i++) {
			int c;
			while ((c = accept4(ev[i].data.fd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
				close(c);
		}
	}
	return NULL;
}

static void *forker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pid_t p = fork();
		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (p < 0) {
			perror("stress: fork");
			exit(1);
		}
		int st;
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "stress: /bin/true under the library: status %#x\n", st);
			atomic_fetch_add(&mismatches, 1);
		}
		atomic_fetch_add(&forks, 1);
	}
	return NULL;
}

/* The open descriptors, as a string "0 1 2 …". */
static void fd_list(char *buf, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;
	buf[0] = '\0';
	if (!d)
		return;
	int self = dirfd(d);
	struct dirent *e;
	int fds[4096], k = 0;
	while ((e = readdir(d)) && k < 4096) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == self)
			continue;
		fds[k++] = atoi(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < k; i++) /* sort: readdir order is not fixed */
		for (int j = i + 1; j < k; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	for (int i = 0; i < k && n + 12 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%d ", fds[i]);
}

static int listener(int family, const char *addr, int protocol, void *sa, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	int one = 1;
	if (family == AF_INET) {
		struct sockaddr_in *a = sa;
		memset(a, 0, sizeof(*a));
		a->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &a->sin_addr);
	} else {
		struct sockaddr_in6 *a = sa;
		memset(a, 0, sizeof(*a));
		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &a->sin6_addr);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, sa, len) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, sa, &len) < 0) {
		fprintf(stderr, "stress: listener on %s: %s\n", addr, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	long total = argc > 1 ? atol(argv[1]) : 100000;
	int nthreads = argc > 2 ? atoi(argv[2]) : 8;
	char before[8192], after[8192];
	struct timespec t0, t1;

	if (nthreads < 1 || nthreads > 64 || total < nthreads)
		return 2;
	per_thread = total / nthreads;
	fd_list(before, sizeof(before));
	pthread_atfork(prepare, parent, NULL);

	lfd[0] = listener(AF_INET, "198.18.0.1", IPPROTO_MPTCP, &remote, sizeof(remote));
	lfd[1] = listener(AF_INET, "127.0.0.1", IPPROTO_TCP, &local, sizeof(local));
	lfd[2] = listener(AF_INET6, "::1", IPPROTO_TCP, &local6, sizeof(local6));
	if (proto(lfd[0]) != IPPROTO_MPTCP || proto(lfd[1]) != IPPROTO_TCP) {
		fprintf(stderr, "stress: listeners have the wrong protocol\n");
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < 3; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd[i]};
		epoll_ctl(ep, EPOLL_CTL_ADD, lfd[i], &ev);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_t acc, fk, w[64];
	pthread_create(&acc, NULL, acceptor, &ep);
	pthread_create(&fk, NULL, forker, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&w[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < nthreads; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(fk, NULL);
	pthread_join(acc, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	for (int i = 0; i < 3; i++)
		close(lfd[i]);
	close(ep);
	fd_list(after, sizeof(after));
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	int leaked = strcmp(before, after) != 0;
	printf("stress: %ld socket lifecycles (%ld interposed calls) in %d threads, %ld fork+exec, "
	       "%.1f s; %ld protocol mismatches; descriptors %s\n",
	       atomic_load(&lifecycles), atomic_load(&calls), nthreads, atomic_load(&forks), secs,
	       atomic_load(&mismatches), leaked ? "LEAKED" : "all closed");
	if (leaked)
		printf("stress: descriptors before: %s\nstress: descriptors after:  %s\n", before,
		       after);
	return atomic_load(&mismatches) || leaked ? 1 : 0;
}
