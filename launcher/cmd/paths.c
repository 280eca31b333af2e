/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run paths [--state FILE] [--json]`: the live view of the path daemon,
 * read from the state file it rewrites (at most every 200 ms) while it runs
 * (pathd/state_file.h, the file's one definition): each path with its
 * interface state, each connection with its program, its paths and its
 * subflows. --json prints the file's content. Exit 1 when no daemon runs (no
 * state file), 2 on bad usage.
 */
#include "cmd/commands.h"
#include "cmd/options.h"
#include "os/msg.h"
#include "pathd/pathd.h"
#include "pathd/state_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void print_text(const struct pd_state *s)
{
	printf("pathd pid %lld, config %s\n", s->pid, s->config);
	printf("%-12s %-12s %-6s %-4s %s\n", "PATH", "DEV", "BACKUP", "UP", "ADDRESSES");
	for (size_t i = 0; i < s->n_paths; i++) {
		const struct pd_state_path *p = &s->paths[i];
		printf("%-12s %-12s %-6s %-4s", p->name, p->dev, p->backup ? "yes" : "no",
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
