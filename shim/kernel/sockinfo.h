/* SPDX-License-Identifier: MIT */
/*
 * What the kernel says about a TCP or MPTCP socket: getsockopt() only, every
 * answer into caller-provided memory (no allocation: the report calls these
 * from close()). Each query copes with older kernels the way the kernel's own
 * versioned structures allow.
 */
#ifndef MPTCP_RUN_KERNEL_SOCKINFO_H
#define MPTCP_RUN_KERNEL_SOCKINFO_H

#include <linux/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The in-kernel PM allows 8 extra subflows; more would be unusual, and are counted, not listed. */
#define MR_MAX_SUBFLOWS 9
/* Only the tcp_info fields up to tcpi_bytes_retrans are read: a shorter copy saves stack. */
#define MR_TCPINFO_USED (offsetof(struct tcp_info, tcpi_bytes_retrans) + sizeof(uint64_t))

struct mr_subflow {
	struct sockaddr_storage local, remote;
	bool have_tcpi;
	struct tcp_info tcpi; /* only the first MR_TCPINFO_USED bytes are filled */
};

/* A connection's counters and paths. */
struct mr_conn_info {
	int n;     /* subflows listed */
	int total; /* subflows the kernel has */
	bool have_totals;
	uint64_t sent, acked, received, retrans;
	struct mr_subflow sf[MR_MAX_SUBFLOWS];
};

/* getsockname()/getpeername() of an AF_INET/AF_INET6 socket; false otherwise. */
bool mr_sock_name(int fd, bool peer, struct sockaddr_storage *ss);
/* TCP_INFO, the first MR_TCPINFO_USED bytes. */
bool mr_sock_tcp_info(int fd, struct tcp_info *ti);
/* 1: an MPTCP socket whose connection is MPTCP; 0: it fell back to TCP; -1: cannot tell. */
int mr_sock_is_mptcp_conn(int fd);
/* An MPTCP connection that received the peer's key (it was established, even if closed now). */
bool mr_sock_remote_key_received(int fd);

/* Fills c as one path (plain TCP, a fallback, or an MPTCP socket whose kernel lists none). */
void mr_sock_single_path(int fd, const struct sockaddr_storage *local,
                         const struct sockaddr_storage *remote, struct mr_conn_info *c);
/* The subflows of an MPTCP connection (MPTCP_FULL_INFO, else TCPINFO + SUBFLOW_ADDRS). */
bool mr_sock_subflows(int fd, struct mr_conn_info *c);
/* The connection's own counters (MPTCP_INFO, 6.5+): they outlive the subflows. */
void mr_sock_mptcp_totals(int fd, struct mr_conn_info *c);

#endif
