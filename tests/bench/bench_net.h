/* SPDX-License-Identifier: MIT */
/* What the load generators share: protocol numbers and "ADDR PORT" parsing. */
#ifndef MPTCP_RUN_BENCH_NET_H
#define MPTCP_RUN_BENCH_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kernel/uapi.h"

/* IPv4 or IPv6 literal and a port into *ss; -1 (after a message naming prog) if invalid. */
static inline int bench_parse_addr(const char *prog, const char *host, const char *port,
                                   struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	int p = atoi(port);
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a6);
		return 0;
	}
	fprintf(stderr, "%s: bad address %s\n", prog, host);
	return -1;
}

#endif
