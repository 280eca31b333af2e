/* SPDX-License-Identifier: MIT */
/*
 * Which process holds a socket: /proc/PID/fd links "socket:[INODE]" (what
 * ss -p reads). Another user's /proc/PID/fd needs root (or CAP_SYS_PTRACE):
 * those processes are counted, not guessed. Owners found are cached by
 * inode, so a steady screen costs no scan; a new connection triggers one.
 */
#ifndef MPTCP_RUN_SAMPLER_OWNERS_H
#define MPTCP_RUN_SAMPLER_OWNERS_H

#include "live/sample.h"

#define LS_OWNER_CACHE 1024

struct ls_owners {
	size_t n;
	struct {
		uint32_t inode;
		pid_t pid;
		char prog[LV_PROG];
	} e[LS_OWNER_CACHE];
	unsigned unreadable; /* of the last scan */
};

/*
 * Sets pid and prog of the connections of s whose socket inode is known.
 * only (n_only > 0): look in these processes alone (a command's tree), else
 * in every process. Counts what stays unknown in s->lim.
 */
void ls_owners_find(struct ls_owners *o, struct lv_sample *s, const pid_t *only, size_t n_only);

/* The pids of root and all its descendants (/proc/PID/task/TID/children), at most max. */
size_t ls_descendants(pid_t root, pid_t *out, size_t max);

#endif
