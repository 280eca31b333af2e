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
 * Where the socket is created: supervise/sockets.c (lr_sv_socket, the one
 * place), in the caller's network namespace.
 *
 * connect(): the supervisor reads the address (process_vm_readv) and asks
 * the policy. MPTCP (the common case) and no report: the call continues, two
 * system calls in all. Otherwise it takes a copy of the descriptor
 * (pidfd_getfd), lets the call through unless it is an MPTCP socket, checks
 * once that the notification is still pending (the memory and the descriptor
 * belonged to the right process), and when the policy says TCP puts a TCP
 * socket with the same status flags, options and local address under the
 * same descriptor number (ADDFD with SECCOMP_ADDFD_FLAG_SETFD); then the call
 * continues on it. listen(): the same, with the address from getsockname.
 * The address may change between the check and the use: that is the child's
 * own descriptor and its own choice, nobody else's. Without a report and with
 * a constant MPTCP policy the filter does not send connect()/listen() at all
 * (supervise/plan.c).
 *
 * setns(), unshare()/clone() with CLONE_NEWNET and clone3() come only with
 * the nswatch lever: the answer is always to continue; the supervisor only
 * notes that a thread may now be in another network namespace.
 */
#include "supervise/notify.h"

#include "kernel/integrity_file.h"
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

#include "kernel/uapi.h"
#include "os/msg.h"
#include "os/proc_exe.h"
#include "supervise/child.h"

static bool may_mptcp(const struct mr_effective *e)
{
	return !e->constant || e->constant_verdict == MR_MPTCP;
}

static void on_socket(struct lr_sv *sv, const struct seccomp_notif *req, bool *answered)
{
	int domain = (int)req->data.args[0], type = (int)req->data.args[1];
	const struct mr_program *p = lr_sv_program_of(sv, (pid_t)req->pid);
	struct seccomp_notif_addfd add;
	int fd, r;

	sv->n_socket++;
	if (!may_mptcp(&p->role[MR_ROLE_CONNECT]) && !may_mptcp(&p->role[MR_ROLE_LISTEN])) {
		lr_sv_debug(sv->opt, "pid %d: socket(): policy says TCP for %s", (int)req->pid,
		            sv->exe);
		sv->n_tcp_kept++;
		return;
	}
	fd = lr_sv_socket(&sv->socks, (pid_t)req->pid, domain, type, IPPROTO_MPTCP);
	if (fd < 0) {
		lr_sv_debug(sv->opt, "pid %d: socket(): MPTCP not available (%s): TCP",
		            (int)req->pid, strerror(-fd));
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
		lr_sv_debug(sv->opt, "pid %d: socket(): MPTCP, fd %d", (int)req->pid, r);
	} else if (errno == ENOENT) {
		*answered = true; /* the call was interrupted or the caller is gone */
	} else {
		/* EMFILE and the like: the unchanged call will say it in its own words. */
		lr_sv_debug(sv->opt, "pid %d: socket(): cannot install (%s)", (int)req->pid,
		            strerror(errno));
	}
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
	int dup = -1, r;
	socklen_t len = 0;
	char what[80];

	p = lr_sv_program_of(sv, tid);
	struct lr_sv_paths_env env = {sv->listener, sv->opt, sv->socks.own_dev, sv->socks.own_ino,
	                              !sv->socks.watch || sv->socks.moved};
	if (role == MR_ROLE_CONNECT) /* a program with paths: pinned, registered */
		lr_sv_paths_connect(&env, req, p);
	e = &p->role[role];
	/* A listener may have to stay TCP whatever the rules say (the integrity guard, as the
	 * library's: joins only to what the path daemon announces are protected). */
	enum mr_kernel_integrity k =
	    role == MR_ROLE_LISTEN ? lr_sv_kernel_integrity(sv) : MR_KI_INTACT;
	bool guarded = role == MR_ROLE_LISTEN &&
	               !mr_integrity_listener_may_be_mptcp(p->integrity, k, false) &&
	               !(mr_kernel_joins_announced_only() && lr_sv_paths_daemon_ready(&env));
	/* MPTCP or not, nothing to change; only the report wants the verdict in words. */
	if (e->constant && e->constant_verdict == MR_MPTCP && !sv->track && !guarded)
		return;
	memset(&ss, 0, sizeof(ss));
	if (role == MR_ROLE_CONNECT) {
		size_t n = req->data.args[2] < sizeof(ss) ? (size_t)req->data.args[2] : sizeof(ss);

		/*
		 * The address first: an MPTCP verdict without a report changes
		 * nothing, so it needs neither the descriptor nor the re-check (a
		 * thread gone meanwhile has nothing to continue).
		 */
		if (!lr_sv_child_read(tid, req->data.args[1], &ss, n) ||
		    !mr_endpoint_from_sockaddr((struct sockaddr *)&ss, (socklen_t)n, &ep))
			return; /* AF_UNSPEC (disconnect) and the like */
		mr_decide(e, &ep, &d);
		if (d.verdict == MR_MPTCP && !sv->track)
			return;
		dup = lr_sv_child_fd(tid, fd);
		/* One re-check for both: the memory and the descriptor were the caller's. */
		if (dup < 0 || !lr_sv_is_mptcp(dup) || !lr_sv_still_valid(sv, req->id)) {
			if (dup >= 0)
				close(dup);
			return;
		}
	} else {
		dup = lr_sv_child_fd(tid, fd);
		if (dup < 0 || !lr_sv_is_mptcp(dup)) {
			if (dup >= 0)
				close(dup);
			return;
		}
		len = sizeof(ss);
		if (getsockname(dup, (struct sockaddr *)&ss, &len) < 0 ||
		    !mr_endpoint_from_sockaddr((struct sockaddr *)&ss, len, &ep)) {
			close(dup);
			return;
		}
		mr_decide(e, &ep, &d);
		if (guarded && d.verdict == MR_MPTCP) {
			/* As the library does (shim/core/integrity_guard.h). */
			lr_sv_debug(
			    sv->opt,
			    "pid %d: listen(%d): kept TCP: the kernel is not known to deliver "
			    "data on joined subflows intact (integrity = \"protect\")",
			    (int)tid, fd);
			d.verdict = MR_TCP;
		}
	}
	lr_sv_track_judged(sv->track, tid, fd, role, p, &d, role == MR_ROLE_CONNECT ? &ss : NULL);
	if (sv->opt->debug) {
		mr_format_endpoint(&ep, what, sizeof(what));
		lr_sv_debug(sv->opt, "pid %d: %s(%d, %s): %s", (int)tid, mr_role_name(role), fd,
		            what, mr_verdict_name(d.verdict));
	}
	if (d.verdict == MR_MPTCP) {
		close(dup);
		return;
	}
	r = lr_sv_replace_with_tcp(sv, req, fd, dup, false);
	if (r <= 0)
		sv->n_replaced++;
	if (r < 0 && role == MR_ROLE_LISTEN) {
		/* A listener on another port than asked would be worse than an error. */
		resp->flags = 0;
		resp->error = r;
	} else if (r < 0) {
		/* connect() still works from an ephemeral port. */
		lr_sv_debug(sv->opt, "pid %d: connect(%d): local address not taken over (%s)",
		            (int)tid, fd, strerror(-r));
	}
}

/*
 * setns(), unshare()/clone() with CLONE_NEWNET, clone3() (nswatch): a thread
 * may be about to change network namespace; from now on each socket() looks
 * the caller's namespace up. clone3's flags are in its memory: a clone3
 * without CLONE_NEWNET changes nothing (a child that rewrites them between
 * this read and the kernel's makes its own sockets' namespace wrong, its own
 * doing).
 */
static void on_nswatch(struct lr_sv *sv, const struct seccomp_notif *req)
{
	__u64 flags = 0;

	if (sv->socks.moved)
		return;
	if (req->data.nr == __NR_clone3 &&
	    (req->data.args[1] < sizeof(flags) ||
	     (lr_sv_child_read((pid_t)req->pid, req->data.args[0], &flags, sizeof(flags)) &&
	      !(flags & CLONE_NEWNET))))
		return;
	sv->socks.moved = true;
	sv->n_nswatch++;
	lr_sv_debug(sv->opt,
	            "pid %d: may change network namespace (syscall %d): each socket() now "
	            "looks it up",
	            (int)req->pid, (int)req->data.nr);
}

void lr_sv_handle(struct lr_sv *sv, const struct seccomp_notif *req,
                  struct seccomp_notif_resp *resp)
{
	bool answered = false;

	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	switch (req->data.nr) {
	case __NR_socket:
		on_socket(sv, req, &answered);
		break;
	case __NR_connect:
	case __NR_listen:
		on_endpoint(sv, req, resp);
		break;
	case __NR_setsockopt:
		lr_sv_on_setsockopt(sv, req, resp);
		break;
	case __NR_getsockopt:
		lr_sv_on_getsockopt(sv, req, resp);
		break;
	case __NR_setns:
	case __NR_unshare:
	case __NR_clone:
	case __NR_clone3:
		on_nswatch(sv, req);
		break;
	default:
		break;
	}
	if (!answered) {
		if (resp->flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE)
			sv->n_continue++;
		/* ENOENT: the caller was interrupted by a signal or died; nothing to answer. */
		(void)ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	/* The caller runs again: the sockets made ahead are made now (pool lever). */
	lr_sv_sockets_refill(&sv->socks);
}
