/* SPDX-License-Identifier: MIT */
/*
 * Per-program paths for the programs the supervisor runs, as the library does
 * them for the others (core/pathd_client.c): at the connect() of an MPTCP socket
 * of a program whose section lists `paths`, while the path daemon is there, the
 * socket is pinned to the first usable listed path (kernel/pathd_pin.h) and
 * handed to the daemon on behalf of the program. The supervisor's own channel
 * carries the socket, a pidfd of the program and the number the program holds
 * it by; the daemon finds that socket in the program's descriptor table
 * (pidfd_getfd) before it takes the program's pid and executable as the
 * owner's, so no claim of the message is believed. The message goes before the
 * connect() runs: the daemon holds the socket until its connection has a token.
 */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_PATHS_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_PATHS_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <sys/types.h>

#include "supervise/options.h"

/* What of the supervisor this needs: its notification listener, its options, its own
 * network namespace (the daemon it reaches serves that one) and whether a supervised
 * thread may have left it (supervise/sockets.h: nswatch). */
struct lr_sv_paths_env {
	int listener;
	const struct lr_supervise *opt;
	dev_t net_dev;
	ino_t net_ino;
	bool may_have_moved;
};

/* Whether the path daemon is there (the supervisor's channel to it is open, or opens now). */
bool lr_sv_paths_daemon_ready(const struct lr_sv_paths_env *env);

/* The connect() notification req of program p: pinned and registered when it has paths. */
void lr_sv_paths_connect(const struct lr_sv_paths_env *env, const struct seccomp_notif *req,
                         const struct mr_program *p);

#endif
