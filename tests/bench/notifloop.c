/* SPDX-License-Identifier: MIT */
/*
 * notifloop: the floor of the supervisor's cost, the bare seccomp
 * user-notification round trip. A child runs N x (socket(AF_INET,
 * SOCK_STREAM, 0) + close()) under a filter that sends every socket() to
 * this process, which answers it with nothing done in between:
 *
 *   notifloop N MODE [sync 0|1] [wait recv|poll] [threads T]
 *     MODE plain     no filter at all (the reference)
 *          continue  SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel makes the TCP socket
 *          mptcp     socket(IPPROTO_MPTCP) here, installed with ADDFD|SEND (the
 *                    supervisor's socket() answer without its other work)
 *          tcp       the same with a TCP socket (ADDFD's own cost, without MPTCP's)
 *     sync  SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6+) on the listener (default 1)
 *     wait  recv: block in SECCOMP_IOCTL_NOTIF_RECV; poll: poll() first (default recv)
 *     threads  T answering threads, each one pinned to CPU i % nproc (default 1, unpinned):
 *              a listener thread per CPU
 *
 * Prints "wall_med=<ns per pair, median of 20 batches> wall_min=<best batch>
 * n=<N> proto=<SO_PROTOCOL> sync=<0|1|unsupported>". Wall time: the calling
 * thread sleeps during the round trip.
 *
 *   notifloop exec MODE COMMAND [ARG...]
 *     runs COMMAND under the same filter, answered the same way (MODE mptcp:
 *     every socket() gets an MPTCP socket when one can be made), with the
 *     synchronous wake-up: the floor of any supervisor for that command (the
 *     bench's connection rate). Exits as COMMAND did.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_time.h"
#include "kernel/uapi.h"

#if defined(__x86_64__)
#define NL_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NL_ARCH AUDIT_ARCH_AARCH64
#endif

#define BATCHES 20

/* socket() -> user notification, everything else allowed. */
static int install(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NL_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
	                    &prog);
}

static int loop(long n, int sock)
{
	double wall[BATCHES];
	long per = n / BATCHES;
	int proto = -1;
	socklen_t pl = sizeof(proto);

	for (int i = 0; i < 1000; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			fprintf(stderr, "notifloop: socket: %s\n", strerror(errno));
			return 1;
		}
		if (i == 0)
			getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl);
		close(fd);
	}
	for (int b = 0; b < BATCHES; b++) {
		double ws = bench_wall_ns();
		for (long i = 0; i < per; i++)
			close(socket(AF_INET, SOCK_STREAM, 0));
		wall[b] = (bench_wall_ns() - ws) / (double)per;
	}
	qsort(wall, BATCHES, sizeof(wall[0]), bench_cmp_double);
	dprintf(sock, "wall_med=%.1f wall_min=%.1f n=%ld proto=%d", wall[BATCHES / 2], wall[0],
	        per * BATCHES, proto);
	return 0;
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	char one = 1;
	struct iovec iov = {.iov_base = &one, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char one;
	struct iovec iov = {.iov_base = &one, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Answers until the child is gone (RECV fails once no process uses the filter). */
static void serve(int listener, int proto, int use_poll)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	for (;;) {
		if (use_poll) {
			struct pollfd pf = {.fd = listener, .events = POLLIN};

			if (poll(&pf, 1, -1) < 0 && errno != EINTR)
				return;
			if (pf.revents & (POLLHUP | POLLERR | POLLNVAL))
				return;
		}
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (proto >= 0) {
			int s = socket((int)req.data.args[0], (int)req.data.args[1], proto);
			struct seccomp_notif_addfd add = {
			    .id = req.id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (__u32)s};

			if (s >= 0) {
				int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

				close(s);
				if (r >= 0 || errno == ENOENT)
					continue;
			}
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

struct answerer {
	pthread_t th;
	int listener, proto, use_poll, cpu;
};

static void *answer_thread(void *arg)
{
	struct answerer *a = arg;

	if (a->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(a->cpu, &set);
		(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	serve(a->listener, a->proto, a->use_poll);
	return NULL;
}

static int exec_under(int argc, char **argv)
{
	const char *mode = argv[2];
	int sp[2], listener, status;
	pid_t child;

	if (argc < 4 || (strcmp(mode, "mptcp") && strcmp(mode, "continue"))) {
		fprintf(stderr, "usage: notifloop exec mptcp|continue COMMAND [ARG...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(sp[0]);
		listener = install();
		if (listener < 0 || send_fd(sp[1], listener) < 0)
			_exit(126);
		close(listener);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	close(sp[1]);
	listener = recv_fd(sp[0]);
	close(sp[0]);
	if (listener >= 0) {
		(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		            (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		serve(listener, strcmp(mode, "mptcp") == 0 ? IPPROTO_MPTCP : -1, 0);
		close(listener);
	}
	if (waitpid(child, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	const char *mode = argc > 2 ? argv[2] : "continue";
	int sync = argc > 3 ? atoi(argv[3]) : 1;
	int use_poll = argc > 4 && strcmp(argv[4], "poll") == 0;
	int threads = argc > 5 ? atoi(argv[5]) : 1;
	int sp[2], listener, status;
	char out[256];
	const char *sync_said = "0";
	ssize_t len;
	pid_t child;

	if (argc > 1 && strcmp(argv[1], "exec") == 0)
		return exec_under(argc, argv);
	if (n < BATCHES || threads < 1 || threads > 16 ||
	    (strcmp(mode, "plain") && strcmp(mode, "continue") && strcmp(mode, "mptcp") &&
	     strcmp(mode, "tcp"))) {
		fprintf(stderr, "usage: notifloop N plain|continue|mptcp|tcp [sync 0|1] "
		                "[recv|poll] [threads]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(sp[0]);
		if (strcmp(mode, "plain") != 0) {
			listener = install();
			if (listener < 0 || send_fd(sp[1], listener) < 0) {
				fprintf(stderr, "notifloop: filter: %s\n", strerror(errno));
				_exit(1);
			}
			close(listener);
		}
		_exit(loop(n, sp[1]));
	}
	close(sp[1]);
	if (strcmp(mode, "plain") != 0) {
		listener = recv_fd(sp[0]);
		if (listener < 0)
			return 1;
		if (sync) {
			sync_said = ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			                  (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0
			                ? "1"
			                : "unsupported";
		}
		int proto = strcmp(mode, "mptcp") == 0 ? IPPROTO_MPTCP
		            : strcmp(mode, "tcp") == 0 ? IPPROTO_TCP
		                                       : -1;
		if (threads == 1) {
			serve(listener, proto, use_poll);
		} else {
			struct answerer a[16];
			long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

			for (int i = 0; i < threads; i++) {
				a[i] = (struct answerer){.listener = listener,
				                         .proto = proto,
				                         .use_poll = use_poll,
				                         .cpu = (int)(i % (ncpu > 0 ? ncpu : 1))};
				pthread_create(&a[i].th, NULL, answer_thread, &a[i]);
			}
			for (int i = 0; i < threads; i++)
				pthread_join(a[i].th, NULL);
		}
		close(listener);
	}
	len = read(sp[0], out, sizeof(out) - 1);
	waitpid(child, &status, 0);
	if (len <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 1;
	out[len] = '\0';
	printf("%s mode=%s sync=%s wait=%s threads=%d\n", out, mode, sync_said,
	       use_poll ? "poll" : "recv", threads);
	return 0;
}
