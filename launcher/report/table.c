/* SPDX-License-Identifier: MIT */
/*
 * The text summary: the counts by kind, the server view (per listener: its
 * clients by kind and their bytes), then one row per local address with its
 * bytes and share, largest first (in order of appearance if there is no memory
 * to sort), and the total.
 */
#include "report/output.h"

#include <stdlib.h>
#include <string.h>

static int by_bytes_desc(const void *a, const void *b)
{
	const struct lr_report_addr *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->addr, y->addr);
}

static void print_counts(const struct lr_report_summary *s, const char *name, FILE *out)
{
	fprintf(out, "report: %s\n", name);
	fprintf(out, "connections: %zu (MPTCP %zu, fallback to TCP %zu, TCP by policy %zu",
	        s->connections, s->mptcp, s->fallback, s->tcp_policy);
	if (s->tcp_kept)
		fprintf(out, ", TCP although the policy said MPTCP %zu", s->tcp_kept);
	fprintf(out, ")\n");
	fprintf(out, "listeners: %zu, connects that never completed: %zu, unused sockets: %zu\n",
	        s->listeners, s->not_established, s->unused);
	if (s->paths_early)
		fprintf(
		    out,
		    "per-path bytes taken at shutdown() (the kernel had dropped the subflows by "
		    "close): %zu connection%s\n",
		    s->paths_early, s->paths_early == 1 ? "" : "s");
	if (s->no_figures)
		fprintf(out,
		        "connects without figures (they ended between two of the supervisor's "
		        "samples): %zu\n",
		        s->no_figures);
	if (s->malformed)
		fprintf(out, "skipped %zu malformed line%s\n", s->malformed,
		        s->malformed == 1 ? "" : "s");
}

/* Per listener: how many clients used MPTCP, how many fell back, and their bytes. */
static void print_servers(const struct lr_report_summary *s, FILE *out)
{
	if (s->n_servers == 0)
		return;
	fprintf(out, "\n%-20s %-28s %8s %6s %9s %5s %15s\n", "server", "listener", "clients",
	        "MPTCP", "fallback", "TCP", "bytes");
	for (size_t i = 0; i < s->n_servers; i++) {
		const struct lr_report_server *v = &s->servers[i];
		char where[LR_REPORT_ADDR_MAX + 8];
		if (v->listen[0])
			snprintf(where, sizeof(where), "%s", v->listen);
		else
			snprintf(where, sizeof(where), "port %s", v->port);
		fprintf(out, "%-20s %-28s %8zu %6zu %9zu %5zu %15llu", v->program, where,
		        v->clients, v->mptcp, v->fallback, v->tcp, (unsigned long long)v->bytes);
		/* Counts of lines, not of connections: said, never scaled. */
		if (v->sampled > 1)
			fprintf(out, "  (1 in %llu connections sampled)",
			        (unsigned long long)v->sampled);
		fputc('\n', out);
	}
}

void lr_report_print(const struct lr_report_summary *s, const char *name, FILE *out)
{
	print_counts(s, name, out);
	print_servers(s, out);
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
		        (unsigned long long)rows[i].bytes,
		        lr_report_pct(rows[i].bytes, s->total_bytes));
	fprintf(out, "%-40s %15llu %6.1f%%\n", "total", (unsigned long long)s->total_bytes,
	        s->total_bytes ? 100.0 : 0.0);
	free(sorted);
}
