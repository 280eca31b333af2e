/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "core/fdtable.h"
#include "core/process.h"
#include "kernel/log.h"

_Atomic int mr_mptcp_unavailable;
_Atomic int mr_predict_mptcp;
pid_t mr_pid;

bool mr_note_mptcp_failure(int err)
{
	switch (err) {
	case EINVAL:          /* kernel older than 5.6 */
	case EPROTONOSUPPORT: /* CONFIG_MPTCP=n (or no IPv6 MPTCP) */
	case ENOPROTOOPT:     /* net.mptcp.enabled=0 in this network namespace */
	case EPERM:           /* an LSM or seccomp refuses it */
	case EACCES: {
		int expected = 0;
		if (atomic_compare_exchange_strong(&mr_mptcp_unavailable, &expected, err))
			mr_log(MR_LOG_INFO,
			       "MPTCP sockets cannot be created (%s): every socket stays TCP",
			       strerror(err));
		return true;
	}
	default:
		return false; /* EMFILE, ENOBUFS…: about this call, not about MPTCP */
	}
}

static void in_child(void)
{
	mr_pid = getpid();
}

void mr_process_start(void)
{
	/* Only sockets created after this point are tracked, so forks matter from here on. */
	mr_pid = getpid();
	pthread_atfork(mr_fd_share_all, NULL, in_child);
}

bool mr_in_vfork_child(void)
{
	return mr_pid && getpid() != mr_pid;
}
