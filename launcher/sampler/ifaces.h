/* SPDX-License-Identifier: MIT */
/*
 * The namespace's interfaces and their addresses (getifaddrs), to name the
 * interface a subflow uses: its bound device when it has one (joins created
 * with an interface), else the route the kernel takes from its local to its
 * remote address (RTM_GETROUTE, as `ip route get R from L`: on a server every
 * accepted subflow may carry the same local address, whatever the path it
 * came in on), else the interface holding its local address.
 */
#ifndef MPTCP_RUN_SAMPLER_IFACES_H
#define MPTCP_RUN_SAMPLER_IFACES_H

#include "live/sample.h"

#define LS_MAX_ADDRS 256

struct ls_ifaces {
	size_t n;
	struct {
		struct lv_addr addr;
		int ifindex;
		char name[LV_IFNAME];
		bool up; /* IFF_UP and IFF_RUNNING */
	} e[LS_MAX_ADDRS];
	/* Every interface once, with its state (for link up/down events). */
	size_t n_links;
	struct {
		char name[LV_IFNAME];
		bool up;
	} link[LS_MAX_ADDRS];
};

#define LS_ROUTE_CACHE 1024

/* Routes looked up, by (local, remote) address: forgotten every few seconds. */
struct ls_routes {
	size_t n;
	double since;
	struct {
		struct lv_addr loc, rem;
		int ifindex;
	} e[LS_ROUTE_CACHE];
};

/* Reads them; 0 or -errno. */
int ls_ifaces_load(struct ls_ifaces *x);
/* Sets each subflow's ifname (and ifindex) from x and the routes (cache r, now: seconds). */
void ls_ifaces_name(const struct ls_ifaces *x, struct ls_routes *r, double now,
                    struct lv_sample *s);

#endif
