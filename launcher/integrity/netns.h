/* SPDX-License-Identifier: MIT */
/*
 * The probe's network namespaces: each is held by a child process that made it
 * with unshare(CLONE_NEWNET) and dies with the launcher (PR_SET_PDEATHSIG), so
 * the namespaces and their veths vanish with it however it ends (SIGINT,
 * SIGTERM, SIGKILL): nothing is named in /run/netns, nothing is left behind.
 * Commands (ip, tc) run inside one with a fixed argv, never a shell.
 */
#ifndef MPTCP_RUN_INTEGRITY_NETNS_H
#define MPTCP_RUN_INTEGRITY_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct lr_ns {
	pid_t pid; /* the holder; 0: none */
	int ctl;   /* its end of the command channel (SOCK_SEQPACKET) */
};

/*
 * Forks a holder that enters a new network namespace, brings lo up and runs
 * serve(ctl) until the channel closes. false with why filled when it cannot.
 */
bool lr_ns_start(struct lr_ns *ns, void (*serve)(int ctl), char *why, size_t wsize);
/* Kills the holder (and so its namespace) and reaps it. Safe on a stopped one. */
void lr_ns_stop(struct lr_ns *ns);
/*
 * Runs argv (searched in PATH) inside the namespace of ns; its stderr goes to
 * err (at most esize bytes, NUL-terminated). Returns the exit status, -1 when
 * it could not run.
 */
int lr_ns_run(const struct lr_ns *ns, char *const argv[], char *err, size_t esize);
/* Writes value to a /proc/sys file as seen from inside the namespace. */
bool lr_ns_sysctl(const struct lr_ns *ns, const char *file, const char *value);

#endif
