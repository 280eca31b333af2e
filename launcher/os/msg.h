/* SPDX-License-Identifier: MIT */
/*
 * Launcher messages: the one logging convention of the launcher side (the
 * commands, the path daemon). Every message goes to stderr, one line, with a
 * prefix that tells it apart from the output of the program being run:
 *
 *   lr_err   always               "mptcp-run: MESSAGE"
 *   lr_warn  unless -q            "mptcp-run: warning: MESSAGE"
 *   lr_info  unless -q            "mptcp-run: MESSAGE"   what was chosen or started
 *   lr_dbg   only with lr_debug   "mptcp-run: MESSAGE"   one line per decision (-d)
 *
 * lr_dbg is a macro: with debugging off its arguments are not evaluated, so a
 * decision path may format addresses for it at no cost. A long-running part
 * names itself once (lr_msg_component("pathd")) and its lines read
 * "mptcp-run pathd: ...", so a log that mixes it with the commands' lines says
 * who spoke. Standard output is for a command's results, never for messages.
 */
#ifndef MPTCP_RUN_LAUNCHER_MSG_H
#define MPTCP_RUN_LAUNCHER_MSG_H

#include <stdbool.h>

/* -q: warnings and information are dropped, errors are still printed (the exit status
 * alone is not enough). */
extern bool lr_quiet;
/* -d: debug lines are printed. */
extern bool lr_debug;

/* Names the part speaking ("pathd"): the prefix becomes "mptcp-run pathd: ". NULL: none. */
void lr_msg_component(const char *name);

void lr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The body of lr_dbg: prints whatever lr_debug says (call lr_dbg). */
void lr_dbg_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define lr_dbg(...)                                                                                \
	do {                                                                                       \
		if (lr_debug)                                                                      \
			lr_dbg_print(__VA_ARGS__);                                                 \
	} while (0)

#endif
