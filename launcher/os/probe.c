/* SPDX-License-Identifier: MIT */
#include "os/probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/uapi.h"

int lr_mptcp_probe(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

void lr_mptcp_probe_explain(int err, const char **why, const char **fix)
{
	switch (err) {
	case 0:
		*why = "MPTCP sockets can be created";
		*fix = NULL;
		break;
	case EPROTONOSUPPORT:
		*why = "the kernel has no MPTCP (EPROTONOSUPPORT)";
		*fix = "use a kernel built with CONFIG_MPTCP=y (Linux 5.6 or later)";
		break;
	case EINVAL:
		*why = "the kernel does not know protocol 262 (EINVAL: older than Linux 5.6)";
		*fix = "use Linux 5.6 or later with CONFIG_MPTCP=y";
		break;
	case ENOPROTOOPT:
		*why = "MPTCP is disabled in this network namespace (ENOPROTOOPT)";
		*fix = "sysctl -w net.mptcp.enabled=1";
		break;
	case EACCES:
	case EPERM:
		*why =
		    "creating MPTCP sockets is denied (a security module, seccomp or BPF policy)";
		*fix = "allow protocol 262 (IPPROTO_MPTCP) in the policy that blocks it";
		break;
	default:
		*why = "MPTCP sockets cannot be created";
		*fix = NULL;
		break;
	}
}
