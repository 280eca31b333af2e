/* SPDX-License-Identifier: MIT */
/*
 * A program the preload library cannot reach: built static, it makes its
 * socket calls with syscall(). Prints what the kernel says the sockets are.
 *   rawsock proto [v4|v6]           SO_PROTOCOL of a fresh TCP socket
 *   rawsock connect ADDR PORT       connect, print SO_PROTOCOL, send stdin, print nothing else
 *   rawsock listen ADDR PORT        listen, print SO_PROTOCOL of listener and accepted socket
 *   rawsock listen-once ADDR PORT   listen, print the listener's SO_PROTOCOL, exit
 *   rawsock loop N [PROTO]          N x socket()+close(), prints ns per pair
 *   rawsock kill-parent             SIGKILL the parent (the supervisor), then socket(): errno
 *   rawsock threads                 socket() in 4 threads, then fork, then exec self "proto"
 *   rawsock opt LEVEL NAME VALUE    setsockopt on a fresh socket: "set ERR proto P value V"
 *   rawsock opt-connect ADDR PORT   connect, then SO_OOBINLINE=1 and IP_TTL=5:
 *                                   "oob ERR get V ttl ERR proto P"
 *   rawsock opt-accept ADDR PORT    listen, accept one, SO_OOBINLINE=1 on it: "accepted-oob ERR get
 * V proto P"
 *   rawsock netns                   a fresh socket's network namespace (SIOCGSKNS) against
 *                                   the thread's own: "netns same|other proto P"
 *   rawsock clone3-netns            the same in a child made by clone3(CLONE_NEWNET)
 *   rawsock short ADDR PORT         connect, send one line, close at once (shorter than
 *                                   any sampling period), then live on 0.5 s
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* RAWSOCK_PROTO=262 asks for MPTCP directly (for comparisons with the supervisor). */
static int raw_socket(int domain, int type, int proto)
{
	const char *p = getenv("RAWSOCK_PROTO");

	return (int)syscall(SYS_socket, domain, type, p ? atoi(p) : proto);
}

static int proto_of(int fd)
{
	int p = -1;
	socklen_t l = sizeof(p);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &p, &l) < 0)
		return -errno;
	return p;
}

static int addr_of(const char *a, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		*len = sizeof(*s6);
		return AF_INET6;
	}
	return -1;
}

/* "0" or the errno's name-ish text of setsockopt(fd, level, name, &v) */
static const char *try_set(int fd, int level, int name, int v)
{
	static char buf[64];

	if (syscall(SYS_setsockopt, fd, level, name, &v, sizeof(v)) == 0)
		return "0";
	snprintf(buf, sizeof(buf), "%d", errno);
	return buf;
}

static int get_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	if (syscall(SYS_getsockopt, fd, level, name, &v, &l) < 0)
		return -errno;
	return v;
}

/* A listener made with raw system calls; -1 after printing why. */
static int raw_listen(const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = addr_of(addr, port, &ss, &len), one = 1;
	int fd = raw_socket(fam, SOCK_STREAM, 0);

	/* Before the fd check, as the callers did: a failed socket leaves EBADF to print. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || syscall(SYS_listen, fd, 8) < 0) {
		printf("listen: %s\n", strerror(errno));
		return -1;
	}
	return fd;
}

/* A socket made and connected with raw system calls; -1 after printing why. */
static int raw_connect(const char *addr, const char *port, int proto)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = addr_of(addr, port, &ss, &len);
	int fd = raw_socket(fam, SOCK_STREAM, proto);

	if (fd < 0 || syscall(SYS_connect, fd, &ss, len) < 0) {
		printf("connect: %s\n", strerror(errno));
		return -1;
	}
	return fd;
}

static void *thread_main(void *arg)
{
	int fd = raw_socket(AF_INET, SOCK_STREAM, 0);

	*(int *)arg = proto_of(fd);
	close(fd);
	return NULL;
}

/* "netns same|other proto P": where a fresh TCP socket was made, against our namespace. */
static int print_netns(void)
{
	struct stat a, b;
	int fd = raw_socket(AF_INET, SOCK_STREAM, 0), ns;

	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	ns = ioctl(fd, SIOCGSKNS);
	if (ns < 0 || fstat(ns, &a) < 0 || stat("/proc/thread-self/ns/net", &b) < 0) {
		printf("SIOCGSKNS: %s\n", strerror(errno));
		return 1;
	}
	printf("netns %s proto %d\n",
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "same" : "other", proto_of(fd));
	fflush(stdout);
	return 0;
}

static int clone3_netns(void)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} args = {.flags = CLONE_NEWNET, .exit_signal = SIGCHLD};
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	int st;

	if (pid < 0) {
		printf("clone3: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(print_netns());
	waitpid((pid_t)pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int fd, c, i;

	if (argc >= 2 && strcmp(argv[1], "proto") == 0) {
		int v6 = argc > 2 && strcmp(argv[2], "v6") == 0;

		fd = raw_socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			printf("socket: %s\n", strerror(errno));
			return 1;
		}
		printf("%d\n", proto_of(fd));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "connect") == 0) {
		if ((fd = raw_connect(argv[2], argv[3], IPPROTO_TCP)) < 0)
			return 1;
		printf("%d\n", proto_of(fd));
		fflush(stdout);
		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				return 1;
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "listen-once") == 0) {
		if ((fd = raw_listen(argv[2], argv[3])) < 0)
			return 1;
		printf("listener %d\n", proto_of(fd));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "listen") == 0) {
		if ((fd = raw_listen(argv[2], argv[3])) < 0)
			return 1;
		printf("listener %d\n", proto_of(fd));
		fflush(stdout);
		c = accept(fd, NULL, NULL);
		printf("accepted %d\n", proto_of(c));
		fflush(stdout);
		while ((n = read(c, buf, sizeof(buf))) > 0)
			;
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "loop") == 0) {
		long k = atol(argv[2]);
		int proto = argc > 3 ? atoi(argv[3]) : 0;
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < k; i++)
			close(raw_socket(AF_INET, SOCK_STREAM, proto));
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.0f\n",
		       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)k);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "kill-parent") == 0) {
		fd = raw_socket(AF_INET, SOCK_STREAM, 0);
		printf("before %d\n", proto_of(fd));
		fflush(stdout);
		kill(getppid(), SIGKILL);
		usleep(200000);
		fd = raw_socket(AF_INET, SOCK_STREAM, 0);
		printf("after %s\n", fd < 0 ? strerror(errno) : "ok");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "threads") == 0) {
		pthread_t t[4];
		int r[4];
		pid_t pid;
		int st;

		for (i = 0; i < 4; i++)
			pthread_create(&t[i], NULL, thread_main, &r[i]);
		for (i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			printf("thread %d\n", r[i]);
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			fd = raw_socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
			printf("fork %d\n", proto_of(fd));
			fflush(stdout);
			execl("/proc/self/exe", argv[0], "proto", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		return 0;
	}
	if (argc >= 5 && strcmp(argv[1], "opt") == 0) {
		int level = atoi(argv[2]), name = atoi(argv[3]);
		const char *r;

		fd = raw_socket(AF_INET, SOCK_STREAM, 0);
		r = try_set(fd, level, name, atoi(argv[4]));
		printf("set %s proto %d value %d\n", r, proto_of(fd), get_int(fd, level, name));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "opt-connect") == 0) {
		char oob[64];

		if ((fd = raw_connect(argv[2], argv[3], 0)) < 0)
			return 1;
		snprintf(oob, sizeof(oob), "%s", try_set(fd, SOL_SOCKET, SO_OOBINLINE, 1));
		printf("oob %s get %d", oob, get_int(fd, SOL_SOCKET, SO_OOBINLINE));
		printf(" ttl %s proto %d\n", try_set(fd, IPPROTO_IP, IP_TTL, 5), proto_of(fd));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "opt-accept") == 0) {
		if ((fd = raw_listen(argv[2], argv[3])) < 0)
			return 1;
		c = accept(fd, NULL, NULL);
		printf("accepted-oob %s", try_set(c, SOL_SOCKET, SO_OOBINLINE, 1));
		printf(" get %d proto %d\n", get_int(c, SOL_SOCKET, SO_OOBINLINE), proto_of(c));
		fflush(stdout);
		while ((n = read(c, buf, sizeof(buf))) > 0)
			;
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "netns") == 0)
		return print_netns();
	if (argc >= 2 && strcmp(argv[1], "clone3-netns") == 0)
		return clone3_netns();
	if (argc >= 4 && strcmp(argv[1], "short") == 0) {
		if ((fd = raw_connect(argv[2], argv[3], IPPROTO_TCP)) < 0)
			return 1;
		printf("%d\n", proto_of(fd));
		fflush(stdout);
		if (write(fd, "short\n", 6) != 6)
			return 1;
		close(fd);
		usleep(500000); /* the supervisor's sweeps find it closed, then the process */
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "signal") == 0)
		raise(atoi(argv[2]));
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
