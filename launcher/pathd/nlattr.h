/* SPDX-License-Identifier: MIT */
/*
 * What the daemon's three netlink protocols (genl.c, rtnl.c, diag.c) share:
 * their receive buffer size and the reading of an address attribute.
 */
#ifndef MPTCP_RUN_PATHD_NLATTR_H
#define MPTCP_RUN_PATHD_NLATTR_H

#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <string.h>

#include "planner/addr.h"

#define PD_NLBUF 32768

/* An IPv4 or IPv6 address attribute into out; a short one leaves out as it was. */
static inline void pd_nl_get_addr(const struct nlattr *a, int family, struct pl_addr *out)
{
	size_t n = family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(a) < n)
		return;
	out->family = family;
	memcpy(out->a, mnl_attr_get_payload(a), n);
}

#endif
