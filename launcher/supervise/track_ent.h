/* SPDX-License-Identifier: MIT */
/*
 * What the report under the supervisor keeps per socket: shared by the
 * sampler (supervise/track.c) and the search for accepted connections
 * (supervise/accepted.c), nobody else.
 */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_TRACK_ENT_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_TRACK_ENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "kernel/uapi.h"
#include "policy/policy.h"

#define MAX_SF      8
#define MAX_TRACKED 4096
#define MAX_SEEN    1024 /* socket inodes known not to be accepted connections */

struct sf {
	struct sockaddr_storage local, remote;
	bool counters;
	uint64_t sent, acked, received, retrans, rtt_us;
};

struct ent {
	pid_t pid;
	int fd;
	ino_t ino;
	bool mptcp_socket, pinned, judged, established, listening, have_local, have_remote;
	bool accepted; /* found by the sampler on a listener's address */
	bool have_totals;
	enum mr_role role;
	enum mr_verdict verdict;
	const char *conn;
	char rule[240];
	char program[256];
	struct sockaddr_storage local, remote;
	uint64_t sent, acked, received, retrans;
	int total, n;
	struct sf sf[MAX_SF];
};

struct lr_sv_track {
	int fd;
	size_t n, cap;
	struct ent *v;
	ino_t seen[MAX_SEEN]; /* a ring */
	size_t seen_next;
};

/* The entry of process pid's descriptor fd, or NULL. */
static inline struct ent *lr_sv_track_find(struct lr_sv_track *t, pid_t pid, int fd)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == pid && t->v[i].fd == fd)
			return &t->v[i];
	return NULL;
}
/* Tracks the accepted connections of the listeners' processes not tracked yet. */
void lr_sv_track_discover_accepted(struct lr_sv_track *t);

#endif
