/* SPDX-License-Identifier: MIT */
/*
 * crr: connect-request-response rate (connect, 1 byte each way, close), one
 * process, many connections in flight over epoll.
 *
 *   crr server [-m] [-t SECONDS] ADDR PORT
 *       Accepts, answers each 1-byte request with 1 byte, closes on EOF.
 *       -m: the listener is created with IPPROTO_MPTCP (an MPTCP server without
 *       any preload); without it the listener is plain TCP code (socket(...,0)),
 *       so a preloaded library decides. -t: exit after SECONDS (default 600).
 *       At exit (SIGTERM or -t) prints "accepted=N cpu_us_per_conn=C" (C: the
 *       server's CPU time, user + system, per accepted connection).
 *   crr client [-m] [-c CONC] ADDR PORT SECONDS
 *       Plain TCP code: socket(AF_INET[6], SOCK_STREAM|SOCK_NONBLOCK, 0), so a
 *       preloaded library decides what it becomes; -m: IPPROTO_MPTCP directly
 *       (an MPTCP client without any preload). Keeps CONC (default 8)
 *       connections in flight for SECONDS, then prints
 *       "conn_per_s=R conns=N errors=E cpu_us_per_conn=C proto=P is_mptcp=M/S"
 *       where P is SO_PROTOCOL and M of S sampled connections reported
 *       TCP_IS_MPTCP=1 once established (0 means plain TCP or fallback).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_net.h"

#define MAX_CONC 256
#define SAMPLE   32

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int usage(void)
{
	fprintf(stderr, "usage: crr server [-m] [-t SECONDS] ADDR PORT\n"
	                "       crr client [-m] [-c CONC] ADDR PORT SECONDS\n");
	return 2;
}

static volatile sig_atomic_t stop_server;

static void on_term(int sig)
{
	(void)sig;
	stop_server = 1;
}

static int server(int argc, char **argv)
{
	int opt, mptcp = 0, one = 1;
	double limit = 600;
	struct sockaddr_storage ss;
	socklen_t len;

	while ((opt = getopt(argc, argv, "mt:")) != -1) {
		if (opt == 'm')
			mptcp = 1;
		else if (opt == 't')
			limit = atof(optarg);
		else
			return usage();
	}
	if (argc - optind != 2 ||
	    bench_parse_addr("crr", argv[optind], argv[optind + 1], &ss, &len) < 0)
		return usage();
	int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, mptcp ? IPPROTO_MPTCP : 0);
	if (lfd < 0) {
		perror("crr server: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 4096) < 0) {
		perror("crr server: bind/listen");
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[64];
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: epoll_wait returns EINTR */
	long accepted = 0;
	double c0 = cpu_s();
	printf("ready\n");
	fflush(stdout);
	double end = mono() + limit;
	while (mono() < end && !stop_server) {
		int n = epoll_wait(ep, evs, 64, 200);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lfd) {
				int c;
				while ((c = accept4(lfd, NULL, NULL,
				                    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					accepted++;
					struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			char b[64];
			ssize_t r = read(fd, b, sizeof(b));
			if (r > 0) {
				if (write(fd, b, 1) < 0) {
					close(fd);
				}
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(fd); /* also leaves the epoll set */
			}
		}
	}
	double cpu = cpu_s() - c0;
	printf("accepted=%ld cpu_us_per_conn=%.2f\n", accepted,
	       accepted ? cpu * 1e6 / (double)accepted : 0.0);
	return 0;
}

struct conn {
	int fd;
	int state; /* 1 connecting, 2 waiting for the response */
};

static int client(int argc, char **argv)
{
	int opt, conc = 8, mptcp = 0;
	struct sockaddr_storage ss;
	socklen_t len;

	while ((opt = getopt(argc, argv, "mc:")) != -1) {
		if (opt == 'c')
			conc = atoi(optarg);
		else if (opt == 'm')
			mptcp = 1;
		else
			return usage();
	}
	if (argc - optind != 3 || conc < 1 || conc > MAX_CONC ||
	    bench_parse_addr("crr", argv[optind], argv[optind + 1], &ss, &len) < 0)
		return usage();
	double secs = atof(argv[optind + 2]);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	static struct conn conns[MAX_CONC];
	long done = 0, errors = 0, sampled = 0, mptcp_seen = 0;
	int proto = -1;

	double t0 = mono(), c0 = cpu_s(), end = t0 + secs;
	int active = 0;
	for (;;) {
		double now = mono();
		/* Open new connections until CONC are in flight (none after the deadline). */
		for (int i = 0; i < conc && now < end; i++) {
			struct conn *c = &conns[i];
			if (c->state)
				continue;
			c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK,
			               mptcp ? IPPROTO_MPTCP : 0);
			if (c->fd < 0) {
				errors++;
				continue;
			}
			if (proto < 0) {
				socklen_t pl = sizeof(proto);
				getsockopt(c->fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl);
			}
			if (connect(c->fd, (struct sockaddr *)&ss, len) < 0 &&
			    errno != EINPROGRESS) {
				errors++;
				close(c->fd);
				continue;
			}
			c->state = 1;
			active++;
			struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};
			epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
		}
		if (!active && now >= end)
			break;
		struct epoll_event evs[MAX_CONC];
		int n = epoll_wait(ep, evs, MAX_CONC, 100);
		for (int k = 0; k < n; k++) {
			struct conn *c = &conns[evs[k].data.u32];
			char b = 'q';
			if (evs[k].events & (EPOLLERR | EPOLLHUP) && c->state == 1) {
				errors++;
				goto finish;
			}
			if (c->state == 1) {
				if (sampled < SAMPLE) {
					int v = 0;
					socklen_t vl = sizeof(v);
					if (getsockopt(c->fd, IPPROTO_TCP, TCP_IS_MPTCP, &v, &vl) ==
					        0 &&
					    v)
						mptcp_seen++;
					sampled++;
				}
				if (write(c->fd, &b, 1) != 1) {
					errors++;
					goto finish;
				}
				c->state = 2;
				struct epoll_event ev = {.events = EPOLLIN,
				                         .data.u32 = evs[k].data.u32};
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			ssize_t r = read(c->fd, &b, 1);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r == 1)
				done++;
			else
				errors++;
		finish:
			close(c->fd);
			c->state = 0;
			active--;
		}
	}
	double el = mono() - t0, cpu = cpu_s() - c0;
	printf(
	    "conn_per_s=%.1f conns=%ld errors=%ld cpu_us_per_conn=%.2f proto=%d is_mptcp=%ld/%ld\n",
	    (double)done / el, done, errors, done ? cpu * 1e6 / (double)done : 0.0, proto,
	    mptcp_seen, sampled);
	return done > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "server") == 0)
		return server(argc - 1, argv + 1);
	if (strcmp(argv[1], "client") == 0)
		return client(argc - 1, argv + 1);
	return usage();
}
