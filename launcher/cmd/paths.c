/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run paths [--state FILE] [--json]`: the live view of the path daemon,
 * read from the state file it rewrites (at most every 200 ms) while it runs:
 * each path with its interface state, each connection with its program, its
 * paths and its subflows. --json prints the file as it is. Exit 1 when no
 * daemon runs (no state file), 2 on bad usage.
 */
#include "cmd/commands.h"
#include "cmd/options.h"
#include "os/msg.h"
#include "pathd/pathd.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
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
	json_error_t jerr;
	json_t *root = json_load_file(state, 0, &jerr);
	if (!root) {
		FILE *f = fopen(state, "re");
		if (!f && errno == ENOENT)
			lr_err("paths: %s: no path daemon runs (start mptcp-run pathd)", state);
		else
			lr_err("paths: %s: %s", state, jerr.text);
		if (f)
			fclose(f);
		return LR_EXIT_FAIL;
	}
	if (as_json) {
		json_dumpf(root, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(root);
		return LR_EXIT_OK;
	}
	size_t i, k;
	json_t *x;
	printf("pathd pid %lld, config %s\n",
	       (long long)json_integer_value(json_object_get(root, "pid")), str(root, "config"));
	printf("%-12s %-12s %-6s %-4s %s\n", "PATH", "DEV", "BACKUP", "UP", "ADDRESSES");
	json_array_foreach(json_object_get(root, "paths"), i, x)
	{
		json_t *a;
		printf("%-12s %-12s %-6s %-4s", str(x, "name"), str(x, "dev"),
		       json_is_true(json_object_get(x, "backup")) ? "yes" : "no",
		       json_is_true(json_object_get(x, "up")) ? "yes" : "no");
		json_array_foreach(json_object_get(x, "addrs"), k, a)
		    printf(" %s", json_string_value(a));
		printf("\n");
	}
	json_t *conns = json_object_get(root, "connections");
	printf("\n%zu connection(s)\n", json_array_size(conns));
	json_array_foreach(conns, i, x)
	{
		json_t *s;
		const char *exe = str(x, "exe");
		printf("%s %s %s -> %s  %s  paths: %s\n", str(x, "token"), str(x, "side"),
		       str(x, "local"), str(x, "remote"), *exe ? exe : "(unregistered: defaults)",
		       *str(x, "paths") ? str(x, "paths") : "(pending)");
		json_array_foreach(json_object_get(x, "subflows"), k, s)
		{
			printf("    %-12s %-24s%s%s%s\n", str(s, "path"), str(s, "local"),
			       json_is_true(json_object_get(s, "initial")) ? " initial" : "",
			       json_is_true(json_object_get(s, "backup")) ? " backup" : "",
			       json_is_true(json_object_get(s, "live")) ? "" : " (connecting)");
		}
	}
	json_t *lat = json_object_get(root, "sf_latency_ms");
	json_t *cnt = json_object_get(root, "counters");
	printf("\nsubflows created %lld, closed %lld, announced %lld, errors %lld; "
	       "registrations %lld (refused %lld, rate-limited %lld)\n",
	       (long long)json_integer_value(json_object_get(cnt, "subflow_create")),
	       (long long)json_integer_value(json_object_get(cnt, "subflow_destroy")),
	       (long long)json_integer_value(json_object_get(cnt, "announce")),
	       (long long)json_integer_value(json_object_get(cnt, "errors")),
	       (long long)json_integer_value(json_object_get(cnt, "registrations")),
	       (long long)json_integer_value(json_object_get(cnt, "refused")),
	       (long long)json_integer_value(json_object_get(cnt, "rate_limited")));
	if (json_integer_value(json_object_get(lat, "n")) > 0)
		printf("ESTABLISHED -> first added subflow established: p50 %.3f ms, p99 %.3f ms "
		       "(%lld connections)\n",
		       json_real_value(json_object_get(lat, "p50")),
		       json_real_value(json_object_get(lat, "p99")),
		       (long long)json_integer_value(json_object_get(lat, "n")));
	json_decref(root);
	return LR_EXIT_OK;
}
