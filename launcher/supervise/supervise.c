/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's process side: fork; the child installs the filter, hands
 * the listener to us over a socketpair (SCM_RIGHTS), closes its own copy and
 * execs. We answer notifications until the child exits, forwarding the
 * signals sent to us, then exit as it did (same status, same signal).
 *
 * If processes the command started outlive it (daemons, background jobs),
 * they keep the filter: a copy of the supervisor stays behind in the
 * background and serves them until the last one is gone (the listener then
 * reports POLLHUP), so their socket() calls keep working. That copy is not
 * their ancestor: under Yama ptrace_scope >= 1 it may not read their memory
 * or descriptors, and their connect()/listen() then continue unjudged.
 *
 * If the supervisor is killed (SIGKILL), the kernel fails every pending and
 * later filtered call of the supervised processes with ENOSYS: their TCP
 * socket(), connect() and listen() stop working. Nothing can catch SIGKILL;
 * everything else is forwarded to the child.
 */
#include "supervise/filter.h"
#include "supervise/notify.h"
#include "supervise/supervise.h"

#include "kernel/uapi.h"
#include "os/child_relay.h"
#include "os/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the child tells us before exec. */
struct hello {
	int err; /* 0, or -errno from installing the filter */
	int nnp; /* no_new_privs had to be set */
};

static void child_side(int sock, char **argv, const sigset_t *old, const struct lr_sv_plan *plan)
{
	struct hello h = {0};
	bool nnp = false;
	int listener, err;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &h, .iov_len = sizeof(h)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	sigprocmask(SIG_SETMASK, old, NULL);
	listener = lr_sv_install_filter(plan, &nnp);
	h.nnp = nnp;
	if (listener < 0) {
		h.err = listener;
	} else {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &listener, sizeof(int));
	}
	if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		_exit(126);
	/* The program must not hold the listener: its death would not reach us. */
	if (listener >= 0)
		close(listener);
	/* Without a filter the command still runs, with TCP (the parent says so). */
	execvp(argv[0], argv);
	err = errno;
	(void)!write(sock, &err, sizeof(err));
	_exit(err == ENOENT ? 127 : 126);
}

static int recv_hello(int sock, struct hello *h, int *listener)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = h, .iov_len = sizeof(*h)};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	*listener = -1;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*h))
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(listener, CMSG_DATA(c), sizeof(int));
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Answers notifications. With sfd (the launcher): until the child has exited,
 * forwarding signals. Without (the background copy): until no process uses
 * the filter any more (POLLHUP).
 */
static void serve(struct lr_sv *sv, int sfd, pid_t child, int *status)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	long long last_sweep = now_ms();

	/*
	 * The caller and the supervisor switch on one CPU instead of waking each
	 * other on two (the answer's wake-up too). Older kernels refuse it
	 * (EINVAL): only slower.
	 */
	if (sv->listener >= 0 && sv->opt->levers.sync &&
	    ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	          (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0)
		lr_sv_debug(sv->opt, "no synchronous wake-up for notifications (%s): Linux 6.6+",
		            strerror(errno));
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		sz.seccomp_notif = sizeof(*req);
		sz.seccomp_notif_resp = sizeof(*resp);
	}
	if (sz.seccomp_notif < sizeof(*req))
		sz.seccomp_notif = sizeof(*req);
	if (sz.seccomp_notif_resp < sizeof(*resp))
		sz.seccomp_notif_resp = sizeof(*resp);
	req = calloc(1, sz.seccomp_notif);
	resp = calloc(1, sz.seccomp_notif_resp);
	if (!req || !resp) {
		lr_err("supervisor: out of memory");
		abort();
	}
	for (;;) {
		struct pollfd pf[2] = {{.fd = sv->listener, .events = POLLIN},
		                       {.fd = sfd, .events = POLLIN}};
		int n;

		if (sv->listener < 0 && sfd < 0)
			break;
		n = poll(pf, 2, sv->track ? LR_SV_SAMPLE_MS : -1);
		if (sv->track && now_ms() - last_sweep >= LR_SV_SAMPLE_MS) {
			lr_sv_track_sweep(sv->track, false);
			last_sweep = now_ms();
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			memset(req, 0, sz.seccomp_notif);
			if (ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_RECV, req) == 0)
				lr_sv_handle(sv, req, resp);
		} else if (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* No process uses the filter any more. */
			close(sv->listener);
			sv->listener = -1;
		}
		if ((pf[1].revents & POLLIN) && lr_relay_read(sfd, child, status))
			break;
	}
	free(req);
	free(resp);
}

/*
 * Processes the command started may outlive it and still use the filter:
 * a background copy of the supervisor serves them until the last is gone.
 * It holds none of the launcher's standard streams, so pipes still close.
 */
static bool stay_for_leftovers(struct lr_sv *sv, const sigset_t *old)
{
	struct pollfd pf = {.fd = sv->listener, .events = POLLIN};
	int null, fd;
	pid_t pid;

	if (sv->listener < 0 || poll(&pf, 1, 0) < 0 || (pf.revents & (POLLHUP | POLLERR)))
		return false;
	lr_sv_debug(sv->opt, "processes started by the command still run: serving them in the "
	                     "background");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		lr_warn("cannot stay for the processes the command left running (%s): their "
		        "TCP socket calls will fail with ENOSYS",
		        strerror(errno));
	if (pid != 0)
		return pid > 0; /* the copy writes the lines of the sockets still open */
	setsid();
	sigprocmask(SIG_SETMASK, old, NULL);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	serve(sv, -1, -1, NULL);
	lr_sv_track_sweep(sv->track, true);
	_exit(0);
}

int lr_supervise_run(const struct lr_supervise *opt, char **argv)
{
	struct lr_sv sv = {.listener = -1, .opt = opt};
	struct mr_program defaults;
	sigset_t old;
	struct hello h = {0};
	int sp[2], sfd, status = 0, exec_err = 0;
	pid_t child;
	ssize_t n;

	sv.track = lr_sv_track_open(opt->report);
	mr_resolve(opt->policy, NULL, opt->force, &defaults);
	lr_sv_plan_make(&defaults, opt->policy->n_sections, sv.track != NULL,
	                lr_sv_kernel_integrity(&sv), &opt->levers, &sv.plan);
	lr_sv_sockets_init(&sv.socks, sv.plan.nswatch, opt->levers.pool);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1000 - errno;
	sfd = lr_relay_open(&old);
	if (sfd < 0) {
		close(sp[0]);
		close(sp[1]);
		return -1000 + sfd;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		int e = errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1000 - e;
	}
	if (child == 0) {
		close(sp[0]);
		close(sfd);
		child_side(sp[1], argv, &old, &sv.plan);
	}
	close(sp[1]);
	/* A log line to a closed stderr must fail with EPIPE, not kill the launcher. */
	signal(SIGPIPE, SIG_IGN);
	if (recv_hello(sp[0], &h, &sv.listener) < 0)
		h.err = -EPROTO;
	if (h.err)
		lr_warn("%s: cannot install the supervisor's filter (%s): sockets will stay TCP",
		        argv[0], strerror(-h.err));
	else if (h.nnp && opt->warn_setid)
		lr_warn("%s: set-ID program under the supervisor: no_new_privs is set (no "
		        "CAP_SYS_ADMIN), so it runs without its extra privileges",
		        argv[0]);
	/* EOF: exec succeeded (the socket is close-on-exec); an int: exec's errno. */
	do
		n = read(sp[0], &exec_err, sizeof(exec_err));
	while (n < 0 && errno == EINTR);
	close(sp[0]);
	if (n == (ssize_t)sizeof(exec_err)) {
		if (sv.listener >= 0)
			close(sv.listener);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -exec_err;
	}
	serve(&sv, sfd, child, &status);
	close(sfd);
	lr_sv_debug(sv.opt,
	            "%lu socket() calls: %lu MPTCP, %lu left TCP; %lu replaced by TCP at "
	            "connect/listen",
	            sv.n_socket, sv.n_mptcp, sv.n_tcp_kept, sv.n_replaced);
	/* The command's sockets are gone with it; those of processes left running stay tracked. */
	lr_sv_track_sweep(sv.track, false);
	if (!stay_for_leftovers(&sv, &old))
		lr_sv_track_sweep(sv.track, true);
	lr_sv_track_close(sv.track);
	lr_sv_sockets_close(&sv.socks);
	return lr_relay_exit_status(status, &old);
}
