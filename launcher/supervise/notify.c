/* SPDX-License-Identifier: MIT */
/*
 * One notification: socket(), connect() or listen() of a supervised process.
 *
 * socket(): when the program's policy can give MPTCP for some endpoint, the
 * supervisor creates socket(domain, type, IPPROTO_MPTCP) and installs it as
 * the call's result (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND).
 * When MPTCP cannot be created (net.mptcp.enabled=0, no MPTCP in the kernel)
 * the call continues unchanged and the kernel makes the TCP socket itself.
 *
 * Where the socket is created: a socket belongs to the network namespace of
 * the task that creates it, and carries its credentials and cgroup. The
 * supervisor is the child's parent and runs as the same user with the same
 * cgroup, so it creates the socket itself when the calling thread is in the
 * supervisor's network namespace (compared by /proc/TID/ns/net), and
 * otherwise setns()es into the caller's namespace for that one socket() and
 * back. When setns is refused (no CAP_SYS_ADMIN over that namespace) the
 * call continues: the socket stays TCP.
 *
 * connect()/listen(): the supervisor takes a copy of the descriptor
 * (pidfd_getfd), lets the call through unless it is an MPTCP socket, reads
 * the address (process_vm_readv for connect, getsockname for listen), checks
 * that the notification is still pending (the memory belonged to the right
 * process), asks the policy, and when it says TCP puts a TCP socket with the
 * same status flags, options and local address under the same descriptor
 * number (ADDFD with SECCOMP_ADDFD_FLAG_SETFD); then the call continues on
 * it. The address may change between the check and the use: that is the
 * child's own descriptor and its own choice, nobody else's.
 */
#include "supervise/notify.h"
#include "supervise/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "os/msg.h"
#include "os/proc_exe.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

void lr_sv_debug(const struct lr_sv *sv, const char *fmt, ...)
{
	va_list ap;

	if (!sv->opt->debug)
		return;
	va_start(ap, fmt);
	fputs("mptcp-run: supervise: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static bool still_valid(const struct lr_sv *sv, __u64 id)
{
	return ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* The policy for the program that thread tid runs now. */
static const struct mr_program *program_of(struct lr_sv *sv, pid_t tid)
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

static bool may_mptcp(const struct mr_effective *e)
{
	return !e->constant || e->constant_verdict == MR_MPTCP;
}

/* socket() in the caller's network namespace; -errno when it cannot be made. */
static int socket_for(struct lr_sv *sv, pid_t tid, int domain, int type, int protocol)
{
	char path[64];
	struct stat st;
	int fd, ns, err;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)tid);
	if (stat(path, &st) < 0)
		return -errno;
	if (st.st_dev == sv->own_net_dev && st.st_ino == sv->own_net_ino) {
		fd = socket(domain, type, protocol);
		return fd < 0 ? -errno : fd;
	}
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -errno;
	if (setns(ns, CLONE_NEWNET) < 0) {
		err = errno;
		close(ns);
		if (!sv->warned_netns)
			lr_warn("pid %d runs in another network namespace that the supervisor "
			        "cannot enter (%s): its sockets stay TCP",
			        (int)tid, strerror(err));
		sv->warned_netns = true;
		return -err;
	}
	close(ns);
	fd = socket(domain, type, protocol);
	err = errno;
	if (setns(sv->own_net_fd, CLONE_NEWNET) < 0)
		lr_sv_debug(sv, "cannot return to our network namespace: %s", strerror(errno));
	return fd < 0 ? -err : fd;
}

static void on_socket(struct lr_sv *sv, const struct seccomp_notif *req, bool *answered)
{
	int domain = (int)req->data.args[0], type = (int)req->data.args[1];
	const struct mr_program *p = program_of(sv, (pid_t)req->pid);
	struct seccomp_notif_addfd add;
	int fd, r;

	sv->n_socket++;
	if (!may_mptcp(&p->role[MR_ROLE_CONNECT]) && !may_mptcp(&p->role[MR_ROLE_LISTEN])) {
		lr_sv_debug(sv, "pid %d: socket(): policy says TCP for %s", (int)req->pid, sv->exe);
		sv->n_tcp_kept++;
		return;
	}
	fd = socket_for(sv, (pid_t)req->pid, domain, type, IPPROTO_MPTCP);
	if (fd < 0) {
		lr_sv_debug(sv, "pid %d: socket(): MPTCP not available (%s): TCP", (int)req->pid,
		            strerror(-fd));
		sv->n_tcp_kept++;
		return;
	}
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = (__u32)fd;
	add.newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	r = ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (r >= 0)
		lr_sv_track_add(sv->track, (pid_t)req->pid, r, fd, sv->exe, false);
	close(fd);
	if (r >= 0) {
		*answered = true;
		sv->n_mptcp++;
		lr_sv_debug(sv, "pid %d: socket(): MPTCP, fd %d", (int)req->pid, r);
	} else if (errno == ENOENT) {
		*answered = true; /* the call was interrupted or the caller is gone */
	} else {
		/* EMFILE and the like: the unchanged call will say it in its own words. */
		lr_sv_debug(sv, "pid %d: socket(): cannot install (%s)", (int)req->pid,
		            strerror(errno));
	}
}

static int pidfd_of(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_pidfd_open, tid, 0);
	return fd;
}

/* Is descriptor fd of the child close-on-exec? From /proc/TID/fdinfo/FD "flags:". */
static bool child_cloexec(pid_t tid, int fd)
{
	char path[80], buf[256], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "flags:");
	return p && (strtoul(p + 6, NULL, 8) & O_CLOEXEC);
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
static int replace_with_tcp(struct lr_sv *sv, const struct seccomp_notif *req, int fd, int dup,
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
	tcp = socket_for(sv, tid, domain, SOCK_STREAM, IPPROTO_TCP);
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
	add.newfd_flags = child_cloexec(tid, fd) ? O_CLOEXEC : 0;
	/* Our copy must go first, or the old socket (and its port) outlives the swap. */
	close(dup);
	if (!still_valid(sv, req->id)) {
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

static void on_endpoint(struct lr_sv *sv, const struct seccomp_notif *req,
                        struct seccomp_notif_resp *resp)
{
	enum mr_role role = req->data.nr == __NR_connect ? MR_ROLE_CONNECT : MR_ROLE_LISTEN;
	pid_t tid = (pid_t)req->pid;
	int fd = (int)req->data.args[0];
	const struct mr_program *p;
	const struct mr_effective *e;
	struct sockaddr_storage ss;
	struct mr_endpoint ep;
	struct mr_decision d;
	int pidfd, dup, proto, r;
	socklen_t len = sizeof(proto);
	char what[80];

	p = program_of(sv, tid);
	if (role == MR_ROLE_CONNECT) /* a program with paths: pinned, registered */
		lr_sv_paths_connect(&(struct lr_sv_paths_env){sv->listener, sv->opt,
		                                              sv->own_net_dev, sv->own_net_ino},
		                    req, p);
	e = &p->role[role];
	/* MPTCP or not, nothing to change; only the report wants the verdict in words. */
	if (e->constant && e->constant_verdict == MR_MPTCP && !sv->track)
		return;
	pidfd = pidfd_of(tid);
	if (pidfd < 0)
		return;
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (dup < 0)
		return;
	if (getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0 || proto != IPPROTO_MPTCP) {
		close(dup);
		return;
	}
	memset(&ss, 0, sizeof(ss));
	if (role == MR_ROLE_CONNECT) {
		size_t n = req->data.args[2] < sizeof(ss) ? (size_t)req->data.args[2] : sizeof(ss);
		struct iovec local = {.iov_base = &ss, .iov_len = n};
		struct iovec remote = {.iov_base = (void *)(uintptr_t)req->data.args[1],
		                       .iov_len = n};

		if (process_vm_readv(tid, &local, 1, &remote, 1, 0) != (ssize_t)n ||
		    !still_valid(sv, req->id)) {
			close(dup);
			return;
		}
		len = (socklen_t)n;
	} else {
		len = sizeof(ss);
		if (getsockname(dup, (struct sockaddr *)&ss, &len) < 0)
			len = 0;
	}
	if (!mr_endpoint_from_sockaddr((struct sockaddr *)&ss, len, &ep)) {
		close(dup); /* AF_UNSPEC (disconnect) and the like */
		return;
	}
	mr_decide(e, &ep, &d);
	lr_sv_track_judged(sv->track, tid, fd, role, p, &d, role == MR_ROLE_CONNECT ? &ss : NULL);
	if (sv->opt->debug) {
		mr_format_endpoint(&ep, what, sizeof(what));
		lr_sv_debug(sv, "pid %d: %s(%d, %s): %s", (int)tid, mr_role_name(role), fd, what,
		            mr_verdict_name(d.verdict));
	}
	if (d.verdict == MR_MPTCP) {
		close(dup);
		return;
	}
	r = replace_with_tcp(sv, req, fd, dup, false);
	if (r <= 0)
		sv->n_replaced++;
	if (r < 0 && role == MR_ROLE_LISTEN) {
		/* A listener on another port than asked would be worse than an error. */
		resp->flags = 0;
		resp->error = r;
	} else if (r < 0) {
		/* connect() still works from an ephemeral port. */
		lr_sv_debug(sv, "pid %d: connect(%d): local address not taken over (%s)", (int)tid,
		            fd, strerror(-r));
	}
}

/* Our copy of the child's descriptor fd (pidfd_getfd), or -1. */
static int child_fd(pid_t tid, int fd)
{
	int pidfd = pidfd_of(tid), dup;

	if (pidfd < 0)
		return -1;
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return dup;
}

static bool is_mptcp(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);

	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_MPTCP;
}

static ino_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* Copies n bytes at the child's address addr; false when it cannot. */
static bool child_read(pid_t tid, __u64 addr, void *buf, size_t n)
{
	struct iovec local = {.iov_base = buf, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = n};

	return n == 0 || process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)n;
}

static bool child_write(pid_t tid, __u64 addr, const void *buf, size_t n)
{
	struct iovec local = {.iov_base = (void *)buf, .iov_len = n};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = n};

	return n == 0 || process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)n;
}

/*
 * Neither connected, connecting nor listening: the first subflow is still
 * closed (TCP_INFO on an MPTCP socket answers for it) and SO_ACCEPTCONN is 0.
 * A socket that is only bound is pending too: its address is taken over.
 */
static bool pending(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int acc = 0;
	socklen_t alen = sizeof(acc);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &alen) < 0 || acc)
		return false;
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 || len < 1)
		return false;
	return ti.tcpi_state == 7 /* TCP_CLOSE */;
}

/* Would a plain TCP socket of that family accept the option? Asked of a scratch socket. */
static bool tcp_accepts(struct lr_sv *sv, pid_t tid, int domain, int level, int name,
                        const void *val, socklen_t len)
{
	int t = socket_for(sv, tid, domain, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	bool ok;

	if (t < 0)
		return false;
	ok = setsockopt(t, level, name, val, len) == 0;
	close(t);
	return ok;
}

/* The emulated SO_OOBINLINE values, by socket inode (MPTCP has no urgent data). */
static int *oob_slot(struct lr_sv *sv, ino_t ino, bool create)
{
	size_t i, free_at = LR_SV_OOB_SLOTS;

	for (i = 0; i < LR_SV_OOB_SLOTS; i++) {
		if (sv->oob[i].ino == ino)
			return &sv->oob[i].value;
		if (!sv->oob[i].ino && free_at == LR_SV_OOB_SLOTS)
			free_at = i;
	}
	if (!create)
		return NULL;
	/* Full: the oldest entry goes (its socket has most likely been closed). */
	if (free_at == LR_SV_OOB_SLOTS) {
		free_at = sv->oob_next;
		sv->oob_next = (sv->oob_next + 1) % LR_SV_OOB_SLOTS;
	}
	sv->oob[free_at].ino = ino;
	sv->oob[free_at].value = 0;
	return &sv->oob[free_at].value;
}

/*
 * setsockopt() of an option MPTCP refuses, on an MPTCP socket:
 *   SO_OOBINLINE: answered with success without running it, the value kept
 *     for getsockopt() (as the library does: inline or not is the same on a
 *     connection without urgent data);
 *   the others, while the socket is pending and sockopt_fallback allows it,
 *     and when a TCP socket accepts the value: the socket becomes TCP under
 *     the same number and the call runs on it;
 *   otherwise the call runs unchanged and the kernel's error stands.
 */
static void on_setsockopt(struct lr_sv *sv, const struct seccomp_notif *req,
                          struct seccomp_notif_resp *resp)
{
	pid_t tid = (pid_t)req->pid;
	int fd = (int)req->data.args[0], level = (int)req->data.args[1];
	int name = (int)req->data.args[2], domain, r;
	socklen_t optlen = (socklen_t)req->data.args[4], dl = sizeof(domain);
	unsigned char val[64];
	const struct mr_program *p;
	int dup = child_fd(tid, fd);

	if (dup < 0)
		return;
	if (!is_mptcp(dup) || (int)optlen < 0 || optlen > sizeof(val) ||
	    !child_read(tid, req->data.args[3], val, optlen) || !still_valid(sv, req->id)) {
		close(dup);
		return;
	}
	if (level == SOL_SOCKET && name == SO_OOBINLINE) {
		int v, *slot;

		/* Shorter than an int: TCP says EINVAL, so MPTCP's error may stand. */
		if (optlen < sizeof(int) || !(slot = oob_slot(sv, inode_of(dup), true))) {
			close(dup);
			return;
		}
		memcpy(&v, val, sizeof(v));
		*slot = v != 0;
		close(dup);
		resp->flags = 0;
		resp->error = 0;
		resp->val = 0;
		sv->n_oob++;
		lr_sv_debug(sv, "pid %d: setsockopt(%d, SO_OOBINLINE, %d): emulated", (int)tid, fd,
		            v != 0);
		return;
	}
	p = program_of(sv, tid);
	if (!p->sockopt_fallback || !pending(dup) ||
	    getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 ||
	    !tcp_accepts(sv, tid, domain, level, name, val, optlen)) {
		lr_sv_debug(sv,
		            "pid %d: setsockopt(%d, level %d, option %d): MPTCP refuses it, "
		            "the socket stays MPTCP",
		            (int)tid, fd, level, name);
		close(dup);
		return;
	}
	r = replace_with_tcp(sv, req, fd, dup, true);
	if (r > 0)
		return;
	sv->n_optfallback++;
	lr_sv_debug(sv,
	            "pid %d: setsockopt(%d, level %d, option %d): MPTCP refuses it, socket is "
	            "now TCP (sockopt_fallback)%s",
	            (int)tid, fd, level, name, r < 0 ? "; its local address not taken over" : "");
}

/* getsockopt(SOL_SOCKET, SO_OOBINLINE) on an MPTCP socket whose value we emulate. */
static void on_getsockopt(struct lr_sv *sv, const struct seccomp_notif *req,
                          struct seccomp_notif_resp *resp)
{
	pid_t tid = (pid_t)req->pid;
	int dup = child_fd(tid, (int)req->data.args[0]), v, *slot;
	socklen_t len;

	if (dup < 0)
		return;
	slot = is_mptcp(dup) ? oob_slot(sv, inode_of(dup), false) : NULL;
	close(dup);
	if (!slot || !req->data.args[3] || !req->data.args[4] ||
	    !child_read(tid, req->data.args[4], &len, sizeof(len)) || (int)len < 0)
		return;
	/* As the kernel does for int options: at most sizeof(int) bytes, the length written back.
	 */
	v = *slot;
	if (len > sizeof(v))
		len = sizeof(v);
	if (!still_valid(sv, req->id) || !child_write(tid, req->data.args[3], &v, len) ||
	    !child_write(tid, req->data.args[4], &len, sizeof(len)))
		return;
	resp->flags = 0;
	resp->error = 0;
	resp->val = 0;
}

void lr_sv_handle(struct lr_sv *sv, const struct seccomp_notif *req,
                  struct seccomp_notif_resp *resp)
{
	bool answered = false;

	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (req->data.nr == __NR_socket)
		on_socket(sv, req, &answered);
	else if (req->data.nr == __NR_connect || req->data.nr == __NR_listen)
		on_endpoint(sv, req, resp);
	else if (req->data.nr == __NR_setsockopt)
		on_setsockopt(sv, req, resp);
	else if (req->data.nr == __NR_getsockopt)
		on_getsockopt(sv, req, resp);
	if (answered)
		return;
	if (resp->flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE)
		sv->n_continue++;
	/* ENOENT: the caller was interrupted by a signal or died; nothing to answer. */
	(void)ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
}
