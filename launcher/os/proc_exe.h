/* SPDX-License-Identifier: MIT */
/* Another process's executable, as the policy names programs by it. */
#ifndef MPTCP_RUN_LAUNCHER_PROC_EXE_H
#define MPTCP_RUN_LAUNCHER_PROC_EXE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The target of /proc/PID/exe in buf (size > 0), NUL-terminated, truncated to fit;
 * its length, or 0 with buf "" when it cannot be read (the process is gone, or a
 * kernel thread). The number may name another process by now: pin it with a pidfd.
 */
size_t lr_proc_exe(pid_t pid, char *buf, size_t size);

#endif
