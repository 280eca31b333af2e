/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run mark FILE TEXT...`: appends an event to a timeline that
 * `mptcp-run --timeline FILE` is writing (or wrote): "wifi down", "handover".
 * One O_APPEND write of one line, so it never splits a line the sampler
 * writes; the report places it by its wall-clock time. The file must exist:
 * a mistyped name is an error, not a new file.
 */
#include "cmd/commands.h"
#include "cmd/options.h"
#include "live/timeline.h"
#include "os/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int lr_cmd_mark(int argc, char **argv)
{
	const struct lr_option opts[] = {{NULL, 0, NULL, NULL}};
	struct lv_event e = {.what = LV_EV_MARK};
	struct lr_buf text, line;
	struct timespec ts;

	int first = lr_parse_options(argc, argv, opts, true);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (argc - first < 2) {
		lr_err("mark: usage: mptcp-run mark FILE TEXT...");
		return LR_EXIT_USAGE;
	}
	lr_buf_init(&text);
	for (int i = first + 1; i < argc; i++) {
		if (i > first + 1)
			lr_buf_addc(&text, ' ');
		lr_buf_adds(&text, argv[i]);
	}
	char *t = lr_buf_take(&text);
	if (!t || !*t || strlen(t) >= sizeof(e.text)) {
		lr_err("mark: TEXT must be 1 to %zu bytes", sizeof(e.text) - 1);
		free(t);
		return LR_EXIT_USAGE;
	}
	memcpy(e.text, t, strlen(t) + 1);
	free(t);
	int fd = open(argv[first], O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		lr_err("mark: %s: %s", argv[first], strerror(errno));
		return errno == ENOENT ? LR_EXIT_USAGE : LR_EXIT_FAIL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	lr_buf_init(&line);
	lv_tl_event(&line, -1, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, &e);
	char *l = lr_buf_take(&line);
	ssize_t w = l ? write(fd, l, strlen(l)) : -1;
	int rc = l && w == (ssize_t)strlen(l) ? LR_EXIT_OK : LR_EXIT_FAIL;
	if (rc)
		lr_err("mark: %s: %s", argv[first], l ? strerror(errno) : "out of memory");
	free(l);
	if (close(fd) < 0 && rc == LR_EXIT_OK) {
		lr_err("mark: %s: %s", argv[first], strerror(errno));
		rc = LR_EXIT_FAIL;
	}
	return rc;
}
