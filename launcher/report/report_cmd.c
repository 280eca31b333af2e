/* SPDX-License-Identifier: MIT */
#include "report/report_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "os/msg.h"

/* ---- a strict parser for exactly the JSON the library writes ---- */

struct jp {
	const char *p, *end;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static bool eat(struct jp *j, char c)
{
	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string into out (NUL-terminated); false if malformed or longer than size - 1. */
static bool str(struct jp *j, char *out, size_t size)
{
	size_t n = 0;
	if (!eat(j, '"'))
		return false;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		if (c == '"') {
			out[n] = '\0';
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->p >= j->end)
				return false;
			char e = *j->p++;
			switch (e) {
			case '"':
			case '\\':
			case '/':
				c = (unsigned char)e;
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u': {
				/* The library only escapes control bytes: \u0001..\u001f and
				 * \u007f. */
				int v = j->end - j->p >= 4 ? hex4(j->p) : -1;
				if (v <= 0 || v > 0x7f)
					return false;
				j->p += 4;
				c = (unsigned char)v;
				break;
			}
			default:
				return false;
			}
		}
		if (n + 1 >= size)
			return false;
		out[n++] = (char)c;
	}
	return false; /* the line ended inside the string: truncated */
}

static bool u64(struct jp *j, uint64_t *v)
{
	ws(j);
	const char *start = j->p;
	uint64_t x = 0;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		unsigned d = (unsigned)(*j->p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		j->p++;
	}
	size_t n = (size_t)(j->p - start);
	if (n == 0 || (n > 1 && *start == '0'))
		return false;
	/* "12.5" or "1e3" are numbers, but not ours. */
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
		return false;
	*v = x;
	return true;
}

static bool word(struct jp *j, const char *w)
{
	size_t n = strlen(w);
	ws(j);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool boolean(struct jp *j, bool *v)
{
	if (word(j, "true"))
		*v = true;
	else if (word(j, "false"))
		*v = false;
	else
		return false;
	return true;
}

/* A string or null; *present says which. */
static bool str_or_null(struct jp *j, char *out, size_t size, bool *present)
{
	if (word(j, "null")) {
		out[0] = '\0';
		*present = false;
		return true;
	}
	*present = true;
	return str(j, out, size);
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* Marks key k seen; false if it was already (a duplicate key is not ours). */
static bool first_time(uint32_t *seen, unsigned k)
{
	if (*seen & (1u << k))
		return false;
	*seen |= 1u << k;
	return true;
}

enum { SF_LOCAL, SF_REMOTE, SF_DEV, SF_SENT, SF_ACKED, SF_RECEIVED, SF_RETRANS, SF_RTT, SF_BACKUP };
static const char *const sf_keys[] = {
    "local",          "remote",  "dev",    "bytes_sent", "bytes_acked",
    "bytes_received", "retrans", "rtt_us", "backup",     NULL};

static int key_index(const char *k, const char *const *keys)
{
	for (int i = 0; keys[i]; i++)
		if (strcmp(k, keys[i]) == 0)
			return i;
	return -1;
}

static bool subflow(struct jp *j, struct lr_report_subflow *sf)
{
	char k[32];
	uint32_t seen = 0;
	bool present;
	memset(sf, 0, sizeof(*sf));
	sf->backup = -1;
	if (!eat(j, '{'))
		return false;
	if (eat(j, '}'))
		return false; /* we never write an empty subflow */
	do {
		if (!str(j, k, sizeof(k)) || !eat(j, ':'))
			return false;
		int i = key_index(k, sf_keys);
		if (i < 0 || !first_time(&seen, (unsigned)i))
			return false;
		bool ok = true, b;
		switch (i) {
		case SF_LOCAL:
			ok = str_or_null(j, sf->local, sizeof(sf->local), &present);
			break;
		case SF_REMOTE:
			ok = str_or_null(j, sf->remote, sizeof(sf->remote), &present);
			break;
		case SF_DEV:
			ok = str_or_null(j, sf->dev, sizeof(sf->dev), &present);
			break;
		case SF_SENT:
			ok = u64(j, &sf->bytes_sent);
			break;
		case SF_ACKED:
			ok = u64(j, &sf->bytes_acked);
			break;
		case SF_RECEIVED:
			ok = u64(j, &sf->bytes_received);
			break;
		case SF_RETRANS:
			ok = u64(j, &sf->retrans);
			break;
		case SF_RTT:
			ok = u64(j, &sf->rtt_us);
			break;
		case SF_BACKUP:
			if (word(j, "null"))
				sf->backup = -1;
			else if ((ok = boolean(j, &b)))
				sf->backup = b;
			break;
		}
		if (!ok)
			return false;
	} while (eat(j, ','));
	if (!eat(j, '}'))
		return false;
	/* Required: the addresses, dev and backup; the counters come all together or not at all. */
	uint32_t req = 1u << SF_LOCAL | 1u << SF_REMOTE | 1u << SF_DEV | 1u << SF_BACKUP;
	uint32_t counters =
	    1u << SF_SENT | 1u << SF_ACKED | 1u << SF_RECEIVED | 1u << SF_RETRANS | 1u << SF_RTT;
	if ((seen & req) != req)
		return false;
	if ((seen & counters) != 0 && (seen & counters) != counters)
		return false;
	sf->has_bytes = (seen & counters) == counters;
	return true;
}

enum {
	K_V,
	K_TIME,
	K_PROGRAM,
	K_PID,
	K_FD,
	K_AT,
	K_ROLE,
	K_LOCAL,
	K_REMOTE,
	K_SOCKET,
	K_CONN,
	K_POLICY,
	K_RULE,
	K_KEPT,
	K_PINNED,
	K_SHARED,
	K_SENT,
	K_ACKED,
	K_RECEIVED,
	K_RETRANS,
	K_SF_TOTAL,
	K_SUBFLOWS,
};
static const char *const rec_keys[] = {"v",
                                       "time",
                                       "program",
                                       "pid",
                                       "fd",
                                       "at",
                                       "role",
                                       "local",
                                       "remote",
                                       "socket",
                                       "conn",
                                       "policy",
                                       "rule",
                                       "kept",
                                       "pinned",
                                       "shared",
                                       "bytes_sent",
                                       "bytes_acked",
                                       "bytes_received",
                                       "retrans",
                                       "subflows_total",
                                       "subflows",
                                       NULL};

static const char *const ats[] = {"close", "exit", NULL};
static const char *const roles[] = {"connect", "listen", "unused", NULL};
static const char *const protos[] = {"mptcp", "tcp", NULL};
static const char *const conns[] = {"mptcp", "fallback", "tcp", "none", NULL};

static bool value(struct jp *j, int i, struct lr_report_rec *r)
{
	uint64_t v;
	bool present;
	switch (i) {
	case K_V:
		return u64(j, &v) && v == 1;
	case K_TIME:
		return u64(j, &r->time);
	case K_PROGRAM:
		/* null when the library could not know it (a close in a signal handler during
		 * init). */
		return str_or_null(j, r->program, sizeof(r->program), &present);
	case K_PID:
		return u64(j, &r->pid);
	case K_FD:
		return u64(j, &r->fd);
	case K_AT:
		return str(j, r->at, sizeof(r->at)) && one_of(r->at, ats);
	case K_ROLE:
		return str(j, r->role, sizeof(r->role)) && one_of(r->role, roles);
	case K_LOCAL:
		return str_or_null(j, r->local, sizeof(r->local), &present);
	case K_REMOTE:
		return str_or_null(j, r->remote, sizeof(r->remote), &present);
	case K_SOCKET:
		return str(j, r->socket, sizeof(r->socket)) && one_of(r->socket, protos);
	case K_CONN:
		return str(j, r->conn, sizeof(r->conn)) && one_of(r->conn, conns);
	case K_POLICY:
		return str_or_null(j, r->policy, sizeof(r->policy), &r->has_policy) &&
		       (!r->has_policy || one_of(r->policy, protos));
	case K_RULE:
		return str_or_null(j, r->rule, sizeof(r->rule), &present);
	case K_KEPT:
		return str_or_null(j, r->kept, sizeof(r->kept), &r->has_kept);
	case K_PINNED:
		return boolean(j, &r->pinned);
	case K_SHARED:
		return boolean(j, &r->shared);
	case K_SENT:
		return u64(j, &r->bytes_sent);
	case K_ACKED:
		return u64(j, &r->bytes_acked);
	case K_RECEIVED:
		return u64(j, &r->bytes_received);
	case K_RETRANS:
		return u64(j, &r->retrans);
	case K_SF_TOTAL:
		return u64(j, &r->subflows_total);
	case K_SUBFLOWS:
		if (!eat(j, '['))
			return false;
		if (eat(j, ']'))
			return true;
		do {
			if (r->n_subflows >= LR_REPORT_MAX_SUBFLOWS ||
			    !subflow(j, &r->sf[r->n_subflows]))
				return false;
			r->n_subflows++;
		} while (eat(j, ','));
		return eat(j, ']');
	}
	return false;
}

int lr_report_parse_line(const char *s, size_t len, struct lr_report_rec *out)
{
	struct jp j = {s, s + len};
	uint32_t seen = 0;
	char k[32];

	memset(out, 0, sizeof(*out));
	if (!eat(&j, '{'))
		return -1;
	do {
		if (!str(&j, k, sizeof(k)) || !eat(&j, ':'))
			return -1;
		int i = key_index(k, rec_keys);
		if (i < 0 || !first_time(&seen, (unsigned)i) || !value(&j, i, out))
			return -1;
	} while (eat(&j, ','));
	if (!eat(&j, '}'))
		return -1;
	ws(&j);
	if (j.p != j.end)
		return -1;
	uint32_t counters = 1u << K_SENT | 1u << K_ACKED | 1u << K_RECEIVED | 1u << K_RETRANS;
	uint32_t optional = counters;
	uint32_t all = (1u << (K_SUBFLOWS + 1)) - 1;
	if ((seen | optional) != all)
		return -1;
	if ((seen & counters) != 0 && (seen & counters) != counters)
		return -1;
	out->has_bytes = (seen & counters) == counters;
	/*
	 * A connection that is not established has no subflows; a TCP one (or a fallback)
	 * lists exactly its own path; an MPTCP one lists its subflows, or none once both ends
	 * closed it (the kernel has reset them by then).
	 */
	if (strcmp(out->conn, "none") == 0    ? out->n_subflows != 0
	    : strcmp(out->conn, "mptcp") == 0 ? false
	                                      : out->n_subflows != 1)
		return -1;
	return 0;
}

/* ---- summary ---- */

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

void lr_report_summary_init(struct lr_report_summary *s)
{
	memset(s, 0, sizeof(*s));
}

void lr_report_summary_free(struct lr_report_summary *s)
{
	free(s->addrs);
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

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
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

int lr_report_summary_add(struct lr_report_summary *s, const struct lr_report_rec *r)
{
	s->lines++;
	if (strcmp(r->role, "listen") == 0) {
		s->listeners++;
		return 0;
	}
	if (strcmp(r->role, "unused") == 0) {
		s->unused++;
		return 0;
	}
	if (strcmp(r->conn, "none") == 0) {
		s->not_established++;
		return 0;
	}
	s->connections++;
	if (strcmp(r->conn, "mptcp") == 0)
		s->mptcp++;
	else if (strcmp(r->conn, "fallback") == 0)
		s->fallback++;
	else if (r->has_kept)
		s->tcp_kept++;
	else
		s->tcp_policy++;

	struct lr_report_conn c;
	memset(&c, 0, sizeof(c));
	/* Truncation is fine for a label: the program name is cut to 64 bytes. */
	snprintf(c.label, sizeof(c.label), "%.64s[%llu] -> %.64s", base_name(r->program),
	         (unsigned long long)r->pid, r->remote[0] ? r->remote : "?");
	snprintf(c.conn, sizeof(c.conn), "%s", r->conn);
	if (r->n_subflows == 0 && r->has_bytes) {
		/* Closed by both ends before the report: the bytes are known, their path is not. */
		uint64_t b = r->bytes_sent + r->bytes_received;
		size_t a = addr_slot(s, LR_REPORT_UNKNOWN_PATH);
		if (a == (size_t)-1)
			return -1;
		s->addrs[a].bytes += b;
		s->total_bytes += b;
		c.sf[0].addr = a;
		c.sf[0].bytes = b;
		c.n = 1;
		c.bytes = b;
	}
	for (size_t i = 0; i < r->n_subflows; i++) {
		const struct lr_report_subflow *sf = &r->sf[i];
		char host[LR_REPORT_ADDR_MAX];
		uint64_t b = sf->has_bytes ? sf->bytes_sent + sf->bytes_received : 0;
		lr_report_host_of(sf->local[0] ? sf->local : "?", host, sizeof(host));
		size_t a = addr_slot(s, host);
		if (a == (size_t)-1)
			return -1;
		s->addrs[a].bytes += b;
		s->total_bytes += b;
		c.sf[c.n].addr = a;
		c.sf[c.n].bytes = b;
		c.n++;
		c.bytes += b;
	}
	keep_top(s, &c);
	return 0;
}

int lr_report_summary_read(struct lr_report_summary *s, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct lr_report_rec *r = malloc(sizeof(*r));
	int rc = 0;

	if (!r)
		return -1;
	errno = 0;
	while ((n = getline(&line, &cap, in)) > 0) {
		size_t len = (size_t)n;
		bool whole = line[len - 1] == '\n';
		if (whole)
			len--;
		if (len == 0)
			continue;
		/* A last line without '\n' was cut short (or is still being written). */
		if (!whole || lr_report_parse_line(line, len, r) < 0) {
			s->malformed++;
			continue;
		}
		if (lr_report_summary_add(s, r) < 0) {
			rc = -1;
			break;
		}
	}
	if (ferror(in))
		rc = -1;
	free(line);
	free(r);
	return rc;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct lr_report_addr *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->addr, y->addr);
}

void lr_report_print(const struct lr_report_summary *s, const char *name, FILE *out)
{
	fprintf(out, "report: %s\n", name);
	fprintf(out, "connections: %zu (MPTCP %zu, fallback to TCP %zu, TCP by policy %zu",
	        s->connections, s->mptcp, s->fallback, s->tcp_policy);
	if (s->tcp_kept)
		fprintf(out, ", TCP although the policy said MPTCP %zu", s->tcp_kept);
	fprintf(out, ")\n");
	fprintf(out, "listeners: %zu, connects that never completed: %zu, unused sockets: %zu\n",
	        s->listeners, s->not_established, s->unused);
	if (s->malformed)
		fprintf(out, "skipped %zu malformed line%s\n", s->malformed,
		        s->malformed == 1 ? "" : "s");
	if (s->n_addrs == 0)
		return;

	struct lr_report_addr *sorted = malloc(s->n_addrs * sizeof(*sorted));
	const struct lr_report_addr *rows = s->addrs;
	if (sorted) {
		memcpy(sorted, s->addrs, s->n_addrs * sizeof(*sorted));
		qsort(sorted, s->n_addrs, sizeof(*sorted), by_bytes_desc);
		rows = sorted;
	}
	fprintf(out, "\n%-40s %15s %7s\n", "local address", "bytes", "share");
	for (size_t i = 0; i < s->n_addrs; i++)
		fprintf(out, "%-40s %15llu %6.1f%%\n", rows[i].addr,
		        (unsigned long long)rows[i].bytes, pct(rows[i].bytes, s->total_bytes));
	fprintf(out, "%-40s %15llu %6.1f%%\n", "total", (unsigned long long)s->total_bytes,
	        s->total_bytes ? 100.0 : 0.0);
	free(sorted);
}

/* ---- SVG ---- */

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                      "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
#define PALETTE_N (sizeof(palette) / sizeof(palette[0]))

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			/* Control bytes are not allowed in XML 1.0. */
			fputc((unsigned char)*s < 0x20 ? '?' : *s, out);
		}
	}
}

static int by_conn_bytes_desc(const void *a, const void *b)
{
	const struct lr_report_conn *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->label, y->label);
}

void lr_report_svg(const struct lr_report_summary *s, FILE *out)
{
	const int width = 900, left = 20, bar_w = 860, label_w = 340;
	struct lr_report_conn top[LR_REPORT_TOP];
	size_t n_top = s->n_top;
	int y, height;

	memcpy(top, s->top, n_top * sizeof(top[0]));
	qsort(top, n_top, sizeof(top[0]), by_conn_bytes_desc);
	height = 120 + 18 * (int)s->n_addrs + 40 + 22 * (int)n_top + 20;

	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
	        width, height, width, height);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(
	    out,
	    "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">mptcp-run report: "
	    "%zu connections (MPTCP %zu, fallback %zu, TCP by policy %zu, TCP kept %zu)</text>\n",
	    left, s->connections, s->mptcp, s->fallback, s->tcp_policy, s->tcp_kept);

	/* Share of bytes per local address (path): one stacked bar and a legend. */
	fprintf(out,
	        "<text x=\"%d\" y=\"50\" font-weight=\"bold\">Bytes per local address</text>\n",
	        left);
	double x = left;
	for (size_t i = 0; i < s->n_addrs; i++) {
		double w =
		    s->total_bytes ? bar_w * (double)s->addrs[i].bytes / (double)s->total_bytes : 0;
		fprintf(
		    out,
		    "<rect x=\"%.1f\" y=\"60\" width=\"%.1f\" height=\"24\" fill=\"%s\"><title>", x,
		    w, palette[i % PALETTE_N]);
		xml_text(out, s->addrs[i].addr);
		fprintf(out, ": %llu bytes</title></rect>\n",
		        (unsigned long long)s->addrs[i].bytes);
		x += w;
	}
	if (s->n_addrs == 0 || s->total_bytes == 0)
		fprintf(out,
		        "<rect x=\"%d\" y=\"60\" width=\"%d\" height=\"24\" fill=\"#ddd\"/>"
		        "<text x=\"%d\" y=\"76\">no bytes reported</text>\n",
		        left, bar_w, left + 8);
	y = 104;
	for (size_t i = 0; i < s->n_addrs; i++, y += 18) {
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>",
		        left, y - 10, palette[i % PALETTE_N]);
		fprintf(out, "<text x=\"%d\" y=\"%d\">", left + 18, y);
		xml_text(out, s->addrs[i].addr);
		fprintf(out, " \xe2\x80\x94 %llu bytes (%.1f%%)</text>\n",
		        (unsigned long long)s->addrs[i].bytes,
		        pct(s->addrs[i].bytes, s->total_bytes));
	}

	/* Per connection: a bar per connection, split by subflow, coloured by local address. */
	y += 20;
	fprintf(
	    out,
	    "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Connections by bytes (top %zu)</text>\n",
	    left, y, n_top);
	y += 12;
	uint64_t max = n_top ? top[0].bytes : 0;
	for (size_t i = 0; i < n_top; i++, y += 22) {
		const struct lr_report_conn *c = &top[i];
		fprintf(out, "<text x=\"%d\" y=\"%d\">", left, y + 14);
		xml_text(out, c->label);
		fprintf(out, " (%s)</text>\n", c->conn);
		double cx = left + label_w;
		for (size_t k = 0; k < c->n; k++) {
			double w =
			    max ? (bar_w - label_w) * (double)c->sf[k].bytes / (double)max : 0;
			fprintf(
			    out,
			    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
			    "<title>",
			    cx, y + 2, w, palette[c->sf[k].addr % PALETTE_N]);
			xml_text(out, s->addrs[c->sf[k].addr].addr);
			fprintf(out, ": %llu bytes</title></rect>\n",
			        (unsigned long long)c->sf[k].bytes);
			cx += w;
		}
	}
	fprintf(out, "</svg>\n");
}

/* ---- the sub-command ---- */

static void report_usage(FILE *out)
{
	fprintf(out,
	        "Usage: mptcp-run report FILE [--svg OUT]\n"
	        "Summarises a connection report written with MPTCP_RUN_REPORT=FILE:\n"
	        "connections (MPTCP, fallback, TCP by policy) and the share of bytes per local\n"
	        "address. --svg OUT also draws the shares per path and per connection.\n");
}

int lr_report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"svg", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *svg = NULL;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			svg = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return LR_EXIT_OK;
		default:
			lr_err("report: %s",
			       optopt == 's' ? "--svg needs a file name" : "unknown option");
			report_usage(stderr);
			return LR_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		report_usage(stderr);
		return LR_EXIT_USAGE;
	}
	const char *path = argv[optind];
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (!in) {
		lr_err("report: %s: %s", path, strerror(errno));
		return LR_EXIT_FAIL;
	}
	struct lr_report_summary *s = malloc(sizeof(*s));
	if (!s) {
		lr_err("report: out of memory");
		if (in != stdin)
			fclose(in);
		return LR_EXIT_FAIL;
	}
	lr_report_summary_init(s);
	int rc = lr_report_summary_read(s, in);
	int err = errno;
	if (in != stdin)
		fclose(in);
	if (rc < 0) {
		lr_err("report: %s: %s", path, strerror(err ? err : ENOMEM));
		lr_report_summary_free(s);
		free(s);
		return LR_EXIT_FAIL;
	}
	lr_report_print(s, path, stdout);
	int status = LR_EXIT_OK;
	if (svg) {
		FILE *o = fopen(svg, "we");
		if (!o) {
			lr_err("report: %s: %s", svg, strerror(errno));
			status = LR_EXIT_FAIL;
		} else {
			lr_report_svg(s, o);
			if (fclose(o) != 0) {
				lr_err("report: %s: %s", svg, strerror(errno));
				status = LR_EXIT_FAIL;
			}
		}
	}
	lr_report_summary_free(s);
	free(s);
	return status;
}
