/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run report FILE [--svg OUT]`: summarises the JSON lines the library
 * writes with MPTCP_RUN_REPORT=FILE (see shim/report.c for the producer).
 *
 * The parser is strict and knows exactly the fields the library emits (format
 * version 1): a line with an unknown key, a missing key, a wrong type or
 * anything after the object is "not ours" and is skipped and counted, so a
 * truncated or interleaved line can never be half-counted.
 */
#ifndef MPTCP_RUN_LAUNCHER_REPORT_CMD_H
#define MPTCP_RUN_LAUNCHER_REPORT_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LR_REPORT_MAX_SUBFLOWS 16 /* the library lists at most 9 */
#define LR_REPORT_ADDR_MAX     64 /* "[v6]:port" and NUL */
#define LR_REPORT_TOP          40 /* connections drawn in the SVG */
/* The address row for MPTCP connections reported without subflows (closed by both ends). */
#define LR_REPORT_UNKNOWN_PATH "(path unknown)"

struct lr_report_subflow {
	char local[LR_REPORT_ADDR_MAX], remote[LR_REPORT_ADDR_MAX];
	char dev[16];
	bool has_bytes; /* the counters below were present */
	uint64_t bytes_sent, bytes_acked, bytes_received, retrans, rtt_us;
	int backup; /* -1 unknown, 0, 1 */
};

struct lr_report_rec {
	uint64_t time, pid, fd, subflows_total;
	char program[512];
	char at[8], role[8], socket[8], conn[12], policy[8];
	char local[LR_REPORT_ADDR_MAX], remote[LR_REPORT_ADDR_MAX];
	char rule[512], kept[160];
	bool has_policy, has_kept, pinned, shared;
	bool has_bytes;
	uint64_t bytes_sent, bytes_acked, bytes_received, retrans;
	size_t n_subflows;
	struct lr_report_subflow sf[LR_REPORT_MAX_SUBFLOWS];
};

/* Parses one line (without its '\n'). 0 and *out filled, or -1 if it is not a v1 record. */
int lr_report_parse_line(const char *s, size_t len, struct lr_report_rec *out);

/* Bytes (sent + received) through one local address, over every subflow. */
struct lr_report_addr {
	char addr[LR_REPORT_ADDR_MAX];
	uint64_t bytes;
};

/* One connection as drawn in the SVG. */
struct lr_report_conn {
	char label[160];
	char conn[12];
	uint64_t bytes;
	size_t n;
	struct {
		size_t addr; /* index into the summary's addrs */
		uint64_t bytes;
	} sf[LR_REPORT_MAX_SUBFLOWS];
};

struct lr_report_summary {
	size_t lines, malformed;
	size_t connections, mptcp, fallback, tcp_policy, tcp_kept, not_established;
	size_t listeners, unused;
	uint64_t total_bytes;
	struct lr_report_addr *addrs;
	size_t n_addrs, cap_addrs;
	struct lr_report_conn top[LR_REPORT_TOP]; /* the largest connections, unordered */
	size_t n_top;
};

void lr_report_summary_init(struct lr_report_summary *s);
/* Adds one parsed record. -1 if out of memory. */
int lr_report_summary_add(struct lr_report_summary *s, const struct lr_report_rec *r);
/* Reads a whole report; malformed lines are counted in s->malformed. -1 on a read error. */
int lr_report_summary_read(struct lr_report_summary *s, FILE *in);
void lr_report_summary_free(struct lr_report_summary *s);

/* "198.18.1.1:443" -> "198.18.1.1", "[fd00::1]:443" -> "fd00::1". */
void lr_report_host_of(const char *endpoint, char *out, size_t size);

void lr_report_print(const struct lr_report_summary *s, const char *name, FILE *out);
void lr_report_svg(const struct lr_report_summary *s, FILE *out);

/* The sub-command: argv[0] is "report". Returns the exit status. */
int lr_report_main(int argc, char **argv);

#endif
