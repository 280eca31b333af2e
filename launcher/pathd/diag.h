/* SPDX-License-Identifier: MIT */
/*
 * The MPTCP sock_diag dump, with libmnl: the connections already open when
 * the daemon starts (or after it lost events), and their TCP subflows; and
 * exact requests for one subflow by its four-tuple (its tcp_info, a reset),
 * which cost the same however many sockets the namespace has.
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
	int ifindex;          /* the device the socket is bound to, 0: none */
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

/* A sock_diag socket kept open for exact requests. NULL with errno. */
struct pd_diag;
struct pd_diag *pd_diag_open(void);
void pd_diag_close(struct pd_diag *g);
/*
 * The TCP socket loc:lport -> rem:rport (bound to device ifindex, 0 for none: the kernel's
 * lookup wants the device a socket is bound to) into out, its tcp_info in out->tcp (whether
 * its ULP info still says MPTCP or not: a subflow being closed has lost it). 0, -ENOENT when
 * there is no such socket (or it is in TIME_WAIT: no tcp_info), -errno.
 */
int pd_diag_lookup(struct pd_diag *g, const struct pl_addr *loc, uint16_t lport,
                   const struct pl_addr *rem, uint16_t rport, int ifindex,
                   struct pd_diag_conn *out);
/*
 * Resets that TCP socket (SOCK_DESTROY: tcp_abort, an RST): what it holds unsent is dropped
 * at once. 0, -ENOENT when there is no such socket, -errno.
 */
int pd_diag_reset(struct pd_diag *g, const struct pl_addr *loc, uint16_t lport,
                  const struct pl_addr *rem, uint16_t rport, int ifindex);

#endif
