/* SPDX-License-Identifier: MIT */
/*
 * The report's JSON line, written by hand into a caller's buffer.
 *
 * Hand-written on purpose, unlike the reader (launcher/report/, jansson): it
 * runs inside close(), possibly in a signal handler of any thread, so it must
 * not allocate, lock or use stdio. Bounded: a line that does not fit is marked
 * overflowed and must be dropped whole, never written in part.
 */
#ifndef MPTCP_RUN_FORMAT_REPORT_LINE_H
#define MPTCP_RUN_FORMAT_REPORT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct mr_line {
	char *buf;
	size_t len, cap;
	bool overflow;
};

void mr_line_init(struct mr_line *l, char *buf, size_t cap);
/* Raw text (punctuation, literals). */
void mr_line_raw(struct mr_line *l, const char *s);
/* A JSON string, escaped; bytes >= 0x80 pass through (paths are bytes). NULL writes null. */
void mr_line_str(struct mr_line *l, const char *s);
/* ,"key": */
void mr_line_key(struct mr_line *l, const char *k);
void mr_line_kv_str(struct mr_line *l, const char *k, const char *v);
void mr_line_kv_u64(struct mr_line *l, const char *k, uint64_t v);
void mr_line_kv_bool(struct mr_line *l, const char *k, bool v);
/* ,"key":"198.18.1.1:443" for an AF_INET/AF_INET6 address, else ,"key":null. */
void mr_line_kv_addr(struct mr_line *l, const char *k, const struct sockaddr_storage *ss);

/* One subflow of a report line. */
struct mr_report_subflow_fields {
	const struct sockaddr_storage *local, *remote;
	const char *dev; /* NULL or "": unknown */
	bool have_counters;
	uint64_t bytes_sent, bytes_acked, bytes_received, retrans, rtt_us;
};

/* Everything a report line says (format "v":1); NULL strings and addresses are null. */
struct mr_report_fields {
	uint64_t time, pid, fd;
	const char *program, *at, *role, *socket, *conn, *policy, *rule, *kept;
	const struct sockaddr_storage *local, *remote;
	bool pinned, shared, have_totals;
	uint64_t bytes_sent, bytes_acked, bytes_received, retrans, subflows_total;
	/* When the subflows' figures were taken: the line's "at" when final, "shutdown" when
	 * recorded earlier because the kernel had dropped them by the close; NULL: none. */
	const char *paths_at;
	/* Why a connection's line has no figures (the supervisor's: it ended between two of
	 * its samples); NULL: not said, the field is left out. */
	const char *no_figures;
	/* An accepted connection reported one in N (MPTCP_RUN_REPORT_SAMPLE); 1: each. */
	uint64_t sampled;
	int n_subflows;
	const struct mr_report_subflow_fields *subflows;
};

/*
 * The whole line, without its newline. The one definition of the format: the
 * reader (launcher/report/reader.c) is tested against it field by field.
 */
void mr_report_compose(struct mr_line *l, const struct mr_report_fields *f);

#endif
