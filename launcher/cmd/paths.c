/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run paths [--state FILE] [--json]`: the live view of the path daemon,
 * read from the state file it rewrites (at most every 200 ms) while it runs
 * (pathd/state_file.h, the file's one definition): each path with its
 * interface state (a path of a kind: the interfaces of that kind), each
 * connection with its program, its paths and its subflows, and the use of
 * counted paths against their budgets, per path and per program. --json
 * prints the file's content. Exit 1 when no daemon runs (no state file), 2 on
 * bad usage.
 */
#include "cmd/commands.h"
#include "cmd/options.h"
#include "os/msg.h"
#include "pathd/pathd.h"
#include "pathd/state_file.h"
#include "policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* "2025-06-01T00" -> "2025-06-01 00:00" */
static const char *when(const char *key, char *buf, size_t size)
{
	snprintf(buf, size, "%.10s %.2s:00", key, strlen(key) >= 13 ? key + 11 : "00");
	return buf;
}

/* "5.21 MB of 5.00 MB per month from day 1", or "5.21 MB" without a budget. */
static void use_text(unsigned long long used, const struct pd_state_budget *b, char *buf,
                     size_t size)
{
	char u[32], bt[96];
	mr_format_bytes(used, u, sizeof(u));
	if (!b->bytes) {
		snprintf(buf, size, "%s", u);
		return;
	}
	const struct mr_budget mb = {.bytes = b->bytes, .per = b->per, .start = b->start};
	mr_format_budget(&mb, bt, sizeof(bt));
	snprintf(buf, size, "%s of %s", u, bt);
}

/* The counted paths' use, all programs together, then each program's. */
static void print_use(const struct pd_state *s)
{
	bool any = false;
	char text[200], a[24], b[24];
	for (size_t i = 0; i < s->n_paths; i++) {
		const struct pd_state_path *p = &s->paths[i];
		if (!p->metered)
			continue;
		if (!any)
			printf("\nuse of counted paths (this period)\n");
		any = true;
		use_text(p->used, &p->budget, text, sizeof(text));
		printf("%-12s %s", p->name, text);
		if (p->period[0])
			printf(" (since %s, resets %s)", when(p->period, a, sizeof(a)),
			       when(p->resets, b, sizeof(b)));
		printf("%s\n", p->over ? "  SPENT" : "");
		for (size_t k = 0; k < s->n_usage; k++) {
			const struct pd_state_usage *u = &s->usage[k];
			if (strcmp(u->path, p->name) != 0)
				continue;
			use_text(u->bytes, &u->budget, text, sizeof(text));
			printf("  %-26s %s%s\n", u->program, text, u->over ? "  SPENT" : "");
		}
	}
}

static void print_text(const struct pd_state *s)
{
	printf("pathd pid %lld, config %s\n", s->pid, s->config);
	printf("%-12s %-12s %-6s %-4s %s\n", "PATH", "DEV", "BACKUP", "UP", "ADDRESSES");
	for (size_t i = 0; i < s->n_paths; i++) {
		const struct pd_state_path *p = &s->paths[i];
		char dev[96];
		/* A path of a kind: its interfaces now, and the kind. */
		if (p->kind[0]) {
			size_t off = 0;
			dev[0] = '\0';
			for (size_t k = 0; k < p->n_ifaces && off < sizeof(dev); k++)
				off += (size_t)snprintf(dev + off, sizeof(dev) - off, "%s%s",
				                        k ? "," : "", p->ifaces[k]);
			if (off < sizeof(dev))
				snprintf(dev + off, sizeof(dev) - off, "%s(%s)", off ? " " : "",
				         p->kind);
		} else {
			snprintf(dev, sizeof(dev), "%s", p->dev);
		}
		printf("%-12s %-12s %-6s %-4s", p->name, dev, p->backup ? "yes" : "no",
		       p->up ? "yes" : "no");
		for (size_t k = 0; k < p->n_addrs; k++)
			printf(" %s", p->addrs[k]);
		printf("\n");
	}
	printf("\n%zu connection(s)\n", s->n_conns);
	for (size_t i = 0; i < s->n_conns; i++) {
		const struct pd_state_conn *c = &s->conns[i];
		printf("%08x %s %s -> %s  %s  paths: %s%s%s\n", c->token,
		       c->server ? "server" : "client", c->local, c->remote,
		       *c->exe ? c->exe : "(unregistered: defaults)",
		       *c->paths ? c->paths : "(pending)", *c->mode ? "  mode: " : "", c->mode);
		for (size_t k = 0; k < c->n_subs; k++) {
			const struct pd_state_sub *sf = &c->subs[k];
			char rtt[32] = "";
			if (sf->rtt_ms > 0)
				snprintf(rtt, sizeof(rtt), " rtt %.1f ms", sf->rtt_ms);
			printf("    %-12s %-24s%s%s%s%s%s\n", sf->path, sf->local,
			       sf->initial ? " initial" : "", sf->backup ? " backup" : "",
			       sf->promoting ? " (to be made active)" : "",
			       sf->live ? "" : " (connecting)", rtt);
		}
		/* Paths that failed and wait: "unreachable" once they failed often in a row. */
		for (size_t k = 0; k < c->n_retries; k++) {
			const struct pd_state_retry *r = &c->retries[k];
			printf(
			    "    %-12s %s: %u failure%s in a row, next try in %.1f s (last: %s)\n",
			    r->path, r->unreachable ? "unreachable" : "retrying", r->fails,
			    r->fails == 1 ? "" : "s", r->retry_in_ms / 1000., r->why);
		}
	}
	const struct pd_state_counters *n = &s->counters;
	printf(
	    "\nsubflows created %llu, closed %llu, re-flagged %llu, announced %llu, errors %llu; "
	    "registrations %llu (refused %llu, rate-limited %llu)\n",
	    n->subflow_create, n->subflow_destroy, n->set_flags, n->announce, n->errors,
	    n->registrations, n->refused, n->rate_limited);
	if (s->latency.n > 0)
		printf("ESTABLISHED -> first added subflow established: p50 %.3f ms, p99 %.3f ms "
		       "(%llu connections)\n",
		       s->latency.p50, s->latency.p99, s->latency.n);
	print_use(s);
}

int lr_cmd_paths(int argc, char **argv)
{
	const char *state = NULL;
	bool as_json = false;
	const struct lr_option opts[] = {
	    {"state", 0, &state, NULL},
	    {"json", 0, NULL, &as_json},
	    {NULL, 0, NULL, NULL},
	};
	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (first != argc) {
		lr_err("paths: unexpected argument \"%s\"", argv[first]);
		return LR_EXIT_USAGE;
	}
	if (!state)
		state = PD_DEFAULT_STATE;
	struct pd_state s;
	char why[200];
	int rc = pd_state_read(state, &s, why, sizeof(why));
	if (rc == -ENOENT) {
		lr_err("paths: %s: no path daemon runs (start mptcp-run pathd)", state);
		return LR_EXIT_FAIL;
	}
	if (rc < 0) {
		lr_err("paths: %s: %s", state, why);
		return LR_EXIT_FAIL;
	}
	if (as_json)
		pd_state_print(stdout, &s);
	else
		print_text(&s);
	pd_state_free(&s);
	return LR_EXIT_OK;
}
