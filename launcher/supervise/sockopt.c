/* SPDX-License-Identifier: MIT */
/*
 * Options MPTCP refuses, under the supervisor (supervise/sockopt.c): the
 * filter sends only setsockopt() of those (level, name) pairs and
 * getsockopt(SOL_SOCKET, SO_OOBINLINE).
 */
#include "supervise/notify.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervise/child.h"

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
	int t = lr_sv_socket(&sv->socks, tid, domain, SOCK_STREAM, IPPROTO_TCP);
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
void lr_sv_on_setsockopt(struct lr_sv *sv, const struct seccomp_notif *req,
                         struct seccomp_notif_resp *resp)
{
	pid_t tid = (pid_t)req->pid;
	int fd = (int)req->data.args[0], level = (int)req->data.args[1];
	int name = (int)req->data.args[2], domain, r;
	socklen_t optlen = (socklen_t)req->data.args[4], dl = sizeof(domain);
	unsigned char val[64];
	const struct mr_program *p;
	int dup = lr_sv_child_fd(tid, fd);

	if (dup < 0)
		return;
	if (!lr_sv_is_mptcp(dup) || (int)optlen < 0 || optlen > sizeof(val) ||
	    !lr_sv_child_read(tid, req->data.args[3], val, optlen) ||
	    !lr_sv_still_valid(sv, req->id)) {
		close(dup);
		return;
	}
	if (level == SOL_SOCKET && name == SO_OOBINLINE) {
		int v, *slot;

		/* Shorter than an int: TCP says EINVAL, so MPTCP's error may stand. */
		if (optlen < sizeof(int) || !(slot = oob_slot(sv, lr_sv_inode_of(dup), true))) {
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
		lr_sv_debug(sv->opt, "pid %d: setsockopt(%d, SO_OOBINLINE, %d): emulated", (int)tid,
		            fd, v != 0);
		return;
	}
	p = lr_sv_program_of(sv, tid);
	if (!p->sockopt_fallback || !pending(dup) ||
	    getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 ||
	    !tcp_accepts(sv, tid, domain, level, name, val, optlen)) {
		lr_sv_debug(sv->opt,
		            "pid %d: setsockopt(%d, level %d, option %d): MPTCP refuses it, "
		            "the socket stays MPTCP",
		            (int)tid, fd, level, name);
		close(dup);
		return;
	}
	r = lr_sv_replace_with_tcp(sv, req, fd, dup, true);
	if (r > 0)
		return;
	sv->n_optfallback++;
	lr_sv_debug(sv->opt,
	            "pid %d: setsockopt(%d, level %d, option %d): MPTCP refuses it, socket is "
	            "now TCP (sockopt_fallback)%s",
	            (int)tid, fd, level, name, r < 0 ? "; its local address not taken over" : "");
}

/* getsockopt(SOL_SOCKET, SO_OOBINLINE) on an MPTCP socket whose value we emulate. */
void lr_sv_on_getsockopt(struct lr_sv *sv, const struct seccomp_notif *req,
                         struct seccomp_notif_resp *resp)
{
	pid_t tid = (pid_t)req->pid;
	int dup = lr_sv_child_fd(tid, (int)req->data.args[0]), v, *slot;
	socklen_t len;

	if (dup < 0)
		return;
	slot = lr_sv_is_mptcp(dup) ? oob_slot(sv, lr_sv_inode_of(dup), false) : NULL;
	close(dup);
	if (!slot || !req->data.args[3] || !req->data.args[4] ||
	    !lr_sv_child_read(tid, req->data.args[4], &len, sizeof(len)) || (int)len < 0)
		return;
	/* As the kernel does for int options: at most sizeof(int) bytes, the length written back.
	 */
	v = *slot;
	if (len > sizeof(v))
		len = sizeof(v);
	if (!lr_sv_still_valid(sv, req->id) ||
	    !lr_sv_child_write(tid, req->data.args[3], &v, len) ||
	    !lr_sv_child_write(tid, req->data.args[4], &len, sizeof(len)))
		return;
	resp->flags = 0;
	resp->error = 0;
	resp->val = 0;
}
