/* SPDX-License-Identifier: MIT */
/*
 * seq: one socket-API call sequence, printed as a normalised transcript, so
 * tests/differential/run.sh can compare the same sequence run three ways:
 * plain TCP, under libmptcp-run.so, and asking for MPTCP itself.
 *
 *   seq tcp|lib|mptcp SCENARIO.up|SCENARIO.down
 *   seq serve ADDR:PORT READY_FILE     an MPTCP echo server (accepts TCP too)
 *   seq list                           the scenario names
 *
 * tcp and lib create sockets with socket(AF_INET, SOCK_STREAM, 0) (lib: the
 * runner preloads the library); mptcp asks for IPPROTO_MPTCP.
 * The runner's network: 198.18.0.1 (the policy says MPTCP) and 127.0.0.1 (the
 * policy says TCP), an echo server on port 7001 of both, nothing on 7009.
 *   up:   the final endpoint is 198.18.0.1, the socket is predicted TCP (the
 *         process's first verdict is open), so the library replaces it TCP->MPTCP;
 *   down: a warm-up connection to 198.18.0.1 first makes the library predict
 *         MPTCP, the final endpoint is 127.0.0.1: replaced MPTCP->TCP.
 *
 * Every line "NN label: result" is compared by the runner. Lines starting with
 * '#' are not: "#proto" gives SO_PROTOCOL after socket() and at the end, and
 * what this mode must show (lib: the prediction, then the policy's verdict
 * for the last endpoint connected to), so the runner proves the replacement.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/uapi.h"

#define PORT_OPEN   7001
#define PORT_CLOSED 7009
#define MPTCP_ADDR  "198.18.0.1"
#define TCP_ADDR    "127.0.0.1"

enum mode { M_TCP, M_LIB, M_MPTCP };

static enum mode mode;
static int down;              /* direction: the final endpoint is the TCP one */
static int step;              /* line number of the transcript */
static int last_policy_mptcp; /* the policy's verdict for the last endpoint connected to */
static int proto_before;
static long pending; /* bytes sent and not yet read back */

static void line(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const char *label, const char *fmt, ...)
{
	va_list ap;
	printf("%02d %s: ", ++step, label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A call's result: its return value, or -1 and the errno name. */
static long rc_line(const char *label, long rc)
{
	if (rc < 0)
		line(label, "-1 %s", strerrorname_np(errno));
	else
		line(label, "%ld", rc);
	return rc;
}

static int proto_of(int fd)
{
	int v = -1;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l) < 0)
		return -1;
	return v;
}

static struct sockaddr_in addr4(const char *ip, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* The final endpoint's address, and the one with the other verdict. */
static const char *target(void)
{
	return down ? TCP_ADDR : MPTCP_ADDR;
}
static const char *other(void)
{
	return down ? MPTCP_ADDR : TCP_ADDR;
}

static void note_endpoint(const char *ip)
{
	last_policy_mptcp = strcmp(ip, MPTCP_ADDR) == 0;
}

static long do_connect(int fd, const char *ip, int port)
{
	struct sockaddr_in a = addr4(ip, port);
	char label[64];
	note_endpoint(ip);
	snprintf(label, sizeof(label), "connect(%s:%d)", ip, port);
	return rc_line(label, connect(fd, (struct sockaddr *)&a, sizeof(a)));
}

static int new_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, mode == M_MPTCP ? IPPROTO_MPTCP : 0);
	rc_line("socket", fd < 0 ? -1 : 0);
	if (fd < 0)
		exit(1);
	proto_before = proto_of(fd);
	return fd;
}

static void print_addr(const char *label, int fd, int peer)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int rc = peer ? getpeername(fd, (struct sockaddr *)&a, &l)
	              : getsockname(fd, (struct sockaddr *)&a, &l);
	if (rc < 0) {
		rc_line(label, -1);
		return;
	}
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a.sin_addr, ip, sizeof(ip));
	/* A local port is ephemeral: only whether there is one. */
	if (peer)
		line(label, "%s:%d", ip, ntohs(a.sin_port));
	else
		line(label, "%s:%s", ip, a.sin_port ? "*" : "0");
}

static void getint(const char *label, int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, level, name, &v, &l) < 0)
		rc_line(label, -1);
	else
		line(label, "%d", v);
}

static void setint(const char *label, int fd, int level, int name, int v)
{
	rc_line(label, setsockopt(fd, level, name, &v, sizeof(v)));
}

static void send_bytes(int fd, long n)
{
	char buf[4096];
	char label[32];
	long done = 0;
	memset(buf, 'x', sizeof(buf));
	snprintf(label, sizeof(label), "send(%ld)", n);
	while (done < n) {
		size_t chunk = (size_t)(n - done) < sizeof(buf) ? (size_t)(n - done) : sizeof(buf);
		ssize_t r = send(fd, buf, chunk, MSG_NOSIGNAL);
		if (r < 0) {
			if (done == 0) {
				rc_line(label, -1);
				return;
			}
			break;
		}
		done += r;
	}
	pending += done;
	line(label, "%ld", done);
}

/* Reads until `pending` bytes came back, EOF, an error, or a second of silence. */
static void read_echo(int fd)
{
	char buf[4096];
	long got = 0;
	const char *why = "all";
	if (pending == 0) {
		line("echo", "nothing sent");
		return;
	}
	while (got < pending) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0) {
			why = "timeout";
			break;
		}
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == 0) {
			why = "eof";
			break;
		}
		if (r < 0) {
			if (errno == EAGAIN)
				continue;
			why = strerrorname_np(errno);
			break;
		}
		got += r;
	}
	line("echo", "%ld of %ld (%s)", got, pending, why);
	pending = 0;
}

/* The same epilogue for every scenario: what a program would see using the socket. */
static void finish(int fd)
{
	print_addr("getpeername", fd, 1);
	print_addr("getsockname", fd, 0);
	getint("SO_ERROR", fd, SOL_SOCKET, SO_ERROR);
	send_bytes(fd, 1000);
	read_echo(fd);
	rc_line("shutdown(SHUT_WR)", shutdown(fd, SHUT_WR));
	{
		char c;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			line("recv after shutdown", "timeout");
		else
			rc_line("recv after shutdown", recv(fd, &c, 1, MSG_DONTWAIT));
	}
	int proto_after = proto_of(fd);
	int want_before, want_after;
	if (mode == M_TCP)
		want_before = want_after = IPPROTO_TCP;
	else if (mode == M_MPTCP)
		want_before = want_after = IPPROTO_MPTCP;
	else {
		want_before = down ? IPPROTO_MPTCP : IPPROTO_TCP;
		want_after = last_policy_mptcp ? IPPROTO_MPTCP : IPPROTO_TCP;
	}
	printf("#proto before=%d after=%d want_before=%d want_after=%d\n", proto_before,
	       proto_after, want_before, want_after);
	rc_line("close", close(fd));
}

/* down: one connection to the MPTCP endpoint, so the library predicts MPTCP. */
static void warm_up(void)
{
	if (!down)
		return;
	int fd = socket(AF_INET, SOCK_STREAM, mode == M_MPTCP ? IPPROTO_MPTCP : 0);
	struct sockaddr_in a = addr4(MPTCP_ADDR, PORT_OPEN);
	rc_line("warm-up connect", fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof(a)));
	if (fd >= 0)
		close(fd);
}

/* ---- the scenarios ---- */

static void sc_plain(void)
{
	int fd = new_socket();
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

static void sc_shutdown_before_connect(void)
{
	int fd = new_socket();
	rc_line("shutdown(SHUT_WR)", shutdown(fd, SHUT_WR));
	do_connect(fd, target(), PORT_OPEN);
	send_bytes(fd, 10);
	finish(fd);
}

static void sc_unspec_first(void)
{
	int fd = new_socket();
	struct sockaddr sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	rc_line("connect(AF_UNSPEC)", connect(fd, &sa, sizeof(sa)));
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

/* Refused where the verdict is the prediction (no replacement), then the other verdict. */
static void sc_refused_then_other(void)
{
	int fd = new_socket();
	do_connect(fd, other(), PORT_CLOSED);
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

/* Refused where the verdict differs (replaced there), then back to the prediction's. */
static void sc_refused_replaced_then_other(void)
{
	int fd = new_socket();
	do_connect(fd, target(), PORT_CLOSED);
	do_connect(fd, other(), PORT_OPEN);
	finish(fd);
}

static void sc_bad_len(void)
{
	int fd = new_socket();
	struct sockaddr_in a = addr4(other(), PORT_OPEN);
	rc_line("connect(short length)", connect(fd, (struct sockaddr *)&a, sizeof(a) - 1));
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

/* An AF_INET6 address on an AF_INET socket: the kernel refuses the family. */
static void sc_bad_family(void)
{
	int fd = new_socket();
	struct sockaddr_in6 a;
	char mapped[64];
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(PORT_OPEN);
	snprintf(mapped, sizeof(mapped), "::ffff:%s", other());
	inet_pton(AF_INET6, mapped, &a.sin6_addr);
	rc_line("connect(AF_INET6 on AF_INET)", connect(fd, (struct sockaddr *)&a, sizeof(a)));
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

/* A family no parser knows (AF_UNIX bytes), at the length of a sockaddr_in. */
static void sc_unknown_family(void)
{
	int fd = new_socket();
	struct sockaddr_in a = addr4(other(), PORT_OPEN);
	a.sin_family = AF_UNIX;
	rc_line("connect(AF_UNIX)", connect(fd, (struct sockaddr *)&a, sizeof(a)));
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

static void identity(int fd, struct stat *st, uint64_t *cookie)
{
	socklen_t l = sizeof(*cookie);
	fstat(fd, st);
	*cookie = 0;
	getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &l);
}

static void sc_identity(void)
{
	struct stat a, b;
	uint64_t ca, cb;
	int fd = new_socket();
	identity(fd, &a, &ca);
	do_connect(fd, target(), PORT_OPEN);
	identity(fd, &b, &cb);
	line("fstat st_ino unchanged by connect", "%d", a.st_ino == b.st_ino);
	line("SO_COOKIE unchanged by connect", "%d", ca == cb);
	finish(fd);
}

static void sc_async(void)
{
	int fd = new_socket();
	int fl = fcntl(fd, F_GETFL);
	rc_line("fcntl(F_SETFL, O_ASYNC)", fcntl(fd, F_SETFL, fl | O_ASYNC));
	do_connect(fd, target(), PORT_OPEN);
	line("O_ASYNC still set", "%d", (fcntl(fd, F_GETFL) & O_ASYNC) != 0);
	finish(fd);
}

static void sc_dup(void)
{
	int fd = new_socket();
	int fd2 = dup(fd);
	rc_line("dup", fd2 < 0 ? -1 : 0);
	do_connect(fd, target(), PORT_OPEN);
	print_addr("getpeername(the dup)", fd2, 1);
	rc_line("close(the dup)", close(fd2));
	finish(fd);
}

static void sc_fork(void)
{
	int fd = new_socket();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status = -1;
	waitpid(pid, &status, 0);
	line("fork, child exited", "%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	do_connect(fd, target(), PORT_OPEN);
	finish(fd);
}

static void sc_user_timeout(int v)
{
	int fd = new_socket();
	char label[48];
	snprintf(label, sizeof(label), "setsockopt(TCP_USER_TIMEOUT, %d)", v);
	setint(label, fd, IPPROTO_TCP, TCP_USER_TIMEOUT, v);
	do_connect(fd, target(), PORT_OPEN);
	getint("TCP_USER_TIMEOUT", fd, IPPROTO_TCP, TCP_USER_TIMEOUT);
	finish(fd);
}
static void sc_user_timeout_nonzero(void)
{
	sc_user_timeout(1000);
}
static void sc_user_timeout_zero(void)
{
	sc_user_timeout(0);
}

static void sc_oobinline(void)
{
	int fd = new_socket();
	do_connect(fd, target(), PORT_OPEN);
	setint("setsockopt(SO_OOBINLINE, 1)", fd, SOL_SOCKET, SO_OOBINLINE, 1);
	getint("SO_OOBINLINE", fd, SOL_SOCKET, SO_OOBINLINE);
	finish(fd);
}

static void sc_fastopen(void)
{
	int fd = new_socket();
	struct sockaddr_in a = addr4(target(), PORT_OPEN);
	char buf[100];
	memset(buf, 'f', sizeof(buf));
	note_endpoint(target());
	long r = rc_line("sendto(MSG_FASTOPEN, 100)",
	                 sendto(fd, buf, sizeof(buf), MSG_FASTOPEN | MSG_NOSIGNAL,
	                        (struct sockaddr *)&a, sizeof(a)));
	if (r > 0)
		pending += r;
	read_echo(fd);
	finish(fd);
}

/* Non-blocking connect: EINPROGRESS, then the same connect again once it completed. */
static void sc_nonblock_connect(void)
{
	int fd = new_socket();
	int fl = fcntl(fd, F_GETFL);
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	rc_line("fcntl(F_SETFL, O_NONBLOCK)", fcntl(fd, F_SETFL, fl | O_NONBLOCK));
	do_connect(fd, target(), PORT_OPEN);
	line("poll(POLLOUT)", "%d", poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT));
	do_connect(fd, target(), PORT_OPEN);
	rc_line("fcntl(F_SETFL, blocking)", fcntl(fd, F_SETFL, fl));
	finish(fd);
}

/* Options set before connect (replayed by a replacement), read back after. */
static void sc_options(void)
{
	int fd = new_socket();
	setint("setsockopt(TCP_NODELAY, 1)", fd, IPPROTO_TCP, TCP_NODELAY, 1);
	setint("setsockopt(SO_KEEPALIVE, 1)", fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint("setsockopt(TCP_KEEPIDLE, 30)", fd, IPPROTO_TCP, TCP_KEEPIDLE, 30);
	setint("setsockopt(SO_RCVBUF, 65536)", fd, SOL_SOCKET, SO_RCVBUF, 65536);
	setint("setsockopt(SO_REUSEADDR, 1)", fd, SOL_SOCKET, SO_REUSEADDR, 1);
	do_connect(fd, target(), PORT_OPEN);
	getint("TCP_NODELAY", fd, IPPROTO_TCP, TCP_NODELAY);
	getint("SO_KEEPALIVE", fd, SOL_SOCKET, SO_KEEPALIVE);
	getint("TCP_KEEPIDLE", fd, IPPROTO_TCP, TCP_KEEPIDLE);
	getint("SO_RCVBUF", fd, SOL_SOCKET, SO_RCVBUF);
	getint("SO_REUSEADDR", fd, SOL_SOCKET, SO_REUSEADDR);
	finish(fd);
}

/* bind to port 0 first: the replacement must keep the address and port it got. */
static void sc_bind_port0(void)
{
	int fd = new_socket();
	struct sockaddr_in a = addr4(target(), 0), b;
	socklen_t l = sizeof(b);
	rc_line("bind(port 0)", bind(fd, (struct sockaddr *)&a, sizeof(a)));
	getsockname(fd, (struct sockaddr *)&a, &(socklen_t){sizeof(a)});
	do_connect(fd, target(), PORT_OPEN);
	getsockname(fd, (struct sockaddr *)&b, &l);
	line("local port unchanged by connect", "%d", a.sin_port == b.sin_port && a.sin_port != 0);
	finish(fd);
}

static const struct scenario {
	const char *name;
	void (*run)(void);
} scenarios[] = {
    {"plain", sc_plain},
    {"shutdown_before_connect", sc_shutdown_before_connect},
    {"unspec_first", sc_unspec_first},
    {"refused_then_other", sc_refused_then_other},
    {"refused_replaced_then_other", sc_refused_replaced_then_other},
    {"bad_len", sc_bad_len},
    {"bad_family", sc_bad_family},
    {"unknown_family", sc_unknown_family},
    {"identity", sc_identity},
    {"async", sc_async},
    {"dup", sc_dup},
    {"fork", sc_fork},
    {"user_timeout_nonzero", sc_user_timeout_nonzero},
    {"user_timeout_zero", sc_user_timeout_zero},
    {"oobinline", sc_oobinline},
    {"fastopen", sc_fastopen},
    {"nonblock_connect", sc_nonblock_connect},
    {"options", sc_options},
    {"bind_port0", sc_bind_port0},
};
#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* ---- the echo server ---- */

static void echo(int c)
{
	char buf[8192];
	ssize_t r;
	while ((r = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(c, buf + off, (size_t)(r - off));
			if (w <= 0)
				_exit(0);
			off += w;
		}
	_exit(0);
}

static int serve(const char *spec, const char *ready)
{
	char ip[64];
	const char *colon = strrchr(spec, ':');
	if (!colon)
		return 2;
	snprintf(ip, sizeof(ip), "%.*s", (int)(colon - spec), spec);
	struct sockaddr_in a = addr4(ip, atoi(colon + 1));
	int one = 1, qlen = 16;
	int s = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 64) < 0) {
		perror("seq serve");
		return 1;
	}
	/* Fast Open without a cookie round trip, so sendto(MSG_FASTOPEN) is deterministic. */
	setsockopt(s, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen));
	signal(SIGCHLD, SIG_IGN);
	FILE *f = fopen(ready, "w");
	if (f)
		fclose(f);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			close(s);
			echo(c);
		}
		close(c);
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (size_t i = 0; i < N_SCENARIOS; i++)
			printf("%s\n", scenarios[i].name);
		return 0;
	}
	if (argc != 3)
		goto usage;
	if (strcmp(argv[1], "tcp") == 0)
		mode = M_TCP;
	else if (strcmp(argv[1], "lib") == 0)
		mode = M_LIB;
	else if (strcmp(argv[1], "mptcp") == 0)
		mode = M_MPTCP;
	else
		goto usage;
	char name[128];
	const char *dot = strrchr(argv[2], '.');
	if (!dot || (strcmp(dot, ".up") != 0 && strcmp(dot, ".down") != 0))
		goto usage;
	down = strcmp(dot, ".down") == 0;
	snprintf(name, sizeof(name), "%.*s", (int)(dot - argv[2]), argv[2]);
	for (size_t i = 0; i < N_SCENARIOS; i++)
		if (strcmp(scenarios[i].name, name) == 0) {
			signal(SIGPIPE, SIG_IGN);
			warm_up();
			scenarios[i].run();
			return 0;
		}
usage:
	fprintf(stderr, "usage: seq tcp|lib|mptcp SCENARIO.up|SCENARIO.down | serve ADDR:PORT "
	                "READY_FILE | list\n");
	return 2;
}
