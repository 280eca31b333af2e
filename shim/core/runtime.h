/* SPDX-License-Identifier: MIT */
/*
 * Process-wide state of the library: the program's resolved policy, the log
 * level, whether MPTCP can be created at all. Initialised once, at the first
 * interposed call that needs it (most processes never create a socket and so
 * never read the config).
 */
#ifndef MPTCP_RUN_RUNTIME_H
#define MPTCP_RUN_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "policy/policy.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
/* From <linux/mptcp.h> and <linux/tcp.h>, spelled out so older headers build. */
#define MR_SOL_MPTCP       284
#define MR_MPTCP_INFO      1
#define MR_TCP_IS_MPTCP    43
#define MR_SO_NETNS_COOKIE 71

/* What socket() does for an AF_INET/AF_INET6 stream socket of this program. */
enum mr_plan {
	MR_PLAN_PASS,   /* TCP whatever the endpoint: leave every socket alone */
	MR_PLAN_MPTCP,  /* MPTCP whatever the endpoint: upgrade at socket(), no extra call */
	MR_PLAN_DECIDE, /* endpoint-dependent: decide at bind/connect/listen */
};

struct mr_runtime {
	struct mr_policy policy;
	struct mr_program prog;
	enum mr_plan plan;
	bool force;
	bool secure;
	const char *conf_path;
	char exe[256];
};

/* The runtime, initialising it if needed; NULL while it cannot be used (re-entry, disabled). */
const struct mr_runtime *mr_runtime(void);

/* Errno of the failed MPTCP socket() that disabled upgrades in this process, or 0. */
extern _Atomic int mr_mptcp_unavailable;
/* Records a socket(IPPROTO_MPTCP) failure; true if errno means "MPTCP cannot be had here". */
bool mr_note_mptcp_failure(int err);

/* The last connect() verdict: a DECIDE socket is created with it to avoid a replacement. */
extern _Atomic int mr_predict_mptcp;

/* This process's pid, kept across fork() (0 before the runtime loaded). A vfork()
 * child shares our memory but not our pid: it must not change our fd table. */
extern pid_t mr_pid;

#endif
