/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run report FILE [--svg OUT]`: summarises the JSON lines the library
 * writes with MPTCP_RUN_REPORT=FILE ("-" reads stdin). Exit 0 with the
 * summary on stdout; 1 if FILE cannot be read whole or OUT cannot be written
 * whole (the text summary is printed all the same); 2 on bad usage.
 */
#include "cmd/commands.h"
#include "os/msg.h"
#include "report/output.h"
#include "report/summary.h"
#include "report/timeline.h"
#include "os/atomic_file.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_usage(FILE *out)
{
	fprintf(out,
	        "Usage: mptcp-run report FILE [--svg OUT]\n"
	        "Summarises a connection report written with MPTCP_RUN_REPORT=FILE:\n"
	        "connections (MPTCP, fallback, TCP by policy) and the share of bytes per local\n"
	        "address. --svg OUT also draws the shares per path and per connection.\n"
	        "A timeline written with mptcp-run --timeline FILE CMD is recognised: the\n"
	        "summary gives the bytes per interface and the events, and --svg OUT draws\n"
	        "per connection the cumulative bytes and the throughput per interface and\n"
	        "the RTT per subflow over time, with the events marked.\n"
	        "Example: mptcp-run --timeline t.json ncat 198.18.1.2 5000 < file\n"
	        "         mptcp-run report t.json --svg t.svg\n");
}

/* FILE and --svg OUT from argv: -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, const char **path, const char **svg)
{
	static const struct option longopts[] = {
	    {"svg", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			*svg = optarg;
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
	*path = argv[optind];
	return -1;
}

/*
 * path opened for reading. Standard input ("-") is read whole first, so that
 * it can be read twice: a timeline is told from a report by its first line.
 * NULL with errno set.
 */
static FILE *open_input(const char *path, char **buf)
{
	char chunk[65536];
	size_t len = 0, n;

	*buf = NULL;
	if (strcmp(path, "-") != 0)
		return fopen(path, "re");
	FILE *m = open_memstream(buf, &len);
	if (!m)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		fwrite(chunk, 1, n, m);
	bool bad = ferror(stdin);
	if (fclose(m) != 0 || bad) {
		free(*buf);
		*buf = NULL;
		errno = bad ? EIO : ENOMEM;
		return NULL;
	}
	/* fmemopen refuses an empty buffer. */
	return len ? fmemopen(*buf, len, "r") : fopen("/dev/null", "re");
}

/* The whole report from in into s: 0, or -1 after saying why. */
static int read_report(FILE *in, const char *path, struct lr_report_summary *s)
{
	int rc = lr_report_summary_read(s, in);
	if (rc < 0)
		lr_err("report: %s: %s", path, strerror(errno));
	return rc;
}

/* The SVG into path: 0, or -1 after saying why (a full disk shows at fclose). */
static int write_svg(const char *path, const struct lr_report_summary *s)
{
	FILE *o = fopen(path, "we");
	if (!o) {
		lr_err("report: %s: %s", path, strerror(errno));
		return -1;
	}
	lr_report_svg(s, o);
	if (fclose(o) != 0) {
		lr_err("report: %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A string written whole into path (temp file + rename): 0, or -1 after saying why. */
static int write_whole(const char *path, char *data, size_t len)
{
	int rc = data ? lr_write_atomic(path, data, len, 0644, NULL) : -ENOMEM;
	free(data);
	if (rc < 0) {
		lr_err("report: %s: %s", path, strerror(-rc));
		return -1;
	}
	return 0;
}

/* A timeline: the exit status; -1 (in rewound) when in holds no timeline. */
static int timeline(FILE *in, const char *path, const char *svg)
{
	struct lr_tl tl;
	struct lr_tl_conn *c = NULL;
	size_t n = 0, total = 0;
	int status = LR_EXIT_OK;

	int rc = lr_tl_read(in, &tl);
	int err = errno;
	if (rc == 1) {
		lr_tl_free(&tl);
		rewind(in);
		return -1;
	}
	if (rc < 0 || lr_tl_conns(&tl, &c, &n, &total) < 0) {
		lr_err("report: %s: %s", path, strerror(rc < 0 ? err : ENOMEM));
		lr_tl_free(&tl);
		return LR_EXIT_FAIL;
	}
	lr_tl_print(&tl, c, n, total, path, stdout);
	if (svg) {
		char *data = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&data, &len);
		if (m) {
			lr_tl_svg(&tl, c, n, total, m);
			if (fclose(m) != 0) {
				free(data);
				data = NULL;
			}
		}
		if (write_whole(svg, data, len) < 0)
			status = LR_EXIT_FAIL;
	}
	lr_tl_conns_free(c, total);
	lr_tl_free(&tl);
	return status;
}

int lr_cmd_report(int argc, char **argv)
{
	struct lr_report_summary s; /* about 20 KiB; the addresses are on the heap */
	const char *path = NULL, *svg = NULL;
	int status = parse_args(argc, argv, &path, &svg);

	if (status >= 0)
		return status;
	char *buf;
	FILE *in = open_input(path, &buf);
	if (!in) {
		lr_err("report: %s: %s", path, strerror(errno));
		free(buf);
		return LR_EXIT_FAIL;
	}
	status = timeline(in, path, svg);
	if (status < 0) {
		lr_report_summary_init(&s);
		if (read_report(in, path, &s) < 0) {
			status = LR_EXIT_FAIL;
		} else {
			lr_report_print(&s, path, stdout);
			status = svg && write_svg(svg, &s) < 0 ? LR_EXIT_FAIL : LR_EXIT_OK;
		}
		lr_report_summary_free(&s);
	}
	fclose(in);
	free(buf);
	return status;
}
