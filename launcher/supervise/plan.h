/* SPDX-License-Identifier: MIT */
/*
 * What the supervisor does to be fast, decided without a system call
 * (supervise/plan.c): which calls the filter sends at all, and which of its
 * speed levers are on (each one can be switched off to measure it).
 */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_PLAN_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "format/integrity_record.h"
#include "policy/policy.h"

/* The speed levers; all on unless MPTCP_RUN_SUPERVISE_OFF names them. */
struct lr_sv_levers {
	bool sync;    /* "sync": SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on the listener (6.6+) */
	bool nswatch; /* "nswatch": no /proc/TID/ns/net look-up until a namespace may change */
	bool pool;    /* "pool": the next MPTCP socket made ahead, after the answer */
	bool bpf;     /* "bpf": connect()/listen() the supervisor would let through stay in BPF */
};

#define LR_SV_LEVER_NAMES "sync, nswatch, pool, bpf"

/*
 * Parses "name,name" (MPTCP_RUN_SUPERVISE_OFF): the named levers are off, the
 * others on. NULL or "": all on. Returns NULL, or the first unknown name
 * (its start in s; the levers named before it are off).
 */
const char *lr_sv_levers_parse(const char *s, struct lr_sv_levers *out);

/* Which calls the filter sends to the supervisor. */
struct lr_sv_plan {
	bool connect, listen; /* false: the call runs without a round trip */
	bool nswatch;         /* setns(), unshare/clone(CLONE_NEWNET), clone3() are sent */
};

/*
 * policy resolved for a program no section names (the defaults); n_sections:
 * how many program sections the policy has (each may say otherwise: then
 * every connect()/listen() is sent); report: --report is on (its lines want
 * each verdict in words and the remote end); kernel: the kernel's recorded
 * integrity (a listener the integrity guard keeps TCP must be judged).
 */
void lr_sv_plan_make(const struct mr_program *defaults, size_t n_sections, bool report,
                     enum mr_kernel_integrity kernel, const struct lr_sv_levers *levers,
                     struct lr_sv_plan *out);

#endif
