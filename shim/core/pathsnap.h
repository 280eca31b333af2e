/* SPDX-License-Identifier: MIT */
/*
 * Per-path counters of a connection, taken while its subflows still exist.
 * After an orderly close by both ends the kernel drops an MPTCP connection's
 * subflows, often before the program calls close(): the report then had the
 * connection's totals but no paths. A program that shuts down its sending
 * side first (ncat --send-only) gets its paths recorded at shutdown(), and the
 * report uses them, marked as taken then, when close() finds none.
 *
 * Only with a report open. The table is mmap()ed in chunks on the first
 * snapshot of a chunk and never freed; reading a snapshot in close() takes no
 * lock and allocates nothing (a sequence count detects a racing writer).
 */
#ifndef MPTCP_RUN_CORE_PATHSNAP_H
#define MPTCP_RUN_CORE_PATHSNAP_H

#include <stdbool.h>

#include "kernel/sockinfo.h"

/* Records fd's subflows now (a socket mptcp-run manages, with a report open). */
void mr_pathsnap_take(int fd);
/* The subflows recorded for the socket now at fd, if any; false if none or not this socket. */
bool mr_pathsnap_get(int fd, struct mr_conn_info *c);
/* Forgets fd's snapshot (after its report line). */
void mr_pathsnap_drop(int fd);

#endif
