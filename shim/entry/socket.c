/* SPDX-License-Identifier: MIT */
/* socket(): the entry point of every upgrade. */
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

/* AF_INET/AF_INET6 stream sockets that asked for TCP (explicitly or with 0), any flags. */
static int is_candidate(int domain, int type, int protocol)
{
	return (domain == AF_INET || domain == AF_INET6) &&
	       (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

MR_EXPORT int socket(int domain, int type, int protocol)
{
	if (is_candidate(domain, type, protocol))
		return mr_create_socket(domain, type, protocol);
	int fd = real_socket(domain, type, protocol);
	/* The number may have been ours before a close we did not see: forget it. */
	mr_fd_forget(fd);
	return fd;
}
