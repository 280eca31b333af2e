/* SPDX-License-Identifier: MIT */
/*
 * An IPv4 or IPv6 address as the path manager handles it: the family and the
 * bytes in network order, comparable with memcmp.
 */
#ifndef MPTCP_RUN_PLANNER_ADDR_H
#define MPTCP_RUN_PLANNER_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl_addr {
	int family; /* AF_INET, AF_INET6; 0: none */
	uint8_t a[16];
};

bool pl_addr_eq(const struct pl_addr *x, const struct pl_addr *y);
/* "198.18.2.1", "fd00::1", "-" for none; buf is returned. */
const char *pl_addr_str(const struct pl_addr *x, char *buf, size_t size);

#endif
