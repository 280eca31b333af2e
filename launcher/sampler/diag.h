/* SPDX-License-Identifier: MIT */
/*
 * The namespace's MPTCP connections and their subflows from sock_diag
 * (inet_diag over NETLINK_SOCK_DIAG, libmnl): the MPTCP sockets with
 * INET_DIAG_REQ_PROTOCOL = 262 (struct mptcp_info), and the TCP sockets whose
 * ULP info says "mptcp" (struct tcp_info, token and flags). Needs no
 * privilege: every user sees every socket of the namespace, as ss(8) does.
 */
#ifndef MPTCP_RUN_SAMPLER_DIAG_H
#define MPTCP_RUN_SAMPLER_DIAG_H

#include "live/sample.h"

/*
 * Appends the connections (not listeners, not yet connected sockets) and
 * their subflows to s, counts plain established TCP connections and
 * fallbacks. Subflow interfaces are left to the caller (ifindex is the bound
 * device or 0). Returns 0, or -errno when the dump failed.
 */
int ls_diag_read(struct lv_sample *s);

#endif
