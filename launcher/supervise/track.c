/* SPDX-License-Identifier: MIT */
/*
 * The report under the supervisor: a line per socket the supervisor handled
 * (made MPTCP at socket(), or put a TCP socket in place of), in the library's
 * format (format/report_line.h), one O_APPEND write each.
 *
 * close() is not sent to the supervisor: the filter cannot tell a socket from
 * a file by the number, so every close() of every descriptor would cost a
 * round trip. Instead the supervisor samples the sockets it handled every
 * LR_SV_SAMPLE_MS through a short-lived pidfd_getfd copy (counters, subflows,
 * addresses) and writes a socket's line when it finds it gone: "close" when
 * the descriptor number no longer holds that socket (inode), "exit" when the
 * process is gone. The figures are those of the last sample, up to
 * LR_SV_SAMPLE_MS before the end. A connection that ends between two samples
 * has none: its line says so ("no_figures"). A last read at close would need
 * close() sent to the supervisor, a round trip for every close() of every
 * descriptor of the program.
 *
 * Accepted connections are found by the same samples among the descriptors
 * of the processes whose listener the supervisor handled (supervise/accepted.c);
 * one that ends before the next sample is not seen.
 *
 * Not reported: a socket's copies in other processes after fork() (the line
 * comes when the process the supervisor saw it in closes it).
 */
#include "supervise/track.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "format/report_line.h"
#include "kernel/uapi.h"
#include "os/msg.h"
#include "supervise/track_ent.h"

#define LR_SV_SAMPLE_STR "200" /* LR_SV_SAMPLE_MS, in words */
_Static_assert(LR_SV_SAMPLE_MS == 200, "LR_SV_SAMPLE_STR says LR_SV_SAMPLE_MS");

struct lr_sv_track *lr_sv_track_open(const char *path)
{
	struct lr_sv_track *t;
	int fd;

	if (!path || !*path)
		return NULL;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0) {
		lr_warn("--report %s: %s; the supervisor writes no report", path, strerror(errno));
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		return NULL;
	}
	t->fd = fd;
	return t;
}

void lr_sv_track_close(struct lr_sv_track *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t->v);
	free(t);
}

/* The process (thread group) of thread tid: descriptors belong to it. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = (pid_t)strtol(line + 5, NULL, 10);
			break;
		}
	fclose(f);
	return tgid;
}

void lr_sv_track_add(struct lr_sv_track *t, pid_t tid, int fd, int ours, const char *program,
                     bool pinned)
{
	pid_t pid;
	struct stat st;
	struct ent *e;
	int proto = 0;
	socklen_t len = sizeof(proto);

	if (!t || fstat(ours, &st) < 0)
		return;
	pid = tgid_of(tid);
	e = lr_sv_track_find(t, pid, fd);
	if (!e) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			struct ent *v;

			if (cap > MAX_TRACKED || !(v = realloc(t->v, cap * sizeof(*v))))
				return; /* that socket goes unreported */
			t->v = v;
			t->cap = cap;
		}
		e = &t->v[t->n++];
		memset(e, 0, sizeof(*e));
		e->pid = pid;
		e->fd = fd;
		e->conn = "none";
		snprintf(e->program, sizeof(e->program), "%s", program ? program : "");
	}
	/* A socket put in place of another keeps what was learnt of the old one. */
	e->ino = st.st_ino;
	e->mptcp_socket =
	    getsockopt(ours, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_MPTCP;
	e->pinned |= pinned;
}

void lr_sv_track_judged(struct lr_sv_track *t, pid_t tid, int fd, enum mr_role role,
                        const struct mr_program *prog, const struct mr_decision *d,
                        const struct sockaddr_storage *remote)
{
	struct ent *e;

	if (!t || !(e = lr_sv_track_find(t, tgid_of(tid), fd)))
		return;
	e->judged = true;
	e->role = role;
	e->verdict = d->verdict;
	mr_format_decision(prog, role, d, e->rule, sizeof(e->rule));
	if (remote && role == MR_ROLE_CONNECT) {
		e->remote = *remote;
		e->have_remote = true;
	}
}

/* One subflow's line: its addresses and the counters of its tcp_info. */
static struct sf sf_of(const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
                       const struct tcp_info *ti)
{
	return (struct sf){
	    .local = *local,
	    .remote = *remote,
	    .counters = true,
	    .sent = ti->tcpi_bytes_sent,
	    .acked = ti->tcpi_bytes_acked,
	    .received = ti->tcpi_bytes_received,
	    .retrans = ti->tcpi_total_retrans,
	    .rtt_us = ti->tcpi_rtt,
	};
}

static bool live(const struct tcp_info *ti)
{
	return ti->tcpi_state != TCP_CLOSE || ti->tcpi_bytes_acked != 0;
}

/* The subflows of an MPTCP connection (6.5+: MPTCP_FULL_INFO); false when unknown. */
static bool sample_subflows(struct ent *e, int fd)
{
	struct mr_mptcp_subflow_info sfi[MAX_SF];
	struct tcp_info ti[MAX_SF];
	struct mr_mptcp_full_info fi;
	socklen_t len = sizeof(fi);
	int n, i;
	bool any = false;

	memset(&fi, 0, sizeof(fi));
	memset(sfi, 0, sizeof(sfi));
	memset(ti, 0, sizeof(ti));
	fi.size_tcpinfo_user = sizeof(struct tcp_info);
	fi.size_sfinfo_user = sizeof(struct mr_mptcp_subflow_info);
	fi.size_arrays_user = MAX_SF;
	fi.subflow_info = (uint64_t)(uintptr_t)sfi;
	fi.tcp_info = (uint64_t)(uintptr_t)ti;
	if (getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, &fi, &len) < 0)
		return false;
	n = (int)fi.num_subflows < MAX_SF ? (int)fi.num_subflows : MAX_SF;
	for (i = 0; i < n; i++)
		any |= live(&ti[i]);
	/* The kernel has dropped the subflows already: the last sample stands. */
	if (!any)
		return true;
	e->total = (int)fi.num_subflows;
	e->n = n;
	for (i = 0; i < n; i++) {
		e->sf[i] = sf_of(&sfi[i].addrs.local, &sfi[i].addrs.remote, &ti[i]);
	}
	if (len >= offsetof(struct mr_mptcp_full_info, mptcp_info) +
	               offsetof(struct mr_mptcp_info, subflows_total)) {
		e->have_totals = true;
		e->sent = fi.mptcp_info.bytes_sent;
		e->acked = fi.mptcp_info.bytes_acked;
		e->received = fi.mptcp_info.bytes_received;
		e->retrans = fi.mptcp_info.retransmits;
	}
	return true;
}

/* One path: TCP, or an MPTCP socket that fell back. */
static void sample_single(struct ent *e, int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 || !live(&ti))
		return;
	e->total = e->n = 1;
	e->sf[0] = sf_of(&e->local, &e->remote, &ti);
	/* One path: the connection's totals are its only subflow's. */
	e->have_totals = true;
	e->sent = e->sf[0].sent;
	e->acked = e->sf[0].acked;
	e->received = e->sf[0].received;
	e->retrans = e->sf[0].retrans;
}

static void sample(struct ent *e, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int acc = 0;
	socklen_t al = sizeof(acc);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) == 0)
		e->listening = acc != 0;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		e->local = ss;
		e->have_local = true;
	}
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (!e->listening && getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		e->remote = ss;
		e->have_remote = e->established = true;
	}
	if (e->listening || !e->established)
		return;
	if (e->mptcp_socket) {
		struct mr_mptcp_info mi;
		socklen_t ml = sizeof(mi);

		memset(&mi, 0, sizeof(mi));
		if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &mi, &ml) == 0 &&
		    (mi.flags & MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED)) {
			e->conn = "mptcp";
			if (sample_subflows(e, fd))
				return;
		} else {
			e->conn = "fallback";
		}
	} else {
		e->conn = "tcp";
	}
	sample_single(e, fd);
}

static const char *role_of(const struct ent *e)
{
	if (e->accepted)
		return "accepted";
	if (e->listening || (e->judged && e->role == MR_ROLE_LISTEN))
		return "listen";
	if (e->established || (e->judged && e->role == MR_ROLE_CONNECT))
		return "connect";
	return "unused";
}

static void write_line(struct lr_sv_track *t, const struct ent *e, const char *at)
{
	struct mr_report_subflow_fields sf[MAX_SF];
	struct mr_report_fields f;
	struct timespec now;
	struct mr_line l;
	char buf[8192];
	const char *kept = NULL;
	bool policy_mptcp = e->verdict == MR_MPTCP;

	for (int i = 0; i < e->n; i++)
		sf[i] = (struct mr_report_subflow_fields){
		    .local = &e->sf[i].local,
		    .remote = &e->sf[i].remote,
		    .have_counters = e->sf[i].counters,
		    .bytes_sent = e->sf[i].sent,
		    .bytes_acked = e->sf[i].acked,
		    .bytes_received = e->sf[i].received,
		    .retrans = e->sf[i].retrans,
		    .rtt_us = e->sf[i].rtt_us,
		};
	if (e->judged && policy_mptcp != e->mptcp_socket)
		kept = e->pinned ? "an option MPTCP refuses made it TCP (sockopt_fallback)"
		                 : "not replaced";
	clock_gettime(CLOCK_REALTIME, &now);
	memset(&f, 0, sizeof(f));
	f.time = (uint64_t)now.tv_sec;
	f.pid = (uint64_t)e->pid;
	f.fd = (uint64_t)e->fd;
	f.program = e->program[0] ? e->program : NULL;
	f.at = at;
	f.role = role_of(e);
	f.local = e->have_local ? &e->local : NULL;
	f.remote = e->have_remote && !e->listening ? &e->remote : NULL;
	f.socket = e->mptcp_socket ? "mptcp" : "tcp";
	f.conn = e->established ? e->conn : "none";
	f.policy = e->judged ? mr_verdict_name(e->verdict) : NULL;
	f.rule = e->rule;
	f.kept = kept;
	f.pinned = e->pinned;
	f.have_totals = e->established && e->have_totals;
	f.bytes_sent = e->sent;
	f.bytes_acked = e->acked;
	f.bytes_received = e->received;
	f.retrans = e->retrans;
	f.subflows_total = (uint64_t)e->total;
	/* The figures of the last sample (see above): when the socket was found gone. */
	f.paths_at = e->n ? at : NULL;
	if (!e->n && !e->listening && !e->accepted && e->judged && e->role == MR_ROLE_CONNECT &&
	    strcmp(at, "close") == 0)
		f.no_figures = "never seen connected: it ended, or failed, between two of the "
		               "supervisor's samples (every " LR_SV_SAMPLE_STR " ms)";
	f.n_subflows = e->n;
	f.subflows = sf;
	mr_line_init(&l, buf, sizeof(buf) - 1);
	mr_report_compose(&l, &f);
	if (l.overflow)
		return; /* never a partial line */
	buf[l.len++] = '\n';
	if (write(t->fd, buf, l.len) != (ssize_t)l.len && errno != EAGAIN)
		(void)!write(t->fd, "\n", 1); /* a short write: end it, so the next line is whole */
}

size_t lr_sv_track_sweep(struct lr_sv_track *t, bool at_exit)
{
	size_t i = 0;

	if (!t)
		return 0;
	if (!at_exit)
		lr_sv_track_discover_accepted(t);
	while (i < t->n) {
		struct ent *e = &t->v[i];
		const char *gone = NULL;
		struct stat st;
		int pidfd = (int)syscall(SYS_pidfd_open, e->pid, 0), dup = -1;

		if (pidfd < 0) {
			gone = "exit";
		} else {
			dup = (int)syscall(SYS_pidfd_getfd, pidfd, e->fd, 0);
			close(pidfd);
			/* EBADF: the number is closed; otherwise exiting, or no longer ours to see.
			 */
			if (dup < 0)
				gone = errno == EBADF ? "close" : "exit";
			else if (fstat(dup, &st) < 0 || st.st_ino != e->ino)
				gone = "close";
			else
				sample(e, dup);
			if (dup >= 0)
				close(dup);
		}
		if (!gone && at_exit)
			gone = "exit";
		if (!gone) {
			i++;
			continue;
		}
		write_line(t, e, gone);
		t->v[i] = t->v[--t->n];
	}
	return t->n;
}
