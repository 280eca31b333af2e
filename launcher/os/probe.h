/* SPDX-License-Identifier: MIT */
/* Can this process create MPTCP sockets? The same probe Go's net package uses. */
#ifndef MPTCP_RUN_LAUNCHER_PROBE_H
#define MPTCP_RUN_LAUNCHER_PROBE_H

/* 0 when socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) works, else its errno. */
int lr_mptcp_probe(void);

/*
 * What a probe errno means and how to fix it (the kernel's error codes, see
 * mptcp.dev): sets *why and *fix to static text.
 */
void lr_mptcp_probe_explain(int err, const char **why, const char **fix);

#endif
