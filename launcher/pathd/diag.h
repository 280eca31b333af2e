/* SPDX-License-Identifier: MIT */
/*
 * The MPTCP sock_diag dump, with libmnl: the connections already open when
 * the daemon starts (or after it lost events), and their TCP subflows.
 */
#ifndef MPTCP_RUN_PATHD_DIAG_H
#define MPTCP_RUN_PATHD_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "planner/addr.h"
#include "planner/model.h"

struct nlmsghdr;
struct tcp_info;

/* One MPTCP connection, or one of its TCP subflows. */
struct pd_diag_conn {
	uint32_t token; /* a subflow's: the local token of its connection */
	uint8_t state;  /* TCP_* */
	int family;
	struct pl_addr loc, rem;
	uint16_t lport, rport;
	uid_t uid;
	uint32_t inode;       /* connections: the socket's inode, to find its owner in /proc */
	uint32_t sf_flags;    /* subflows: MPTCP_SUBFLOW_FLAG_* */
	struct pl_sample tcp; /* subflows: their tcp_info, as the planner reads it */
};

/* Dumps the MPTCP sockets of this namespace (INET_DIAG_REQ_PROTOCOL = IPPROTO_MPTCP), or with
 * subflows the TCP sockets that are MPTCP subflows (their ULP info carries the token),
 * established or in SYN-SENT. */
int pd_diag_dump(bool subflows, void (*cb)(const struct pd_diag_conn *, void *), void *arg);

/*
 * One TCP socket of a sock_diag dump (nlh, its struct inet_diag_msg first): whether it is an
 * MPTCP subflow (its ULP info says "mptcp"), and then its connection's local token and its
 * MPTCP_SUBFLOW_FLAG_* flags; ti (may be NULL) gets its tcp_info either way (zeroes for what
 * the kernel did not send). The one reading of a subflow's diag attributes: the daemon's
 * dumps and `top`'s sampler (launcher/sampler/diag.c) share it.
 */
bool pd_diag_subflow(const struct nlmsghdr *nlh, uint32_t *token, uint32_t *flags,
                     struct tcp_info *ti);
/* A subflow's tcp_info as the planner's sample. */
void pd_diag_sample(const struct tcp_info *ti, struct pl_sample *out);

#endif
