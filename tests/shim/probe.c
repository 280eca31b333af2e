/* SPDX-License-Identifier: MIT */
/*
 * probe: runs a sequence of socket operations on one socket and prints what
 * the kernel says, so the functional tests can assert behaviour under
 * LD_PRELOAD (the protocol, errors, whether the connection is MPTCP).
 *
 *   probe OP [OP…]
 *   socket4 | socket6 [nonblock] [cloexec] [proto=N] [type=stream|dgram|raw] [family=unix]
 *   opt NAME VALUE      set an option (user_timeout, ttl, md5, nodelay, keepalive, reuseaddr,
 *                       mark, tclass, v6only, bogus)
 *   bind ADDR:PORT | connect ADDR:PORT | listen | accept | echo | send N | recvall
 *   proto               print proto=<SO_PROTOCOL>
 *   ismptcp             print ismptcp=<TCP_IS_MPTCP>
 *   flags               print nonblock=0|1 cloexec=0|1
 *   getopt NAME         print NAME=<value>
 *   epoll               register in a new epoll set (EPOLLOUT) before connect
 *   epollwait           wait for EPOLLOUT on that set, print epoll=<events>
 *   dup | fork-wait | exec-proto    duplicate; fork a child that exits; exec self to print proto
 *   fd | close          print fd=<n>; close the socket
 *   port                print port=<bound port> (then port_same=0|1 against the first)
 *   setowner | owner    F_SETOWN to this pid; print owner=1 if it still is
 *   tfo ADDR:PORT       sendto(MSG_FASTOPEN) without connect
 *   vforkclose | spawn  a vfork child closes the socket; posix_spawn /bin/true
 *   unshare             move this process to a new network namespace
 *   serve ADDR:PORT [mptcp]   accept connections forever, echo data (a test server)
 *   shutwr              shutdown(SHUT_WR), print shutwr=ok|err:E
 *   write N | pause MS  write N bytes (no shutdown, nothing read back); sleep MS milliseconds
 *   write1              write one byte, print write1=ok|err:E (SIGPIPE is ignored)
 *   connect-unspec      connect(AF_UNSPEC); connect-badlen ADDR:PORT: a short length
 *   selfaccept          connect a new socket of the same family to the listener, accept it:
 *                       the ops that follow act on the accepted socket
 *   receiver ADDR:PORT [plain|lib]  start a child that will receive a socket and connect it
 *                       to ADDR:PORT, printing child_connect= child_proto=; "plain": the child
 *                       runs without LD_PRELOAD, "lib": with LD_PRELOAD=$PROBE_LIB (for a
 *                       sender not under the library)
 *   sendfd              hand the socket to that child with SCM_RIGHTS, close it here, wait
 *   recvfd UNIXFD ADDR:PORT   (the child's half)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/uapi.h"

extern char **environ;

static int sock = -1, ep = -1, listener = -1;

static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	int port = atoi(colon + 1);
	if (s[0] == '[') {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s - 2), s + 1);
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		memset(a, 0, sizeof(*a));
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		*len = sizeof(*a);
	} else {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		memset(a, 0, sizeof(*a));
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*len = sizeof(*a);
	}
	return 0;
}

static void result(const char *op, int rc)
{
	if (rc < 0)
		printf("%s=err:%s\n", op, strerrorname_np(errno));
	else
		printf("%s=ok\n", op);
}

struct optdef {
	const char *name;
	int level, opt;
};

static const struct optdef opts[] = {
    {"user_timeout", IPPROTO_TCP, TCP_USER_TIMEOUT},
    {"ttl", IPPROTO_IP, IP_TTL},
    {"nodelay", IPPROTO_TCP, TCP_NODELAY},
    {"keepalive", SOL_SOCKET, SO_KEEPALIVE},
    {"reuseaddr", SOL_SOCKET, SO_REUSEADDR},
    {"mark", SOL_SOCKET, SO_MARK},
    {"tclass", IPPROTO_IPV6, IPV6_TCLASS},
    {"v6only", IPPROTO_IPV6, IPV6_V6ONLY},
    {"rcvbuf", SOL_SOCKET, SO_RCVBUF},
    {"quickack", IPPROTO_TCP, TCP_QUICKACK},
    {"bogus", IPPROTO_TCP, 9999},
    {"oobinline", SOL_SOCKET, SO_OOBINLINE},
    {"defer_accept", IPPROTO_TCP, TCP_DEFER_ACCEPT},
    {"md5", IPPROTO_TCP, TCP_MD5SIG},
};

static const struct optdef *find_opt(const char *name)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	fprintf(stderr, "probe: unknown option %s\n", name);
	exit(2);
}

static void serve(const char *addr, int mptcp)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(addr, &ss, &len) < 0)
		exit(2);
	int l = socket(ss.ss_family, SOCK_STREAM, mptcp ? IPPROTO_MPTCP : 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) < 0 || listen(l, 64) < 0) {
		perror("probe serve");
		exit(1);
	}
	printf("serving\n");
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			char buf[65536];
			ssize_t n;
			while ((n = read(c, buf, sizeof(buf))) > 0)
				if (write(c, buf, (size_t)n) != n)
					break;
			_exit(0);
		}
		close(c);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

/* A vfork child shares our memory, not our descriptor table. Its own frame, for vfork. */
__attribute__((noinline)) static void vfork_close(int fd)
{
	pid_t p = vfork();
	if (p == 0) {
		close(fd);
		_exit(0);
	}
	waitpid(p, NULL, 0);
}

/* Receives one descriptor on u, connects it to addr, prints what happened. */
static int recv_connect(int u, const char *addr)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = {&byte, 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct sockaddr_storage ss;
	socklen_t len;
	if (recvmsg(u, &m, 0) != 1 || !CMSG_FIRSTHDR(&m) || parse_addr(addr, &ss, &len) < 0) {
		printf("child_recv=err\n");
		return 1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(fd));
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	printf("child_connect=%s\n", rc == 0 ? "ok" : strerrorname_np(errno));
	int v = -1;
	socklen_t vl = sizeof(v);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &vl);
	printf("child_proto=%d\n", v);
	return rc == 0 ? 0 : 1;
}

/*
 * A receiving child (this program again, with or without the library), started
 * before the socket exists, as a privilege-separated server's helper is.
 */
static int recv_sock = -1;
static pid_t recv_pid = -1;

static void start_receiver(const char *addr, int plain)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		exit(1);
	}
	recv_pid = fork();
	if (recv_pid == 0) {
		close(sv[0]);
		char ufd[16];
		snprintf(ufd, sizeof(ufd), "%d", sv[1]);
		if (plain == 1)
			unsetenv("LD_PRELOAD");
		else if (plain == 2 && getenv("PROBE_LIB"))
			setenv("LD_PRELOAD", getenv("PROBE_LIB"), 1);
		execl("/proc/self/exe", "probe", "recvfd", ufd, addr, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	recv_sock = sv[0];
}

/* Hands fd to the receiver with SCM_RIGHTS, closes it here, waits for the receiver. */
static void send_fd(int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 'f';
	struct iovec iov = {&byte, 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	result("sendfd", sendmsg(recv_sock, &m, 0) == 1 ? 0 : -1);
	close(fd);
	int st;
	waitpid(recv_pid, &st, 0);
	close(recv_sock);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *op = argv[i];
		if (strcmp(op, "socket4") == 0 || strcmp(op, "socket6") == 0) {
			int family = op[6] == '4' ? AF_INET : AF_INET6, type = SOCK_STREAM,
			    proto = 0;
			for (; i + 1 < argc && strchr("npctf", argv[i + 1][0]) &&
			       (strcmp(argv[i + 1], "nonblock") == 0 ||
			        strcmp(argv[i + 1], "cloexec") == 0 ||
			        strncmp(argv[i + 1], "proto=", 6) == 0 ||
			        strncmp(argv[i + 1], "type=", 5) == 0 ||
			        strncmp(argv[i + 1], "family=", 7) == 0);
			     i++) {
				const char *f = argv[i + 1];
				if (strcmp(f, "nonblock") == 0)
					type |= SOCK_NONBLOCK;
				else if (strcmp(f, "cloexec") == 0)
					type |= SOCK_CLOEXEC;
				else if (strncmp(f, "proto=", 6) == 0)
					proto = atoi(f + 6);
				else if (strcmp(f, "type=dgram") == 0)
					type = (type & ~0xf) | SOCK_DGRAM;
				else if (strcmp(f, "type=raw") == 0)
					type = (type & ~0xf) | SOCK_RAW;
				else if (strcmp(f, "family=unix") == 0)
					family = AF_UNIX;
			}
			sock = socket(family, type, proto);
			result("socket", sock);
		} else if (strcmp(op, "opt") == 0 && i + 2 < argc) {
			const struct optdef *d = find_opt(argv[++i]);
			int v = atoi(argv[++i]);
			int rc;
			if (d->opt == TCP_MD5SIG) {
				struct tcp_md5sig md5;
				memset(&md5, 0, sizeof(md5));
				struct sockaddr_in *a = (struct sockaddr_in *)&md5.tcpm_addr;
				a->sin_family = AF_INET;
				a->sin_addr.s_addr = htonl(0xc6120002); /* 198.18.0.2 */
				md5.tcpm_keylen = 4;
				memcpy(md5.tcpm_key, "test", 4);
				rc = setsockopt(sock, d->level, d->opt, &md5, sizeof(md5));
			} else {
				rc = setsockopt(sock, d->level, d->opt, &v, sizeof(v));
			}
			char name[64];
			snprintf(name, sizeof(name), "opt_%s", d->name);
			result(name, rc);
		} else if (strcmp(op, "getopt") == 0 && i + 1 < argc) {
			const struct optdef *d = find_opt(argv[++i]);
			int v = -1;
			socklen_t len = sizeof(v);
			if (getsockopt(sock, d->level, d->opt, &v, &len) < 0)
				printf("%s=err:%s\n", d->name, strerrorname_np(errno));
			else
				printf("%s=%d\n", d->name, v);
		} else if ((strcmp(op, "bind") == 0 || strcmp(op, "connect") == 0) &&
		           i + 1 < argc) {
			struct sockaddr_storage ss;
			socklen_t len;
			if (parse_addr(argv[++i], &ss, &len) < 0) {
				fprintf(stderr, "probe: bad address %s\n", argv[i]);
				return 2;
			}
			int rc = op[0] == 'b' ? bind(sock, (struct sockaddr *)&ss, len)
			                      : connect(sock, (struct sockaddr *)&ss, len);
			if (rc < 0 && errno == EINPROGRESS)
				printf("%s=inprogress\n", op);
			else
				result(op, rc);
		} else if (strcmp(op, "listen") == 0) {
			result("listen", listen(sock, 16));
			listener = sock;
		} else if (strcmp(op, "accept") == 0) {
			sock = accept(listener, NULL, NULL);
			result("accept", sock);
		} else if (strcmp(op, "proto") == 0) {
			int v = -1;
			socklen_t len = sizeof(v);
			getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &v, &len);
			printf("proto=%d\n", v);
		} else if (strcmp(op, "ismptcp") == 0) {
			int v = -1;
			socklen_t len = sizeof(v);
			if (getsockopt(sock, IPPROTO_TCP, TCP_IS_MPTCP, &v, &len) < 0)
				v = -1;
			printf("ismptcp=%d\n", v);
		} else if (strcmp(op, "flags") == 0) {
			printf("nonblock=%d cloexec=%d\n", !!(fcntl(sock, F_GETFL) & O_NONBLOCK),
			       !!(fcntl(sock, F_GETFD) & FD_CLOEXEC));
		} else if (strcmp(op, "port") == 0) {
			static int first = -1;
			struct sockaddr_in6 a;
			socklen_t al = sizeof(a);
			int port = getsockname(sock, (struct sockaddr *)&a, &al) == 0
			               ? ntohs(a.sin6_port)
			               : -1;
			if (first < 0) {
				first = port;
				printf("port=%d\n", port);
			} else {
				printf("port=%d port_same=%d\n", port, port == first);
			}
		} else if (strcmp(op, "owner") == 0) {
			printf("owner=%d\n", fcntl(sock, F_GETOWN) == getpid());
		} else if (strcmp(op, "setowner") == 0) {
			result("setowner", fcntl(sock, F_SETOWN, getpid()));
		} else if (strcmp(op, "tfo") == 0 && i + 1 < argc) {
			struct sockaddr_storage ss;
			socklen_t len;
			if (parse_addr(argv[++i], &ss, &len) < 0)
				return 2;
			ssize_t n = sendto(sock, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&ss, len);
			result("tfo", n < 0 ? -1 : 0);
		} else if (strcmp(op, "vforkclose") == 0) {
			vfork_close(sock);
			printf("vforkclose=ok\n");
		} else if (strcmp(op, "spawn") == 0) {
			pid_t p;
			char *args[] = {"/bin/true", NULL};
			int rc = posix_spawn(&p, "/bin/true", NULL, NULL, args, environ);
			if (rc == 0)
				waitpid(p, NULL, 0);
			errno = rc;
			result("spawn", rc ? -1 : 0);
		} else if (strcmp(op, "unshare") == 0) {
			result("unshare", unshare(CLONE_NEWNET));
		} else if (strcmp(op, "close") == 0) {
			result("close", close(sock));
		} else if (strcmp(op, "fd") == 0) {
			printf("fd=%d\n", sock);
		} else if (strcmp(op, "epoll") == 0) {
			struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = 0x1234};
			ep = epoll_create1(EPOLL_CLOEXEC);
			result("epoll", epoll_ctl(ep, EPOLL_CTL_ADD, sock, &ev));
		} else if (strcmp(op, "epollwait") == 0) {
			struct epoll_event ev = {0};
			int n = epoll_wait(ep, &ev, 1, 3000);
			printf("epoll=%d data=%#llx\n", n, (unsigned long long)ev.data.u64);
		} else if (strcmp(op, "dup") == 0) {
			int d = dup(sock);
			result("dup", d);
		} else if (strcmp(op, "fork-wait") == 0) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			waitpid(p, NULL, 0);
			printf("fork=ok\n");
		} else if (strcmp(op, "send") == 0 && i + 1 < argc) {
			size_t n = strtoul(argv[++i], NULL, 10), got = 0;
			char buf[4096];
			memset(buf, 'x', sizeof(buf));
			int fl = fcntl(sock, F_GETFL);
			fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
			for (size_t sent = 0; sent < n;) {
				size_t k = n - sent < sizeof(buf) ? n - sent : sizeof(buf);
				ssize_t w = write(sock, buf, k);
				if (w <= 0)
					break;
				sent += (size_t)w;
			}
			shutdown(sock, SHUT_WR);
			ssize_t r;
			while ((r = read(sock, buf, sizeof(buf))) > 0)
				got += (size_t)r;
			printf("echoed=%zu\n", got);
		} else if (strcmp(op, "write") == 0 && i + 1 < argc) {
			size_t n = strtoul(argv[++i], NULL, 10), done = 0;
			char buf[4096];
			memset(buf, 'w', sizeof(buf));
			while (done < n) {
				ssize_t w = write(sock, buf,
				                  n - done < sizeof(buf) ? n - done : sizeof(buf));
				if (w <= 0)
					break;
				done += (size_t)w;
			}
			printf("written=%zu\n", done);
		} else if (strcmp(op, "pause") == 0 && i + 1 < argc) {
			usleep((useconds_t)strtoul(argv[++i], NULL, 10) * 1000);
		} else if (strcmp(op, "shutwr") == 0) {
			result("shutwr", shutdown(sock, SHUT_WR));
		} else if (strcmp(op, "write1") == 0) {
			result("write1", write(sock, "x", 1) == 1 ? 0 : -1);
		} else if (strcmp(op, "connect-unspec") == 0) {
			struct sockaddr sa = {.sa_family = AF_UNSPEC};
			result("connect_unspec", connect(sock, &sa, sizeof(sa)));
		} else if (strcmp(op, "connect-badlen") == 0 && i + 1 < argc) {
			struct sockaddr_storage ss;
			socklen_t len;
			if (parse_addr(argv[++i], &ss, &len) < 0)
				return 2;
			result("connect_badlen", connect(sock, (struct sockaddr *)&ss, 3));
		} else if (strcmp(op, "selfaccept") == 0) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			getsockname(listener, (struct sockaddr *)&ss, &len);
			int c = socket(ss.ss_family, SOCK_STREAM, 0);
			int rc = connect(c, (struct sockaddr *)&ss, len);
			sock = accept(listener, NULL, NULL);
			result("selfaccept", rc == 0 && sock >= 0 ? 0 : -1);
		} else if (strcmp(op, "receiver") == 0 && i + 1 < argc) {
			const char *a = argv[++i];
			int plain = 0;
			if (i + 1 < argc && strcmp(argv[i + 1], "plain") == 0)
				plain = 1;
			else if (i + 1 < argc && strcmp(argv[i + 1], "lib") == 0)
				plain = 2;
			if (plain)
				i++;
			start_receiver(a, plain);
		} else if (strcmp(op, "sendfd") == 0) {
			send_fd(sock);
		} else if (strcmp(op, "recvfd") == 0 && i + 2 < argc) {
			int u = atoi(argv[++i]);
			return recv_connect(u, argv[++i]);
		} else if (strcmp(op, "serve") == 0 && i + 1 < argc) {
			const char *a = argv[++i];
			int mptcp = i + 1 < argc && strcmp(argv[i + 1], "mptcp") == 0;
			serve(a, mptcp);
		} else {
			fprintf(stderr, "probe: unknown op %s\n", op);
			return 2;
		}
	}
	return 0;
}
