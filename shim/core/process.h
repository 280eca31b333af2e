/* SPDX-License-Identifier: MIT */
/*
 * Process-wide facts every part of the lifecycle reads: whether MPTCP can be
 * created here at all, the last connect() verdict, and which process this is.
 * The bottom of shim/core: it depends on nothing above it, so the runtime,
 * the verdicts, the replacement and the report can all read it.
 */
#ifndef MPTCP_RUN_CORE_PROCESS_H
#define MPTCP_RUN_CORE_PROCESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

/* Errno of the failed MPTCP socket() that disabled upgrades in this process, or 0. */
extern _Atomic int mr_mptcp_unavailable;
/* Records a socket(IPPROTO_MPTCP) failure; true if errno means "MPTCP cannot be had here". */
bool mr_note_mptcp_failure(int err);

/* The last connect() verdict: a DECIDE socket is created with it to avoid a replacement. */
extern _Atomic int mr_predict_mptcp;

/* This process's pid, kept across fork() (0 before the runtime loaded). A vfork()
 * child shares our memory but not our pid: it must not change our fd table. */
extern pid_t mr_pid;

/* Records the pid and installs the fork handlers (once, from the runtime's initialisation). */
void mr_process_start(void);

/* True in a vfork() child running in our memory: its closes are not ours. */
bool mr_in_vfork_child(void);

#endif
