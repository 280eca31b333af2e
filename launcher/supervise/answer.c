/* SPDX-License-Identifier: MIT */
/*
 * What every answer of the supervisor needs (supervise/answer.c): the policy
 * of the caller's program, the check that a notification is still pending,
 * and the swap of an MPTCP socket for a TCP one under the same descriptor
 * number (a TCP verdict at connect()/listen(), an option MPTCP refuses); and
 * the debug lines.
 */
#include "supervise/notify.h"

#include "kernel/integrity_file.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "os/proc_exe.h"
#include "supervise/child.h"

void lr_sv_debug(const struct lr_supervise *opt, const char *fmt, ...)
{
	va_list ap;

	if (!opt->debug)
		return;
	va_start(ap, fmt);
	fputs("mptcp-run: supervise: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool lr_sv_still_valid(const struct lr_sv *sv, __u64 id)
{
	return ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* The policy for the program that thread tid runs now. */
const struct mr_program *lr_sv_program_of(struct lr_sv *sv, pid_t tid)
{
	char exe[sizeof(sv->exe)];
	size_t n;

	/* Without program sections the name cannot matter: skip the /proc lookup. */
	if (sv->prog_ok && sv->opt->policy->n_sections == 0)
		return &sv->prog;
	n = lr_proc_exe(tid, exe, sizeof(exe)); /* 0: resolved by no name, the defaults */
	if (!sv->prog_ok || strcmp(exe, sv->exe) != 0) {
		memcpy(sv->exe, exe, n + 1);
		mr_resolve(sv->opt->policy, n ? exe : NULL, sv->opt->force, &sv->prog);
		sv->prog_ok = true;
	}
	return &sv->prog;
}

/* Options a program may have set before connect()/listen(), copied to the TCP socket. */
static const struct {
	int level, name;
} copied_opts[] = {
    {SOL_SOCKET, SO_REUSEADDR},  {SOL_SOCKET, SO_REUSEPORT},    {SOL_SOCKET, SO_KEEPALIVE},
    {SOL_SOCKET, SO_LINGER},     {SOL_SOCKET, SO_PRIORITY},     {SOL_SOCKET, SO_MARK},
    {SOL_SOCKET, SO_RCVTIMEO},   {SOL_SOCKET, SO_SNDTIMEO},     {SOL_SOCKET, SO_BINDTODEVICE},
    {IPPROTO_TCP, TCP_NODELAY},  {IPPROTO_TCP, TCP_KEEPIDLE},   {IPPROTO_TCP, TCP_KEEPINTVL},
    {IPPROTO_TCP, TCP_KEEPCNT},  {IPPROTO_TCP, TCP_CONGESTION}, {IPPROTO_IP, IP_TOS},
    {IPPROTO_IPV6, IPV6_V6ONLY},
};

static void copy_options(int from, int to, int domain)
{
	unsigned char a[64], b[64];
	socklen_t la, lb;
	size_t i;

	for (i = 0; i < sizeof(copied_opts) / sizeof(copied_opts[0]); i++) {
		if (copied_opts[i].level == IPPROTO_IPV6 && domain != AF_INET6)
			continue;
		la = lb = sizeof(a);
		if (getsockopt(from, copied_opts[i].level, copied_opts[i].name, a, &la) < 0 ||
		    getsockopt(to, copied_opts[i].level, copied_opts[i].name, b, &lb) < 0)
			continue;
		if (la == lb && memcmp(a, b, la) == 0)
			continue;
		/* Best effort: a value the TCP socket refuses is one the program did not need. */
		(void)setsockopt(to, copied_opts[i].level, copied_opts[i].name, a, la);
	}
	/* Buffer sizes read back doubled; set what the program asked for. */
	for (i = 0; i < 2; i++) {
		int name = i ? SO_RCVBUF : SO_SNDBUF, va = 0, vb = 0;

		la = lb = sizeof(int);
		if (getsockopt(from, SOL_SOCKET, name, &va, &la) == 0 &&
		    getsockopt(to, SOL_SOCKET, name, &vb, &lb) == 0 && va != vb)
			(void)setsockopt(to, SOL_SOCKET, name, &(int){va / 2}, sizeof(int));
	}
}

static bool bound(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port != 0 ||
		       ((const struct sockaddr_in *)ss)->sin_addr.s_addr != 0;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		return s6->sin6_port != 0 || !IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	}
	return false;
}

/*
 * Puts a TCP socket under the child's descriptor number fd in place of the
 * MPTCP socket dup (our copy, closed here). 0; -errno when the swap was made
 * but the local address could not be taken over (the child holds another
 * copy of the old socket); 1: nothing done, the call continues on the MPTCP
 * socket.
 */
int lr_sv_replace_with_tcp(struct lr_sv *sv, const struct seccomp_notif *req, int fd, int dup,
                           bool pinned)
{
	pid_t tid = (pid_t)req->pid;
	struct sockaddr_storage local = {0};
	socklen_t llen = sizeof(local);
	struct seccomp_notif_addfd add;
	int domain, tcp, fl, r, err;
	socklen_t dl = sizeof(domain);

	if (getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0)
		return 1;
	tcp = lr_sv_socket(&sv->socks, tid, domain, SOCK_STREAM, IPPROTO_TCP);
	if (tcp < 0)
		return 1;
	fl = fcntl(dup, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		(void)fcntl(tcp, F_SETFL, fcntl(tcp, F_GETFL) | O_NONBLOCK);
	copy_options(dup, tcp, domain);
	if (getsockname(dup, (struct sockaddr *)&local, &llen) < 0)
		llen = 0;
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SETFD;
	add.srcfd = (__u32)tcp;
	add.newfd = (__u32)fd;
	add.newfd_flags = lr_sv_child_cloexec(tid, fd) ? O_CLOEXEC : 0;
	/* Our copy must go first, or the old socket (and its port) outlives the swap. */
	close(dup);
	if (!lr_sv_still_valid(sv, req->id)) {
		close(tcp);
		return 1;
	}
	r = ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (r < 0) {
		close(tcp);
		return 1;
	}
	lr_sv_track_add(sv->track, tid, fd, tcp, sv->exe, pinned);
	err = 0;
	if (llen && bound(&local) && bind(tcp, (struct sockaddr *)&local, llen) < 0)
		err = -errno; /* e.g. the child holds another copy of the old socket */
	close(tcp);
	return err;
}

enum mr_kernel_integrity lr_sv_kernel_integrity(struct lr_sv *sv)
{
	struct mr_integrity_record rec;
	char why[200];
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
	/* As the library: a record written by `check` meanwhile is seen within 10 s. */
	if (now >= sv->kernel_expiry) {
		sv->kernel = mr_kernel_integrity_read(MR_INTEGRITY_FILE, &rec, why, sizeof(why));
		sv->kernel_expiry = now + 10000;
	}
	return sv->kernel;
}
