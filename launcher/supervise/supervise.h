/* SPDX-License-Identifier: MIT */
/*
 * The supervisor backend: for programs the preload library cannot reach (Go
 * before 1.21, static binaries, raw syscall() users). The launcher stays the
 * parent; the child installs a seccomp filter that sends the TCP socket(),
 * connect() and listen() calls to the launcher (seccomp user notification),
 * which creates the MPTCP socket and installs it in the child, or puts a TCP
 * socket in its place when the policy says TCP for the endpoint.
 */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_H

#include "supervise/options.h"

/*
 * Runs argv under the supervisor and waits for it. Returns the command's exit
 * status; when it died of a signal, the launcher dies of the same signal (it
 * does not return). Returns -errno when the command could not be executed
 * (ENOENT, EACCES...), -1000 - errno when the supervisor could not start.
 */
int lr_supervise_run(const struct lr_supervise *opt, char **argv);

#endif
