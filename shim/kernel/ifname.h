/* SPDX-License-Identifier: MIT */
/*
 * The interface that holds a local address, for the connection report.
 * getifaddrs() would allocate and is not async-signal-safe, so: SIOCGIFCONF
 * for IPv4 (one ioctl into a stack array) and /proc/net/if_inet6 for IPv6
 * (read in small pieces). The cache lives on the caller's stack, one per line.
 */
#ifndef MPTCP_RUN_KERNEL_IFNAME_H
#define MPTCP_RUN_KERNEL_IFNAME_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define MR_IFCACHE_V4 32

struct mr_ifcache {
	bool v4_loaded;
	int n4;
	struct {
		uint32_t addr;
		char name[IFNAMSIZ];
	} v4[MR_IFCACHE_V4];
};

void mr_ifcache_init(struct mr_ifcache *c);
/* The device name of ss's address into name, or "" when none holds it. */
void mr_ifname_of(struct mr_ifcache *c, const struct sockaddr_storage *ss, char name[IFNAMSIZ]);

#endif
