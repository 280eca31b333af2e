/* SPDX-License-Identifier: MIT */
/*
 * The MPTCP sock_diag dump, with libmnl: the connections already open when
 * the daemon starts (or after it lost events), and their TCP subflows; and
 * one subflow's byte counters (struct tcp_info) by its four-tuple, an exact
 * request that costs the same however many sockets the namespace has.
 */
#ifndef MPTCP_RUN_PATHD_DIAG_H
#define MPTCP_RUN_PATHD_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "planner/addr.h"

/* One MPTCP connection, or one of its TCP subflows. */
struct pd_diag_conn {
	uint32_t token; /* a subflow's: the local token of its connection */
	uint8_t state;  /* TCP_* */
	int family;
	struct pl_addr loc, rem;
	uint16_t lport, rport;
	uid_t uid;
	uint32_t inode;    /* connections: the socket's inode, to find its owner in /proc */
	uint32_t sf_flags; /* subflows: MPTCP_SUBFLOW_FLAG_* */
	int ifindex;       /* the device the socket is bound to, 0: none */
	/* Subflows: tcp_info's tcpi_bytes_acked (what the peer received of what was sent: data
	 * a local queue dropped and sent again is not counted twice) and tcpi_bytes_received. */
	uint64_t bytes_acked, bytes_received;
};

/* Dumps the MPTCP sockets of this namespace (INET_DIAG_REQ_PROTOCOL = IPPROTO_MPTCP), or with
 * subflows the TCP sockets that are MPTCP subflows (their ULP info carries the token). */
int pd_diag_dump(bool subflows, void (*cb)(const struct pd_diag_conn *, void *), void *arg);

/* A sock_diag socket kept open for exact requests. NULL with errno. */
struct pd_diag;
struct pd_diag *pd_diag_open(void);
void pd_diag_close(struct pd_diag *g);
/*
 * The TCP socket loc:lport -> rem:rport (bound to device ifindex, 0 for none: the kernel's
 * lookup wants the device a socket is bound to) into out, its counters from tcp_info. 0,
 * -ENOENT when there is no such socket (or it is in TIME_WAIT: no counters), -errno.
 */
int pd_diag_subflow(struct pd_diag *g, const struct pl_addr *loc, uint16_t lport,
                    const struct pl_addr *rem, uint16_t rport, int ifindex,
                    struct pd_diag_conn *out);
/*
 * Resets that TCP socket (SOCK_DESTROY: tcp_abort, an RST): what it holds unsent is dropped
 * at once. 0, -ENOENT when there is no such socket, -errno.
 */
int pd_diag_reset(struct pd_diag *g, const struct pl_addr *loc, uint16_t lport,
                  const struct pl_addr *rem, uint16_t rport, int ifindex);

#endif
