/* SPDX-License-Identifier: MIT */
#include "planner/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool pl_addr_eq(const struct pl_addr *x, const struct pl_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

const char *pl_addr_str(const struct pl_addr *x, char *buf, size_t size)
{
	if (!x->family || !inet_ntop(x->family, x->a, buf, (socklen_t)size))
		snprintf(buf, size, "-");
	return buf;
}
