/* SPDX-License-Identifier: MIT */
/*
 * Connection report: one JSON object per line for every socket the library
 * handled, appended when the program closes it (or at exit).
 *
 * close() may run in a signal handler and in any thread, so the work here is
 * bounded and uses only system calls and formatting that does not allocate: no
 * stdio, no malloc, no locks. Everything lives on the stack (about 10 KiB at
 * most, see MR_MAX_SUBFLOWS). A line is written with a single write() to an
 * O_APPEND descriptor, so lines of several processes never interleave on a
 * local file system. Any failure drops the line, never the program's call.
 *
 * The steps, one function each: what the socket is (classify), what the
 * kernel counted (collect), what the policy says about it (judge), the line
 * (compose), and the write (emit).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/pathsnap.h"
#include "core/peercache.h"
#include "core/process.h"
#include "core/report.h"
#include "format/report_line.h"
#include "kernel/ifname.h"
#include "kernel/log.h"
#include "kernel/real.h"
#include "kernel/sockinfo.h"
#include "kernel/uapi.h"

#define REPORT_LINE_MAX 4096

bool mr_report_enabled;
static _Atomic int report_fd = -1;
static dev_t report_dev;
static ino_t report_ino;

int mr_report_fd(void)
{
	return atomic_load_explicit(&report_fd, memory_order_relaxed);
}

unsigned mr_report_sample = 1;

void mr_report_open(const char *path, unsigned sample)
{
	mr_report_sample = sample >= 1 && sample <= 1000000 ? sample : 1;
	struct stat st;
	/* O_NONBLOCK: a FIFO nobody reads must not stall the program at close(). */
	int fd =
	    open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0) {
		mr_log(MR_LOG_WARN, "MPTCP_RUN_REPORT=%s: %s; no report is written", path,
		       strerror(errno));
		return;
	}
	/* Out of the way of programs that dup2() onto small numbers they think are free. */
	int high = real_fcntl(fd, F_DUPFD_CLOEXEC, (void *)512L);
	if (high >= 0) {
		real_close(fd);
		fd = high;
	}
	if (fstat(fd, &st) < 0) {
		real_close(fd);
		return;
	}
	report_dev = st.st_dev;
	report_ino = st.st_ino;
	atomic_store(&report_fd, fd);
	mr_report_enabled = true;
}

/* The program closed our descriptor (closefrom, a close loop, dup2 over it): stop for good. */
static void report_lost(int fd)
{
	int expected = fd;
	if (atomic_compare_exchange_strong(&report_fd, &expected, -1))
		mr_report_enabled = false;
}

static bool report_fd_is_ours(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_dev != report_dev || st.st_ino != report_ino) {
		report_lost(fd);
		return false;
	}
	return true;
}

/* ---- what the socket is ---- */

struct sock_view {
	uint32_t st;
	bool socket_mptcp, listening, have_local, have_remote, established;
	const char *role; /* "listen", "connect", "accepted", "unused" */
	bool connection;  /* connect or accepted: a remote end to name and judge */
	struct sockaddr_storage local, remote;
};

/*
 * After both ends closed, getpeername() says ENOTCONN but the kernel still
 * has evidence that a connection existed.
 */
static bool was_established(int fd, const struct sock_view *v)
{
	struct tcp_info ti;
	/* bytes_acked counts the SYN: non-zero once the handshake completed. */
	if (mr_sock_tcp_info(fd, &ti) && ti.tcpi_bytes_acked > 0)
		return true;
	if (!v->socket_mptcp)
		return false;
	/* A closed fallback keeps no counters, but TCP_IS_MPTCP still says 0 (a refused or
	 * pending MPTCP connect says 1). */
	int v_opt = -1;
	socklen_t len = sizeof(v_opt);
	if (real_getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &v_opt, &len) == 0 && v_opt == 0)
		return true;
	/* An MPTCP connection both ends closed has disposed of its subflows, but the
	 * connection still knows it received the peer's key. */
	return mr_sock_remote_key_received(fd);
}

static bool classify(int fd, const struct mr_fd *e, struct sock_view *v)
{
	int proto = -1, acceptconn = 0;
	socklen_t len = sizeof(proto);
	if (real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
		return false; /* not a socket (any more): nothing to say */
	v->st = mr_fd_state(e);
	/* An accepted socket never listens: one system call less per line on a busy server. */
	len = sizeof(acceptconn);
	if (!(v->st & MR_ST_ACCEPTED))
		real_getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acceptconn, &len);

	v->socket_mptcp = proto == IPPROTO_MPTCP;
	v->listening = acceptconn;
	v->have_local = mr_sock_name(fd, false, &v->local);
	v->have_remote = !acceptconn && mr_sock_name(fd, true, &v->remote);
	if (acceptconn)
		v->role = "listen";
	else if (v->st & MR_ST_ACCEPTED)
		v->role = "accepted";
	else if (v->have_remote || (v->st & MR_ST_LIVE))
		v->role = "connect";
	else
		v->role = "unused";
	v->connection = !acceptconn && (v->role[0] == 'c' || v->role[0] == 'a');
	/* A connect() that failed or was reset, a client gone: the remote end is still worth
	 * naming (e->peer: the connect() destination, or the peer accept() returned). */
	if (v->connection && !v->have_remote && e->peer.family)
		mr_endpoint_to_sockaddr(&e->peer, &v->remote);
	v->established = v->have_remote || (v->st & MR_ST_ACCEPTED);
	if (v->connection && !v->established && e->peer.family)
		v->established = was_established(fd, v);
	return true;
}

/* ---- what the kernel counted ---- */

static void sum_subflows(struct mr_conn_info *c)
{
	for (int i = 0; i < c->n; i++) {
		if (!c->sf[i].have_tcpi)
			continue;
		c->have_totals = true;
		c->sent += c->sf[i].tcpi.tcpi_bytes_sent;
		c->acked += c->sf[i].tcpi.tcpi_bytes_acked;
		c->received += c->sf[i].tcpi.tcpi_bytes_received;
		c->retrans += c->sf[i].tcpi.tcpi_total_retrans;
	}
}

/* The subflows hold data, or held it before the kernel reset them (tcp_disconnect). */
static bool any_live(const struct mr_conn_info *c)
{
	for (int i = 0; i < c->n; i++)
		if (c->sf[i].tcpi.tcpi_bytes_acked != 0 || c->sf[i].tcpi.tcpi_state != TCP_CLOSE)
			return true;
	return false;
}

/*
 * "mptcp", "fallback", "tcp", or "none" when no connection was established.
 * *paths_at: when the per-path figures were taken: at (now), "shutdown" (the
 * kernel had dropped the subflows by now; they were recorded at shutdown()),
 * or NULL when no path is known.
 */
static const char *collect(int fd, const struct sock_view *v, const char *at,
                           struct mr_conn_info *c, const char **paths_at)
{
	c->n = c->total = 0;
	c->have_totals = false;
	c->sent = c->acked = c->received = c->retrans = 0;
	*paths_at = NULL;
	if (!v->established)
		return "none";
	/*
	 * The subflow list answers both questions at once: a fallen-back socket's
	 * SOL_MPTCP queries go to TCP and fail. Only when it fails is TCP_IS_MPTCP
	 * asked (a fallback, or a kernel before 5.16 that lists no subflows).
	 */
	const char *kind = "tcp";
	bool listed = v->socket_mptcp && mr_sock_subflows(fd, c);
	if (listed)
		kind = "mptcp";
	else if (v->socket_mptcp)
		kind = mr_sock_is_mptcp_conn(fd) == 1 ? "mptcp" : "fallback";
	/* One path for TCP and fallbacks (and MPTCP before 5.16: the first subflow). */
	if (!listed) {
		mr_sock_single_path(fd, &v->local, &v->remote, c);
	} else if (!any_live(c)) {
		c->n = c->total = 0;
		if (mr_pathsnap_get(fd, c))
			*paths_at = "shutdown";
	}
	if (c->n > 0 && !*paths_at)
		*paths_at = at;
	if (kind[0] == 'm' && !c->have_totals)
		mr_sock_mptcp_totals(fd, c);
	if (!c->have_totals)
		sum_subflows(c);
	return kind;
}

/* ---- what the policy says ---- */

static const char *kept_reason(uint32_t st, bool socket_mptcp, const struct mr_endpoint *peer,
                               bool is_connect)
{
	if (!socket_mptcp && (st & MR_ST_PINNED))
		return "an option MPTCP refuses made it TCP (sockopt_fallback)";
	if (!socket_mptcp && atomic_load(&mr_mptcp_unavailable))
		return "MPTCP sockets cannot be created here";
	if (!socket_mptcp && is_connect && mr_peercache_seconds && mr_peercache_fell_back(peer))
		return "this peer fell back to TCP recently";
	if (!socket_mptcp && (st & MR_ST_GUARDED))
		return "listener kept TCP: the kernel is not known to deliver multi-path data "
		       "intact "
		       "(integrity)";
	if (st & MR_ST_NOSWAP) {
		enum mr_noswap why = mr_fd_noswap_reason(st);
		if (why != MR_NOSWAP_NONE)
			return mr_noswap_text(why);
	}
	return "not replaced";
}

struct judgement {
	const char *policy, *kept; /* NULL: no endpoint to judge */
	char rule[320];
};

/* The policy's verdict for this endpoint, recomputed as core/verdict.c decides it. */
static void judge(const struct sock_view *v, const struct mr_fd *e, const struct mr_program *prog,
                  struct judgement *j)
{
	/* An accepted connection is judged as its listener was: the listen role, the local end. */
	bool is_connect = v->role[0] == 'c', accepted = v->role[0] == 'a';
	struct mr_endpoint ep;
	bool have_ep = false;
	j->policy = j->kept = NULL;
	j->rule[0] = '\0';
	if (is_connect && (v->have_remote || e->peer.family))
		have_ep = mr_endpoint_from_sockaddr((const struct sockaddr *)&v->remote,
		                                    sizeof(v->remote), &ep);
	else if ((v->role[0] == 'l' || accepted) && v->have_local)
		have_ep = mr_endpoint_from_sockaddr((const struct sockaddr *)&v->local,
		                                    sizeof(v->local), &ep);
	if (!prog || !have_ep)
		return;
	enum mr_role r = is_connect ? MR_ROLE_CONNECT : MR_ROLE_LISTEN;
	if (!prog->role[r].exclude) {
		/* mr_resolve() never ran: the config was unusable and every socket stays TCP. */
		static const char msg[] = "configuration not usable (see the error at start)";
		j->policy = "tcp";
		memcpy(j->rule, msg, sizeof(msg));
		return;
	}
	struct mr_decision d;
	mr_decide(&prog->role[r], &ep, &d);
	mr_format_decision(prog, r, &d, j->rule, sizeof(j->rule));
	j->policy = mr_verdict_name(d.verdict);
	/* An accepted socket has its listener's protocol: the listener's line says why. */
	if ((d.verdict == MR_MPTCP) != v->socket_mptcp && !accepted)
		j->kept = kept_reason(v->st, v->socket_mptcp, &ep, is_connect);
}

/* ---- the line ---- */

/* The line's fields from what was learnt; dev holds the subflows' interface names. */
static void compose(struct mr_line *l, int fd, const struct mr_fd *e, const char *at,
                    const char *exe, const struct sock_view *v, const char *conn_kind,
                    const char *paths_at, const struct mr_conn_info *c, const struct judgement *j)
{
	struct mr_report_subflow_fields sf[MR_MAX_SUBFLOWS];
	char dev[MR_MAX_SUBFLOWS][IFNAMSIZ];
	struct mr_ifcache ic;
	struct timespec now;
	bool name_remote = v->have_remote || (v->connection && e->peer.family);

	mr_ifcache_init(&ic);
	for (int i = 0; i < c->n; i++) {
		const struct mr_subflow *s = &c->sf[i];
		mr_ifname_of(&ic, &s->local, dev[i]);
		sf[i] = (struct mr_report_subflow_fields){
		    .local = &s->local,
		    .remote = &s->remote,
		    .dev = dev[i],
		    .have_counters = s->have_tcpi,
		    .bytes_sent = s->tcpi.tcpi_bytes_sent,
		    .bytes_acked = s->tcpi.tcpi_bytes_acked,
		    .bytes_received = s->tcpi.tcpi_bytes_received,
		    .retrans = s->tcpi.tcpi_total_retrans,
		    .rtt_us = s->tcpi.tcpi_rtt,
		};
	}
	clock_gettime(CLOCK_REALTIME, &now);
	struct mr_report_fields f = {
	    .time = (uint64_t)now.tv_sec,
	    /* Our pid, kept across fork (core/process.c): no system call per line. */
	    .pid = (uint64_t)(mr_pid ? mr_pid : getpid()),
	    .fd = (uint64_t)fd,
	    .program = exe,
	    .at = at,
	    .role = v->role,
	    .socket = v->socket_mptcp ? "mptcp" : "tcp",
	    .conn = conn_kind,
	    .policy = j->policy,
	    .rule = j->rule,
	    .kept = j->kept,
	    .local = v->have_local ? &v->local : NULL,
	    /* Gone by now (both ends closed): the remote end of the first path still names it. */
	    .remote = name_remote             ? &v->remote
	              : v->connection && c->n ? &c->sf[0].remote
	                                      : NULL,
	    .pinned = v->st & MR_ST_PINNED,
	    /* Created before a fork(): parent and child may both report it. */
	    .shared = e->fork_gen != atomic_load(&mr_fork_gen),
	    .have_totals = c->have_totals,
	    .bytes_sent = c->sent,
	    .bytes_acked = c->acked,
	    .bytes_received = c->received,
	    .retrans = c->retrans,
	    .subflows_total = (uint64_t)c->total,
	    .sampled = (v->st & MR_ST_ACCEPTED) ? mr_report_sample : 1,
	    .paths_at = paths_at,
	    .n_subflows = c->n,
	    .subflows = sf,
	};
	mr_report_compose(l, &f);
}

/* ---- the write ---- */

static void emit(int rfd, struct mr_line *l)
{
	if (l->overflow)
		return; /* never a partial line */
	l->buf[l->len++] = '\n';
	if (!report_fd_is_ours(rfd))
		return;
	ssize_t w = write(rfd, l->buf, l->len);
	if (w < 0 && errno == EBADF)
		report_lost(rfd);
	else if (w > 0 && (size_t)w < l->len)
		/* Disk full mid-line: end it, so the next line is whole. */
		(void)!write(rfd, "\n", 1);
}

void mr_report_socket(int fd, struct mr_fd *e, const char *at, const struct mr_program *prog,
                      const char *exe)
{
	int saved = errno;
	int rfd = atomic_load_explicit(&report_fd, memory_order_relaxed);
	struct sock_view v;
	if (rfd >= 0 && fd != rfd && classify(fd, e, &v)) {
		struct mr_conn_info c;
		struct judgement j;
		char buf[REPORT_LINE_MAX];
		struct mr_line l;
		const char *paths_at;
		const char *kind = collect(fd, &v, at, &c, &paths_at);
		judge(&v, e, prog, &j);
		/* One byte is kept for the newline. */
		mr_line_init(&l, buf, sizeof(buf) - 1);
		compose(&l, fd, e, at, exe, &v, kind, paths_at, &c, &j);
		emit(rfd, &l);
		mr_pathsnap_drop(fd);
	}
	errno = saved;
}
