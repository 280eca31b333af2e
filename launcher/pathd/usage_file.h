/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's byte counts across restarts (default
 * /var/lib/mptcp-run/pathd-usage.json, `mptcp-run pathd --usage`): its one
 * definition, written by the daemon and read back by it at start, through
 * this module pair only, tested against each other. Root's file in root's
 * folder (os/state_dir.h), replaced whole with fsync (os/atomic_file.h): a
 * crash leaves the previous version, never half of one.
 *
 * {"version":1, "written":"2025-06-20T09:13:05",
 *  "counters":[{"program":"/usr/bin/rsync" ("" all programs),"path":"cellular",
 *               "per":"day|month","start":N,"period":"2025-06-20T00","bytes":N},…],
 *  "subflows":[{"token":"%08x","local":"ADDR","lport":N,"remote":"ADDR","rport":N,
 *               "acked":N,"received":N},…]}
 *
 * "subflows" are the open subflows' tcp_info counters already counted: a
 * daemon started again counts from there, so nothing is counted twice, and
 * what they carried while no daemon ran is counted once it samples them.
 */
#ifndef MPTCP_RUN_PATHD_USAGE_FILE_H
#define MPTCP_RUN_PATHD_USAGE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/addr.h"

#define PD_USAGE_VERSION 1

struct pd_usage_count {
	const char *program, *path;
	uint8_t per, start; /* enum mr_period; the period's first day or hour */
	char period[16];    /* the counted period's start, "2025-06-20T00" */
	uint64_t bytes;
};

struct pd_usage_sub {
	uint32_t token;
	struct pl_addr loc, rem;
	uint16_t lport, rport;
	uint64_t acked, received;
};

struct pd_usage_data {
	char written[32]; /* local time of the write, for people */
	struct pd_usage_count *counts;
	size_t n_counts;
	struct pd_usage_sub *subs;
	size_t n_subs;
	void *json; /* read: what the strings point into */
};

/* Replaces path with u (mode 0644, fsync'd). 0 or a negative errno. */
int pd_usage_write(const char *path, const struct pd_usage_data *u);
/*
 * Reads path into u (pd_usage_free). 0; -ENOENT when there is none (a first start);
 * -EPERM when it is not a regular file owned by root (or the reader) and writable by its
 * owner only, or a symbolic link (its text is not believed); -EINVAL with the reason in err (not
 * ours, another version, broken JSON); -ENOMEM. Entries it cannot read whole are skipped.
 */
int pd_usage_read(const char *path, struct pd_usage_data *u, char *err, size_t esize);
void pd_usage_free(struct pd_usage_data *u);

#endif
