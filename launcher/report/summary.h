/* SPDX-License-Identifier: MIT */
/*
 * The summary of a connection report: what kind each connection was, and the
 * bytes per local address (a path) and per connection. Lines that are not
 * ours are counted, never half-counted; a last line without its '\n' was cut
 * short (or is still being written) and counts as not ours.
 */
#ifndef MPTCP_RUN_LAUNCHER_REPORT_SUMMARY_H
#define MPTCP_RUN_LAUNCHER_REPORT_SUMMARY_H

#include <stdio.h>

#include "report/reader.h"

#define LR_REPORT_TOP 40 /* connections kept for the SVG */
/* The address row for MPTCP connections reported without subflows (closed by both ends). */
#define LR_REPORT_UNKNOWN_PATH "(path unknown)"

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

/* One listener as its clients saw it: a server program and the port it listens on. */
struct lr_report_server {
	char program[64];
	char port[8];
	char listen[LR_REPORT_ADDR_MAX]; /* the listener's own address, "" if it had no line */
	size_t clients, mptcp, fallback, tcp;
	uint64_t bytes;
	uint64_t sampled; /* > 1: its accepted connections were reported one in N */
};

struct lr_report_summary {
	size_t lines, malformed;
	size_t connections, mptcp, fallback, tcp_policy, tcp_kept, not_established;
	size_t listeners, unused;
	size_t paths_early; /* connections whose per-path figures were taken at shutdown() */
	size_t no_figures;  /* connects the supervisor never saw connected (no_figures says why) */
	uint64_t total_bytes;
	struct lr_report_addr *addrs; /* in order of first appearance */
	size_t n_addrs, cap_addrs;
	struct lr_report_conn top[LR_REPORT_TOP]; /* the largest connections, unordered */
	size_t n_top;
	struct lr_report_server
	    *servers; /* listeners and accepted connections, by program + port */
	size_t n_servers, cap_servers;
};

void lr_report_summary_init(struct lr_report_summary *s);
/* Adds one parsed record. -1 (errno ENOMEM) if out of memory. */
int lr_report_summary_add(struct lr_report_summary *s, const struct lr_report_rec *r);
/* Reads a whole report; lines not ours are counted in s->malformed. -1 and errno on error. */
int lr_report_summary_read(struct lr_report_summary *s, FILE *in);
void lr_report_summary_free(struct lr_report_summary *s);

/* "198.18.1.1:443" -> "198.18.1.1", "[fd00::1]:443" -> "fd00::1". */
void lr_report_host_of(const char *endpoint, char *out, size_t size);
/* part as a percentage of whole; 0 when whole is 0. */
double lr_report_pct(uint64_t part, uint64_t whole);

#endif
