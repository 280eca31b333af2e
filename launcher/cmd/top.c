/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run top [-i SECONDS] [-s ORDER] [-p PROGRAM] [--state FILE] [--once|--json]`:
 * every MPTCP connection of the network namespace with its subflows, rates
 * per interface, owners; live on a terminal (top_screen.c), or one snapshot
 * for scripts. A snapshot is two samples one interval apart, so its rates
 * are real. Exit 1 when sock_diag cannot be read, 2 on bad usage.
 */
#include "cmd/commands.h"
#include "cmd/options.h"
#include "cmd/top.h"
#include "os/msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool parse_sort(const char *s, enum lv_sort *out)
{
	for (int i = 0; i < LV_SORT_N; i++)
		if (strcmp(s, lv_sort_name((enum lv_sort)i)) == 0) {
			*out = (enum lv_sort)i;
			return true;
		}
	return false;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int lr_cmd_top(int argc, char **argv)
{
	const char *interval = NULL, *sort = NULL, *prog = NULL, *state = NULL;
	bool once = false, json = false;
	const struct lr_option opts[] = {
	    {"interval", 'i', &interval, NULL},
	    {"sort", 's', &sort, NULL},
	    {"program", 'p', &prog, NULL},
	    {"state", 0, &state, NULL},
	    {"once", 0, NULL, &once},
	    {"json", 0, NULL, &json},
	    {NULL, 0, NULL, NULL},
	};
	struct lr_top t;
	int rc = LR_EXIT_OK;

	memset(&t, 0, sizeof(t));
	t.interval = 1.0;
	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (first != argc) {
		lr_err("top: unexpected argument \"%s\"", argv[first]);
		return LR_EXIT_USAGE;
	}
	if (interval && !lr_opt_decimal(interval, 0.1, 3600, &t.interval)) {
		lr_err("top: --interval '%s': expected seconds from 0.1 to 3600", interval);
		return LR_EXIT_USAGE;
	}
	if (sort && !parse_sort(sort, &t.sort)) {
		lr_err("top: --sort '%s': expected rate, bytes, program, pid or remote", sort);
		return LR_EXIT_USAGE;
	}
	if (prog)
		snprintf(t.filter, sizeof(t.filter), "%s", prog);
	if (!once && !json && !isatty(STDOUT_FILENO)) {
		lr_err("top: standard output is not a terminal: use --once or --json");
		return LR_EXIT_USAGE;
	}
	t.sp = ls_sampler_new(state);
	if (!t.sp) {
		lr_err("top: out of memory");
		return LR_EXIT_FAIL;
	}
	lr_top_sample(&t);
	if (t.cur.lim.no_diag) {
		lr_err("top: cannot read the sockets (sock_diag): %s",
		       strerror(t.cur.lim.diag_err));
		rc = LR_EXIT_FAIL;
	} else if (once || json) {
		sleep_s(t.interval);
		lr_top_sample(&t);
		char *text = lr_top_render(&t, 0, json, false);
		if (!text) {
			lr_err("top: out of memory");
			rc = LR_EXIT_FAIL;
		} else {
			fputs(text, stdout);
			if (json)
				fputc('\n', stdout);
			free(text);
			if (fflush(stdout) != 0)
				rc = LR_EXIT_FAIL;
		}
	} else {
		rc = lr_top_screen(&t);
	}
	lv_sample_free(&t.prev);
	lv_sample_free(&t.cur);
	ls_sampler_free(t.sp);
	return rc;
}
