/* SPDX-License-Identifier: MIT */
/*
 * One line of a connection report -> one record. The lines are those the
 * preload library writes with MPTCP_RUN_REPORT=FILE (shim/core/report.c,
 * format "v":1). The reader is strict and knows exactly the fields the
 * library emits: a line with a duplicate key, an unknown key, a missing key,
 * a wrong type, a string longer than its field or anything after the object
 * is "not ours", so a truncated or interleaved line is never half-counted.
 */
#ifndef MPTCP_RUN_LAUNCHER_REPORT_READER_H
#define MPTCP_RUN_LAUNCHER_REPORT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LR_REPORT_MAX_SUBFLOWS 16 /* the library lists at most 9 */
#define LR_REPORT_ADDR_MAX     64 /* "[v6]:port" and NUL */

/* lr_report_parse_line() results besides 0. */
#define LR_REPORT_NOT_OURS (-1)
#define LR_REPORT_NOMEM    (-2)

struct lr_report_subflow {
	char local[LR_REPORT_ADDR_MAX], remote[LR_REPORT_ADDR_MAX];
	char dev[16];
	bool has_bytes; /* the counters below were present */
	uint64_t bytes_sent, bytes_acked, bytes_received, retrans, rtt_us;
	int backup; /* -1 unknown, 0, 1 */
};

struct lr_report_rec {
	uint64_t time, pid, fd, subflows_total;
	uint64_t sampled; /* N of "one accepted connection in N" (0 or absent: each) */
	char program[512];
	char at[8], role[12], socket[8], conn[12], policy[8];
	char local[LR_REPORT_ADDR_MAX], remote[LR_REPORT_ADDR_MAX];
	char rule[512], kept[160];
	char paths_at[12];    /* when the subflows' figures were taken ("" when none) */
	char no_figures[160]; /* why a connection has no figures (the supervisor's lines) */
	bool has_policy, has_kept, has_paths_at, has_no_figures, pinned, shared;
	bool has_bytes;
	uint64_t bytes_sent, bytes_acked, bytes_received, retrans;
	size_t n_subflows;
	struct lr_report_subflow sf[LR_REPORT_MAX_SUBFLOWS];
};

/*
 * Parses one line (without its '\n') into *out: 0, LR_REPORT_NOT_OURS if it is
 * not a v1 record, LR_REPORT_NOMEM if the JSON parser ran out of memory.
 * String values are the bytes the library wrote (paths need not be UTF-8).
 */
int lr_report_parse_line(const char *s, size_t len, struct lr_report_rec *out);

#endif
