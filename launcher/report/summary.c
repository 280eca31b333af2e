/* SPDX-License-Identifier: MIT */
/*
 * Aggregation of report records: every line is read whole or counted as not
 * ours; memory grows only with the number of distinct local addresses, and
 * an allocation failure is reported, never a silently short summary.
 */
#include "report/summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void lr_report_host_of(const char *endpoint, char *out, size_t size)
{
	const char *colon = strrchr(endpoint, ':');
	size_t n = colon ? (size_t)(colon - endpoint) : strlen(endpoint);
	const char *start = endpoint;
	if (n >= 2 && endpoint[0] == '[' && endpoint[n - 1] == ']') {
		start++;
		n -= 2;
	}
	if (n >= size)
		n = size - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

double lr_report_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void lr_report_summary_init(struct lr_report_summary *s)
{
	memset(s, 0, sizeof(*s));
}

void lr_report_summary_free(struct lr_report_summary *s)
{
	free(s->addrs);
	free(s->servers);
	memset(s, 0, sizeof(*s));
}

/* Index of the address in s->addrs, adding it; (size_t)-1 if out of memory. */
static size_t addr_slot(struct lr_report_summary *s, const char *addr)
{
	for (size_t i = 0; i < s->n_addrs; i++)
		if (strcmp(s->addrs[i].addr, addr) == 0)
			return i;
	if (s->n_addrs == s->cap_addrs) {
		size_t cap = s->cap_addrs ? 2 * s->cap_addrs : 8;
		struct lr_report_addr *a = realloc(s->addrs, cap * sizeof(*a));
		if (!a)
			return (size_t)-1;
		s->addrs = a;
		s->cap_addrs = cap;
	}
	struct lr_report_addr *a = &s->addrs[s->n_addrs];
	snprintf(a->addr, sizeof(a->addr), "%s", addr);
	a->bytes = 0;
	return s->n_addrs++;
}

/* Counts bytes on one path (a local address) of connection c. -1 if out of memory. */
static int add_path(struct lr_report_summary *s, struct lr_report_conn *c, const char *addr,
                    uint64_t bytes)
{
	size_t a = addr_slot(s, addr);
	if (a == (size_t)-1) {
		errno = ENOMEM;
		return -1;
	}
	s->addrs[a].bytes += bytes;
	s->total_bytes += bytes;
	c->sf[c->n].addr = a;
	c->sf[c->n].bytes = bytes;
	c->n++;
	c->bytes += bytes;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The port of "198.18.1.2:80" or "[fd00::2]:80" into out ("" if none). */
static void port_of(const char *endpoint, char *out, size_t size)
{
	const char *colon = strrchr(endpoint, ':');
	snprintf(out, size, "%s",
	         colon && (!strchr(endpoint, '[') || colon[-1] == ']') ? colon + 1 : "");
}

/* The server entry for the record's program and local port, adding it; NULL if out of memory. */
static struct lr_report_server *server_slot(struct lr_report_summary *s,
                                            const struct lr_report_rec *r)
{
	char prog[64], port[8];
	snprintf(prog, sizeof(prog), "%.63s", base_name(r->program)); /* a label: cut is fine */
	port_of(r->local, port, sizeof(port));
	for (size_t i = 0; i < s->n_servers; i++)
		if (strcmp(s->servers[i].program, prog) == 0 &&
		    strcmp(s->servers[i].port, port) == 0)
			return &s->servers[i];
	if (s->n_servers == s->cap_servers) {
		size_t cap = s->cap_servers ? 2 * s->cap_servers : 4;
		struct lr_report_server *v = realloc(s->servers, cap * sizeof(*v));
		if (!v) {
			errno = ENOMEM;
			return NULL;
		}
		s->servers = v;
		s->cap_servers = cap;
	}
	struct lr_report_server *v = &s->servers[s->n_servers++];
	memset(v, 0, sizeof(*v));
	memcpy(v->program, prog, sizeof(prog));
	memcpy(v->port, port, sizeof(port));
	return v;
}

/* The server view: a listener's line names it; an accepted connection counts for it. */
static int count_server(struct lr_report_summary *s, const struct lr_report_rec *r, uint64_t bytes)
{
	bool listener = strcmp(r->role, "listen") == 0;
	if (!listener && (strcmp(r->role, "accepted") != 0 || strcmp(r->conn, "none") == 0))
		return 0;
	struct lr_report_server *v = server_slot(s, r);
	if (!v)
		return -1;
	if (listener) {
		snprintf(v->listen, sizeof(v->listen), "%s", r->local);
		return 0;
	}
	v->clients++;
	if (r->sampled > 1)
		v->sampled = r->sampled;
	if (strcmp(r->conn, "mptcp") == 0)
		v->mptcp++;
	else if (strcmp(r->conn, "fallback") == 0)
		v->fallback++;
	else
		v->tcp++;
	v->bytes += bytes;
	return 0;
}

/* Keeps the LR_REPORT_TOP largest connections: replaces the smallest when full. */
static void keep_top(struct lr_report_summary *s, const struct lr_report_conn *c)
{
	if (s->n_top < LR_REPORT_TOP) {
		s->top[s->n_top++] = *c;
		return;
	}
	size_t min = 0;
	for (size_t i = 1; i < s->n_top; i++)
		if (s->top[i].bytes < s->top[min].bytes)
			min = i;
	if (c->bytes > s->top[min].bytes)
		s->top[min] = *c;
}

/* Counts the record's kind; false if it is no connection (nothing more to add). */
static bool count_kind(struct lr_report_summary *s, const struct lr_report_rec *r)
{
	s->lines++;
	if (strcmp(r->role, "listen") == 0)
		s->listeners++;
	else if (strcmp(r->role, "unused") == 0)
		s->unused++;
	else if (r->has_no_figures) /* the supervisor's: it may well have completed */
		s->no_figures++;
	else if (strcmp(r->conn, "none") == 0)
		s->not_established++;
	else {
		s->connections++;
		if (strcmp(r->conn, "mptcp") == 0)
			s->mptcp++;
		else if (strcmp(r->conn, "fallback") == 0)
			s->fallback++;
		else if (r->has_kept)
			s->tcp_kept++;
		else
			s->tcp_policy++;
		return true;
	}
	return false;
}

int lr_report_summary_add(struct lr_report_summary *s, const struct lr_report_rec *r)
{
	struct lr_report_conn c;

	if (!count_kind(s, r))
		return count_server(s, r, 0);
	memset(&c, 0, sizeof(c));
	/* Truncation is fine for a label: the program name is cut to 64 bytes. */
	snprintf(c.label, sizeof(c.label), "%.64s[%llu] -> %.64s", base_name(r->program),
	         (unsigned long long)r->pid, r->remote[0] ? r->remote : "?");
	snprintf(c.conn, sizeof(c.conn), "%s", r->conn);
	if (r->has_paths_at && strcmp(r->paths_at, r->at) != 0)
		s->paths_early++;
	/* Closed by both ends before the report: the bytes are known, their path is not. */
	if (r->n_subflows == 0 && r->has_bytes &&
	    add_path(s, &c, LR_REPORT_UNKNOWN_PATH, r->bytes_sent + r->bytes_received) < 0)
		return -1;
	for (size_t i = 0; i < r->n_subflows; i++) {
		const struct lr_report_subflow *sf = &r->sf[i];
		char host[LR_REPORT_ADDR_MAX];
		lr_report_host_of(sf->local[0] ? sf->local : "?", host, sizeof(host));
		if (add_path(s, &c, host, sf->has_bytes ? sf->bytes_sent + sf->bytes_received : 0) <
		    0)
			return -1;
	}
	keep_top(s, &c);
	return count_server(s, r, c.bytes);
}

/* One line as getline() returned it (n > 0): 0, or -1 and errno if the summary failed. */
static int read_line(struct lr_report_summary *s, char *line, size_t n, struct lr_report_rec *r)
{
	bool whole = line[n - 1] == '\n';
	size_t len = whole ? n - 1 : n;
	if (len == 0)
		return 0; /* blank lines are nobody's */
	/* A last line without '\n' was cut short (or is still being written). */
	int rc = whole ? lr_report_parse_line(line, len, r) : LR_REPORT_NOT_OURS;
	if (rc == LR_REPORT_NOMEM) {
		errno = ENOMEM;
		return -1;
	}
	if (rc < 0) {
		s->malformed++;
		return 0;
	}
	return lr_report_summary_add(s, r);
}

int lr_report_summary_read(struct lr_report_summary *s, FILE *in)
{
	struct lr_report_rec r; /* about 5 KiB: one record at a time */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	errno = 0;
	while (rc == 0 && (n = getline(&line, &cap, in)) > 0)
		rc = read_line(s, line, (size_t)n, &r);
	/* getline() also stops when it cannot grow its buffer: that is no end of file. */
	if (rc == 0 && (ferror(in) || !feof(in))) {
		if (errno == 0)
			errno = EIO;
		rc = -1;
	}
	int err = errno;
	free(line);
	errno = err;
	return rc;
}
