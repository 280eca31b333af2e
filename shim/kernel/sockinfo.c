/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "kernel/real.h"
#include "kernel/sockinfo.h"
#include "kernel/uapi.h"

bool mr_sock_name(int fd, bool peer, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	int rc = peer ? getpeername(fd, (struct sockaddr *)ss, &len)
	              : getsockname(fd, (struct sockaddr *)ss, &len);
	return rc == 0 && (ss->ss_family == AF_INET || ss->ss_family == AF_INET6);
}

bool mr_sock_tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = MR_TCPINFO_USED;
	memset(ti, 0, sizeof(*ti));
	return real_getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) == 0 && len >= MR_TCPINFO_USED;
}

int mr_sock_is_mptcp_conn(int fd)
{
	int v = -1, err = errno;
	socklen_t len = sizeof(v);
	int r = -1;
	if (real_getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &v, &len) == 0) {
		r = v != 0;
	} else {
		/* Before TCP_IS_MPTCP (5.16): MPTCP_INFO with no buffer fails only after fallback.
		 */
		len = 0;
		if (real_getsockopt(fd, SOL_MPTCP, MPTCP_INFO, NULL, &len) == 0)
			r = 1;
		else if (errno == EOPNOTSUPP)
			r = 0;
	}
	errno = err;
	return r;
}

bool mr_sock_remote_key_received(int fd)
{
	struct mr_mptcp_info mi;
	socklen_t len = sizeof(mi);
	memset(&mi, 0, sizeof(mi));
	return real_getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &mi, &len) == 0 &&
	       (mi.flags & MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED);
}

/* A plain TCP connection, a fallback, or an MPTCP one whose kernel lists no subflows. */
void mr_sock_single_path(int fd, const struct sockaddr_storage *local,
                         const struct sockaddr_storage *remote, struct mr_conn_info *c)
{
	c->n = c->total = 1;
	c->sf[0].local = *local;
	c->sf[0].remote = *remote;
	c->sf[0].have_tcpi = mr_sock_tcp_info(fd, &c->sf[0].tcpi);
	/* A fallback closed by both ends has lost its subflow: zeros would be a lie. */
	if (c->sf[0].tcpi.tcpi_bytes_acked == 0 && c->sf[0].tcpi.tcpi_state == TCP_CLOSE)
		c->sf[0].have_tcpi = false;
	if (c->sf[0].have_tcpi) {
		c->have_totals = true;
		c->sent = c->sf[0].tcpi.tcpi_bytes_sent;
		c->acked = c->sf[0].tcpi.tcpi_bytes_acked;
		c->received = c->sf[0].tcpi.tcpi_bytes_received;
		c->retrans = c->sf[0].tcpi.tcpi_total_retrans;
	}
}

/* The connection's own counters, from MPTCP_INFO alone or inside MPTCP_FULL_INFO. */
static void totals_from(struct mr_conn_info *c, const struct mr_mptcp_info *mi)
{
	c->have_totals = true;
	c->sent = mi->bytes_sent;
	c->acked = mi->bytes_acked;
	c->received = mi->bytes_received;
	c->retrans = mi->retransmits;
}

/* 6.5+: addresses, tcp_info of every subflow and the connection's own counters at once. */
static bool full_info(int fd, struct mr_conn_info *c)
{
	struct mr_mptcp_subflow_info sfi[MR_MAX_SUBFLOWS];
	struct tcp_info ti[MR_MAX_SUBFLOWS];
	struct mr_mptcp_full_info fi;
	socklen_t len = sizeof(fi);

	memset(&fi, 0, sizeof(fi));
	fi.size_tcpinfo_user = sizeof(struct tcp_info);
	fi.size_sfinfo_user = sizeof(struct mr_mptcp_subflow_info);
	fi.size_arrays_user = MR_MAX_SUBFLOWS;
	fi.subflow_info = (uint64_t)(uintptr_t)sfi;
	fi.tcp_info = (uint64_t)(uintptr_t)ti;
	memset(ti, 0, sizeof(ti));
	if (real_getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, &fi, &len) < 0)
		return false;
	c->total = (int)fi.num_subflows;
	c->n = c->total < MR_MAX_SUBFLOWS ? c->total : MR_MAX_SUBFLOWS;
	for (int i = 0; i < c->n; i++) {
		c->sf[i].local = sfi[i].addrs.local;
		c->sf[i].remote = sfi[i].addrs.remote;
		c->sf[i].tcpi = ti[i];
		c->sf[i].have_tcpi = fi.size_tcpinfo_kernel >= MR_TCPINFO_USED;
	}
	if (len >= offsetof(struct mr_mptcp_full_info, mptcp_info) +
	               offsetof(struct mr_mptcp_info, subflows_total))
		totals_from(c, &fi.mptcp_info);
	return true;
}

/* 5.16–6.4: MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS, matched by position. */
static bool split_info(int fd, struct mr_conn_info *c)
{
	struct {
		struct mr_mptcp_subflow_data d;
		struct tcp_info ti[MR_MAX_SUBFLOWS];
	} t;
	struct {
		struct mr_mptcp_subflow_data d;
		struct mr_mptcp_subflow_addrs a[MR_MAX_SUBFLOWS];
	} a;
	socklen_t len = sizeof(t);

	memset(&t, 0, sizeof(t));
	t.d.size_subflow_data = sizeof(t.d);
	t.d.size_user = sizeof(struct tcp_info);
	if (real_getsockopt(fd, SOL_MPTCP, MPTCP_TCPINFO, &t, &len) < 0)
		return false;
	memset(&a, 0, sizeof(a.d));
	a.d.size_subflow_data = sizeof(a.d);
	a.d.size_user = sizeof(struct mr_mptcp_subflow_addrs);
	len = sizeof(a);
	if (real_getsockopt(fd, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, &a, &len) < 0)
		return false;
	c->total = (int)t.d.num_subflows;
	int n = (int)(t.d.num_subflows < a.d.num_subflows ? t.d.num_subflows : a.d.num_subflows);
	c->n = n < MR_MAX_SUBFLOWS ? n : MR_MAX_SUBFLOWS;
	for (int i = 0; i < c->n; i++) {
		c->sf[i].local = a.a[i].local;
		c->sf[i].remote = a.a[i].remote;
		c->sf[i].tcpi = t.ti[i];
		c->sf[i].have_tcpi = t.d.size_kernel >= MR_TCPINFO_USED;
	}
	return true;
}

/* The connection's own counters (6.5+): they outlive the subflows. */
void mr_sock_mptcp_totals(int fd, struct mr_conn_info *c)
{
	struct mr_mptcp_info mi;
	socklen_t len = sizeof(mi);
	memset(&mi, 0, sizeof(mi));
	if (real_getsockopt(fd, SOL_MPTCP, MPTCP_INFO, &mi, &len) < 0 ||
	    len < offsetof(struct mr_mptcp_info, subflows_total))
		return;
	totals_from(c, &mi);
}

bool mr_sock_subflows(int fd, struct mr_conn_info *c)
{
	return full_info(fd, c) || split_info(fd, c);
}
