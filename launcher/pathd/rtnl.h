/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink, with libmnl: the links and addresses of the namespace, dumped
 * once at start and then followed through their notifications.
 */
#ifndef MPTCP_RUN_PATHD_RTNL_H
#define MPTCP_RUN_PATHD_RTNL_H

#include <net/if.h>
#include <stdbool.h>

#include "planner/addr.h"

/* One link or address change. */
struct pd_link_ev {
	bool is_addr, removed;
	int ifindex;
	char name[IF_NAMESIZE];
	bool up; /* links: IFF_UP and IFF_LOWER_UP */
	struct pl_addr addr;
	bool addr_usable; /* global scope, not tentative */
};

struct pd_rtnl;
struct pd_rtnl *pd_rtnl_open(const char **why);
void pd_rtnl_close(struct pd_rtnl *r);
int pd_rtnl_fd(const struct pd_rtnl *r);
/* Dumps every link then every address through cb (call once, before reading changes). */
int pd_rtnl_dump(struct pd_rtnl *r, void (*cb)(const struct pd_link_ev *, void *), void *arg);
int pd_rtnl_read(struct pd_rtnl *r, void (*cb)(const struct pd_link_ev *, void *), void *arg);

#endif
